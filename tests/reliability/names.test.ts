import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAddsUp, jsonEvents, lastSummary, outputsOf, resultsByFile, runCli, unitsByFile } from '../cli/harness'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { RAW_CONTROL } from './support'

/**
 * Names are bytes, and hostile: not UTF-8, holding newlines and terminal escapes, or equal
 * to another name on a target that ignores case. None may be lost, merged or printed raw.
 */

describe('names that are not UTF-8', () => {
  let folders: TempFolders
  const names = [Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]), Buffer.from([0x62, 0x61, 0x64, 0xfe, 0xff])].map((stem) => Buffer.concat([stem, Buffer.from('.jpg')]))
  const under = (folder: string, name: Buffer): Buffer => Buffer.concat([Buffer.from(`${folder}/`), name])
  beforeAll(async () => {
    folders = await tempFolders()
    const photo = await writeImage(folders.root, 'photo.jpg', { width: 1600, height: 1200 })
    for (const name of names) await copyFile(photo, under(folders.source, name))
  })
  afterAll(() => folders?.cleanup())

  it('bad\\xff\\xfe.jpg and bad\\xfe\\xff.jpg are both scaled, under the very same bytes, and shown escaped', async () => {
    const run = await runCli(['-s', '800', folders.source, folders.target])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('scaled bad\\xff\\xfe.jpg 1600×1200 → 800×600')
    expect(run.stdout).toContain('scaled bad\\xfe\\xff.jpg 1600×1200 → 800×600')
    expect(run.stdout).toMatch(/^copied 0 scaled 2 using/m)
    expect(run.stdout).not.toContain('\ufffd')
    const written = (await readdir(Buffer.from(folders.target), { encoding: 'buffer' })).filter((name) => !name.toString('latin1').startsWith('.'))
    expect(written.map((name) => name.toString('hex')).sort()).toEqual(names.map((name) => name.toString('hex')).sort())
    for (const name of names) {
      const meta = await sharp(await readFile(under(folders.target, name))).metadata()
      expect(meta).toMatchObject({ width: 800, height: 600, format: 'jpeg' })
    }

    const json = await runCli(['--json', '-s', '800', folders.source, join(folders.root, 'json')])
    const events = jsonEvents(json.stdout)
    expectAddsUp(lastSummary(events))
    // Two files, two results: the names are not merged into one "bad��.jpg".
    expect([...resultsByFile(events).keys()]).toHaveLength(2)
    expect(lastSummary(events).counts.scaled).toBe(2)
  })
})

describe('names with newlines and terminal escapes', () => {
  let folders: TempFolders
  const FORGED = 'evil\ncopied 0 scaled 0 using 9 worker threads\n.jpg'
  const TITLE = '\x1b]0;pwned\x07.jpg'
  const CLEAR = '\x1b[2J\x1b[H.jpg'
  const names = [FORGED, TITLE, CLEAR]
  beforeAll(async () => {
    folders = await tempFolders()
    const photo = await writeImage(folders.root, 'photo.jpg', { width: 1600, height: 1200 })
    for (const name of names) await copyFile(photo, join(folders.source, name))
  })
  afterAll(() => folders?.cleanup())

  it('line output holds no raw control character and no forged line', async () => {
    const run = await runCli(['-s', '800', folders.source, folders.target])
    expect(run.code, run.stderr).toBe(0)
    for (const text of [run.stdout, run.stderr]) expect(text).not.toMatch(RAW_CONTROL)
    const lines = run.stdout.split('\n')
    expect(lines.filter((line) => line.startsWith('copied 0 scaled 0 using 9')), 'no forged summary line').toEqual([])
    expect(lines.filter((line) => line.startsWith('scaled '))).toHaveLength(3)
    expect(run.stdout).toContain('scaled evil\\ncopied 0 scaled 0 using 9 worker threads\\n.jpg')
    expect(run.stdout).toContain('scaled \\x1b]0;pwned\\x07.jpg')
    expect(run.stdout).toContain('scaled \\x1b[2J\\x1b[H.jpg')
    expect(lines.filter((line) => /^copied \d+ scaled \d+ using/.test(line))).toEqual([expect.stringMatching(/^copied 0 scaled 3 using/)])
  })

  it('--json carries each name exactly, as a JSON string', async () => {
    const run = await runCli(['--json', '-s', '800', folders.source, join(folders.root, 'json')])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).not.toMatch(RAW_CONTROL)
    const units = unitsByFile(jsonEvents(run.stdout))
    expect([...units.keys()].sort()).toEqual([...names].sort())
    for (const name of names) expect(units.get(name)).toMatchObject({ outcome: 'scaled', path: name })
  })
})

/** An exFAT image mounted through FUSE: a real case-insensitive file system, as on a camera card. */
describe('a target that ignores case (exFAT)', () => {
  let folders: TempFolders
  let mountPoint = ''
  let loop = ''
  let mounted = false
  const run = (file: string, args: string[]): string => execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()

  beforeAll(async () => {
    folders = await tempFolders()
    // Different pictures with names that are one name to exFAT: landscape a.jpg, portrait a.JPG.
    await writeImage(folders.source, 'a.jpg', { width: 1600, height: 1200, seed: 1 })
    await writeImage(folders.source, 'a.JPG', { width: 1200, height: 1600, seed: 2 })
    await writeImage(folders.source, 'b.jpg', { width: 1600, height: 1200, seed: 3 })
    const missing = ['mkfs.exfat', 'mount.exfat-fuse', 'losetup'].filter((tool) => {
      try {
        run('sh', ['-c', `command -v ${tool}`])
        return false
      } catch {
        return true
      }
    })
    if (missing.length > 0) throw new Error(`these tests need ${missing.join(', ')}: install exfat-fuse and exfatprogs (apt-get install exfat-fuse exfatprogs), and run as root`)
    const image = join(folders.root, 'card.img')
    await writeFile(image, '')
    run('truncate', ['-s', '64M', image])
    run('mkfs.exfat', [image])
    loop = run('losetup', ['-f', '--show', image])
    mountPoint = join(folders.root, 'card')
    await mkdir(mountPoint)
    // The FUSE daemon stays behind: it must not hold a pipe of ours open.
    execFileSync('mount.exfat-fuse', [loop, mountPoint], { stdio: 'ignore', timeout: 20_000 })
    mounted = true
  })
  afterAll(async () => {
    if (mounted) run('umount', [mountPoint])
    if (loop) run('losetup', ['-d', loop])
    await folders?.cleanup()
  })

  async function scaleInto(folder: string, extra: string[] = []): Promise<ReturnType<typeof unitsByFile>> {
    const result = await runCli(['--json', '-s', '800', ...extra, folders.source, join(mountPoint, folder)])
    expect(result.code, result.stderr).toBe(0)
    const events = jsonEvents(result.stdout)
    const summary = lastSummary(events)
    expectAddsUp(summary)
    expect(summary.skippedBy, 'no output is wrongly taken for one already there').toEqual({})
    expect(summary.counts).toMatchObject({ scaled: 3, skipped: 0, failed: 0 })
    const renamed = outputsOf(events).filter((output) => output.renamed)
    expect(renamed, 'one of a.jpg / a.JPG is renamed, and says so').toHaveLength(1)
    expect(renamed[0]?.renamed).toMatchObject({ because: 'batch' })
    return unitsByFile(events)
  }

  it('a.jpg and a.JPG become two outputs, one renamed deterministically; nothing dropped or overwritten', async () => {
    expect(existsSync(join(mountPoint, '.')), 'the card is mounted').toBe(true)
    const units = await scaleInto('t1')
    const files = (await readdir(join(mountPoint, 't1'))).filter((name) => !name.startsWith('.')).sort()
    expect(files).toHaveLength(3)
    // Each output is the picture of its own source: landscape from a.jpg, portrait from a.JPG.
    for (const source of ['a.jpg', 'a.JPG']) {
      const unit = units.get(source)!
      expect(files).toContain(unit.path)
      const meta = await sharp(join(mountPoint, 't1', unit.path!)).metadata()
      expect(meta, source).toMatchObject(source === 'a.jpg' ? { width: 800, height: 600 } : { width: 600, height: 800 })
    }
    // The same source gives the same names every time.
    const again = await scaleInto('t2')
    for (const source of ['a.jpg', 'a.JPG', 'b.jpg']) expect(again.get(source)?.path).toBe(units.get(source)?.path)
  })

  it('--overwrite: still two outputs, neither overwriting the other', async () => {
    const units = await scaleInto('t3', ['--overwrite'])
    const paths = new Set(['a.jpg', 'a.JPG'].map((source) => units.get(source)?.path?.toLowerCase()))
    expect(paths.size).toBe(2)
    expect((await readdir(join(mountPoint, 't3'))).filter((name) => !name.startsWith('.'))).toHaveLength(3)
  })

  it('a second run into the same card skips all three as already done, none as "already exists"', async () => {
    await scaleInto('t4')
    const rerun = await runCli(['--json', '-s', '800', folders.source, join(mountPoint, 't4')])
    expect(rerun.code, rerun.stderr).toBe(0)
    const summary = lastSummary(jsonEvents(rerun.stdout))
    expectAddsUp(summary)
    expect(summary.skippedBy).toEqual({ 'already-done': 3 })
  })
})
