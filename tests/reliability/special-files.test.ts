import { execFileSync } from 'node:child_process'
import { mkdir, symlink, unlink } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAddsUp, isFolder, jsonEvents, lastSummary, listOutputs, runCli, unitsByFile } from '../cli/harness'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { finishedResults, reasonOf } from './support'

/**
 * Only regular files are ever opened. A FIFO, a socket or a device (or a link to one) once
 * hung the batch for good; links out of the source were followed into /etc; a target under
 * /proc never returned from mkdir. Each is now a counted skip or a refusal, quickly.
 */

describe('FIFOs, sockets, devices and links to them in the source', () => {
  let folders: TempFolders
  let server: Server
  const SPECIAL = ['pipe', 'link-to-pipe.jpg', 'socket', 'null-device']
  beforeAll(async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'photo.jpg', { width: 1600, height: 1200 })
    execFileSync('mkfifo', [join(folders.source, 'pipe')])
    await symlink('pipe', join(folders.source, 'link-to-pipe.jpg'))
    // A listening UNIX socket: the most hostile kind, as a connect would be answered.
    server = createServer()
    await new Promise<void>((resolve) => server.listen(join(folders.source, 'socket'), resolve))
    // /dev/null's own numbers (char 1:3): reading it would "succeed" with nothing, writing it loses data.
    execFileSync('mknod', [join(folders.source, 'null-device'), 'c', '1', '3'])
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()))
    await folders?.cleanup()
  })

  it('engine: each is skipped special-file and counted; the photo is scaled; the batch completes', { timeout: 30_000 }, async () => {
    const { summary, events } = await runRecorded(folders.source, join(folders.root, 'engine'), { size: 800 })
    expectAddsUp(summary)
    expect(summary.files).toBe(SPECIAL.length + 1)
    expect(summary.skippedBy).toEqual({ 'special-file': SPECIAL.length })
    expect(summary.counts).toMatchObject({ scaled: 1, skipped: SPECIAL.length, failed: 0 })
    const results = finishedResults(events)
    for (const name of SPECIAL) {
      const result = results.find((candidate) => candidate.file === name)
      expect(result, `${name} is reported`).toBeDefined()
      expect(reasonOf(result!), name).toBe('special-file')
    }
  })

  it('CLI: the same four skips, listed and counted in the closing lines; exit 0', { timeout: 30_000 }, async () => {
    const target = join(folders.root, 'cli')
    const run = await runCli(['-s', '800', folders.source, target])
    expect(run.code, run.stderr).toBe(0)
    for (const name of SPECIAL) expect(run.stdout).toMatch(new RegExp(`^skipped ${name}: `, 'm'))
    expect(run.stdout).toContain('skipped 4: not a regular file')
    expect(await listOutputs(target)).toEqual(['photo.jpg'])

    const json = await runCli(['--json', '-s', '800', folders.source, join(folders.root, 'cli-json')])
    const summary = lastSummary(jsonEvents(json.stdout))
    expect(summary.skippedBy).toEqual({ 'special-file': 4 })
    expectAddsUp(summary)
  })
})

describe('a target on a pseudo file system', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'photo.jpg', { width: 800, height: 600 })
  })
  afterAll(() => folders?.cleanup())

  it.each(['/proc/self/imagescale-out', '/proc/1/imagescale/a/b', '/sys/kernel/imagescale-out'])('%s is refused quickly: exit 2 (pseudo-fs)', { timeout: 20_000 }, async (target) => {
    const run = await runCli([folders.source, target])
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toMatch(/a view of the kernel, not a disk/)
    expect(run.stdout).toBe('')
    await expect(runRecorded(folders.source, target)).rejects.toMatchObject({ code: 'pseudo-fs' })
    expect(await isFolder(target)).toBe(false)
  })
})

describe('symbolic links', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    const outside = join(folders.root, 'elsewhere')
    await writeImage(outside, 'private.jpg', { width: 1600, height: 1200 })
    await writeImage(join(outside, 'folder'), 'secret.jpg', { width: 1600, height: 1200 })
    await writeImage(join(folders.source, 'sub'), 'b.jpg', { width: 1600, height: 1200 })
    // A hidden folder is never walked on its own: only a link can lead the scan into it.
    await writeImage(join(folders.source, '.archive', '2023'), 'old.jpg', { width: 1600, height: 1200 })
    await symlink(join(outside, 'private.jpg'), join(folders.source, 'link-out.jpg'))
    await symlink(join(outside, 'folder'), join(folders.source, 'link-out-folder'))
    await symlink('/etc', join(folders.source, 'etc'))
    await symlink('sub/b.jpg', join(folders.source, 'alias.jpg'))
    await symlink('.archive/2023', join(folders.source, 'album'))
  })
  afterAll(() => folders?.cleanup())

  it('links out of the source are skipped outside-source and counted; file links inside it are read, folder links only into hidden folders', async () => {
    const run = await runCli(['--json', '-s', '800', folders.source, folders.target])
    expect(run.code, run.stderr).toBe(0)
    const events = jsonEvents(run.stdout)
    const summary = lastSummary(events)
    expectAddsUp(summary)
    const units = unitsByFile(events)
    for (const name of ['link-out.jpg', 'link-out-folder', 'etc']) expect(units.get(name), name).toMatchObject({ outcome: 'skipped', reason: 'outside-source' })
    expect(summary.skippedBy).toEqual({ 'outside-source': 3 })
    for (const name of ['alias.jpg', 'album/old.jpg', 'sub/b.jpg']) expect(units.get(name), name).toMatchObject({ outcome: 'scaled', size: { width: 800, height: 600 } })
    expect(units.size).toBe(6)
    // A link to a folder that is walked anyway is reported, not followed: each photo is made once.
    await symlink('sub', join(folders.source, 'sub-again'))
    const again = await runCli(['--json', '-s', '800', folders.source, join(folders.root, 'again')])
    expect(unitsByFile(jsonEvents(again.stdout)).get('sub-again')).toMatchObject({ outcome: 'skipped', reason: 'folder-link' })
    await unlink(join(folders.source, 'sub-again'))
    expect(await listOutputs(folders.target)).toEqual(['album/old.jpg', 'alias.jpg', 'sub/b.jpg'])
    expect(await isFolder(join(folders.target, 'link-out-folder'))).toBe(false)
  })

  it('a link to a folder of the source that sorts before it: the real folder is mirrored under its own name, read once', async () => {
    const target = join(folders.root, 'twice')
    await mkdir(join(folders.root, 'twice-src'))
    const source = join(folders.root, 'twice-src')
    await writeImage(join(source, 'real'), 'c.jpg', { width: 1600, height: 1200 })
    // The link sorts first (a-link < real): the real folder must still be the one mirrored.
    await symlink('real', join(source, 'a-link'))
    const run = await runCli(['--json', '-s', '800', source, target])
    expect(run.code, run.stderr).toBe(0)
    const units = unitsByFile(jsonEvents(run.stdout))
    expect([...units.keys()].sort()).toEqual(['a-link', 'real/c.jpg'])
    expect(units.get('a-link')).toMatchObject({ outcome: 'skipped', reason: 'folder-link' })
    expect(await listOutputs(target)).toEqual(['real/c.jpg'])
  })
})
