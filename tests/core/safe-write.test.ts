import { link, lstat, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ScaleError } from '../../src/core/errors'
import { tempOwner, tempPathFor } from '../../src/core/safe-write'
import { isIgnoredName } from '../../src/core/scan'
import type { ExistingPolicy, FileResult } from '../../src/shared/batch'
import { dimensionsOf, tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectBalanced, isTempName, listFiles, makeUnwritable, resultFor } from './fixtures'

describe('temp file names', () => {
  it('are hidden, beside the target, and name the process that wrote them', () => {
    const temp = tempPathFor('/photos/out/IMG_0001.jpg')
    expect(temp.startsWith('/photos/out/.IMG_0001.jpg.imagescale-')).toBe(true)
    expect(temp.endsWith('.tmp')).toBe(true)
    expect(tempOwner(basename(temp))).toBe(process.pid)
    expect(isIgnoredName(basename(temp))).toBe(true)
    expect(tempPathFor('/a/b.jpg')).not.toBe(tempPathFor('/a/b.jpg'))
  })

  it('are told apart from people’s own files', () => {
    expect(tempOwner('IMG_0001.jpg')).toBeNull()
    expect(tempOwner('.x.jpg.imagescale-999999-0123456789ab.tmp')).toBe(999_999)
    expect(tempOwner('holiday.imagescale-notes.tmp')).toBeNull()
  })
})

/** Sources whose outputs will find a link already sitting at their path. */
const LINKED = ['big-symlink.jpg', 'small-symlink.jpg', 'big-hardlink.jpg', 'small-hardlink.jpg'] as const

async function plantLinks(folders: TempFolders): Promise<Map<string, Buffer>> {
  const originals = new Map<string, Buffer>()
  await mkdir(folders.target)
  let seed = 1
  for (const name of LINKED) {
    const big = name.startsWith('big')
    const path = await writeImage(folders.source, name, { width: big ? 800 : 200, height: big ? 600 : 150, seed: seed++ })
    originals.set(name, await readFile(path))
    if (name.includes('symlink')) await symlink(path, join(folders.target, name))
    else await link(path, join(folders.target, name))
  }
  // An output path linked to a *different* original: the one a careless writer would destroy.
  const victim = await writeImage(folders.source, 'victim.jpg', { width: 100, height: 100, seed: 9 })
  originals.set('victim.jpg', await readFile(victim))
  await writeImage(folders.source, 'decoy.jpg', { width: 800, height: 600, seed: 10 })
  await symlink(victim, join(folders.target, 'decoy.jpg'))
  return originals
}

async function expectOriginalsIntact(folders: TempFolders, originals: Map<string, Buffer>): Promise<void> {
  for (const [name, bytes] of originals) {
    const now = await readFile(join(folders.source, name))
    expect(now.equals(bytes), `${name} was modified`).toBe(true)
  }
}

describe.each<ExistingPolicy>(['overwrite', 'skip'])('links planted at output paths (existing: %s)', (existing) => {
  let folders: TempFolders
  let originals: Map<string, Buffer>
  let results: FileResult[]

  beforeAll(async () => {
    folders = await tempFolders()
    originals = await plantLinks(folders)
    const { summary, events } = await runRecorded(folders.source, folders.target, { size: 400, workers: 2, existing })
    results = expectBalanced(summary, events)
    expect(summary.failed).toBe(0)
  })
  afterAll(() => folders.cleanup())

  it('never writes through a link into an original', async () => {
    await expectOriginalsIntact(folders, originals)
    for (const name of [...LINKED, 'victim.jpg']) {
      const meta = await dimensionsOf(join(folders.source, name))
      expect(meta.format).toBe('jpeg')
    }
  })

  it('leaves no temporary file behind', async () => {
    expect((await listFiles(folders.target)).filter(isTempName)).toEqual([])
  })

  if (existing === 'overwrite') {
    it('replaces each link with a regular file holding the new output', async () => {
      for (const name of [...LINKED, 'decoy.jpg']) {
        const out = join(folders.target, name)
        const info = await lstat(out)
        expect(info.isFile(), `${name} is still a link`).toBe(true)
        expect(info.isSymbolicLink()).toBe(false)
        const source = await stat(join(folders.source, name))
        expect(info.ino).not.toBe(source.ino)
        const big = name.startsWith('big') || name === 'decoy.jpg'
        expect(resultFor(results, name).action).toBe(big ? 'scaled' : 'copied')
        const dims = await dimensionsOf(out)
        expect({ width: dims.width, height: dims.height }).toEqual(big ? { width: 400, height: 300 } : { width: 200, height: 150 })
      }
    })

    it('leaves the hard-linked originals with a single name again', async () => {
      expect((await stat(join(folders.source, 'big-hardlink.jpg'))).nlink).toBe(1)
      expect((await stat(join(folders.source, 'small-hardlink.jpg'))).nlink).toBe(1)
    })
  } else {
    it('skips every output path already taken, as target-exists, and leaves the links alone', async () => {
      for (const name of [...LINKED, 'decoy.jpg']) {
        expect(resultFor(results, name)).toMatchObject({ action: 'skipped', reason: 'target-exists' })
      }
      expect((await lstat(join(folders.target, 'big-symlink.jpg'))).isSymbolicLink()).toBe(true)
      expect((await stat(join(folders.source, 'big-hardlink.jpg'))).nlink).toBe(2)
    })
  }
})

describe('existing outputs', () => {
  let folders: TempFolders
  afterEach(() => folders.cleanup())

  it.each<[string, ExistingPolicy | undefined, boolean]>([
    ['the default policy keeps them', undefined, false],
    ['existing: skip keeps them', 'skip', false],
    ['existing: overwrite replaces them', 'overwrite', true]
  ])('%s', async (_label, existing, replaced) => {
    folders = await tempFolders()
    await writeImage(folders.source, 'a.jpg', { width: 800, height: 600 })
    await writeImage(folders.source, 'b.jpg', { width: 200, height: 100 })
    await writeImage(folders.source, 'new.jpg', { width: 800, height: 600 })
    await mkdir(folders.target)
    const earlier = { 'a.jpg': Buffer.from('an earlier output of a'), 'b.jpg': Buffer.from('an earlier output of b') }
    for (const [name, bytes] of Object.entries(earlier)) await writeFile(join(folders.target, name), bytes)
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2, ...(existing ? { existing } : {}) })
    const results = expectBalanced(summary, events)
    expect(resultFor(results, 'new.jpg').action).toBe('scaled')
    for (const [name, bytes] of Object.entries(earlier)) {
      const now = await readFile(join(folders.target, name))
      if (replaced) {
        expect(now.equals(bytes)).toBe(false)
        expect((await dimensionsOf(join(folders.target, name))).format).toBe('jpeg')
      } else {
        expect(now.equals(bytes)).toBe(true)
        expect(resultFor(results, name)).toMatchObject({ action: 'skipped', reason: 'target-exists' })
      }
    }
    expect(summary.skippedBy).toEqual(replaced ? {} : { 'target-exists': 2 })
  })
})

describe('stale temp files from a crashed run', () => {
  let folders: TempFolders
  afterAll(() => folders.cleanup())

  it('are swept from the target folders the next run writes into; a live writer’s are kept', async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'x.jpg', { width: 800, height: 600 })
    await writeImage(folders.source, 'sub/y.jpg', { width: 100, height: 100 })
    await mkdir(join(folders.target, 'sub'), { recursive: true })
    const deadPid = 999_999
    expect(() => process.kill(deadPid, 0)).toThrow()
    const stale = ['.x.jpg.imagescale-999999-0123456789ab.tmp', 'sub/.y.jpg.imagescale-999999-abcdef012345.tmp']
    const live = `.z.jpg.imagescale-${process.pid}-00112233aabb.tmp`
    const mine = '.my-notes.txt'
    for (const name of [...stale, live, mine]) await writeFile(join(folders.target, name), 'half an image')
    const { summary } = await runRecorded(folders.source, folders.target, { workers: 1 })
    expect(summary).toMatchObject({ scaled: 1, copied: 1 })
    expect(await listFiles(folders.target)).toEqual([live, mine, 'sub/y.jpg', 'x.jpg'].sort())
  })
})

describe('an unwritable target', () => {
  let folders: TempFolders
  const undo: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const fn of undo.splice(0)) await fn()
    await folders.cleanup()
  })

  it('fails the files that cannot be written, as not-writable, and goes on with the rest', async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'top.jpg', { width: 800, height: 600 })
    await writeImage(folders.source, 'locked/big.jpg', { width: 800, height: 600 })
    await writeImage(folders.source, 'locked/small.jpg', { width: 100, height: 100 })
    await writeImage(folders.source, 'blocked/c.jpg', { width: 100, height: 100 })
    await mkdir(join(folders.target, 'locked'), { recursive: true })
    // A file where an output folder must go: the folder cannot be created.
    await writeFile(join(folders.target, 'blocked'), 'not a folder')
    undo.push(await makeUnwritable(join(folders.target, 'locked')))
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2 })
    const results = expectBalanced(summary, events)
    expect(resultFor(results, 'top.jpg').action).toBe('scaled')
    for (const name of ['locked/big.jpg', 'locked/small.jpg', 'blocked/c.jpg']) {
      const result = resultFor(results, name)
      expect(result).toMatchObject({ action: 'failed', reason: 'not-writable' })
      expect(result.message).toBeTruthy()
    }
    expect(summary).toMatchObject({ failed: 3, failedBy: { 'not-writable': 3 }, scaled: 1 })
    expect(await listFiles(folders.target)).toEqual(['blocked', 'top.jpg'])
  })

  it('is refused before any file is touched when the target folder itself is read-only', async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'a.jpg', { width: 800, height: 600 })
    await mkdir(folders.target)
    undo.push(await makeUnwritable(folders.target))
    const events: string[] = []
    await expect(runRecorded(folders.source, folders.target, {}, undefined, (e) => events.push(e.type))).rejects.toSatisfy(
      (error: unknown) => error instanceof ScaleError && error.code === 'target-not-writable'
    )
    expect(events).toEqual([])
    expect(await listFiles(folders.target)).toEqual([])
  })
})

describe.each<ExistingPolicy>(['overwrite', 'skip'])('a target folder that is a link into the source (existing: %s)', (existing) => {
  let folders: TempFolders
  afterAll(() => folders.cleanup())

  it('is never written to, so no original is replaced, and the rest goes on', async () => {
    folders = await tempFolders()
    const { source, target } = folders
    const originals = new Map<string, Buffer>()
    for (const name of ['same/x.jpg', 'b/y.jpg', 'a/y.jpg', 'c/z.jpg']) {
      originals.set(name, await readFile(await writeImage(source, name, { width: 800, height: 600, seed: originals.size + 1 })))
    }
    await writeImage(source, 'fine.jpg', { width: 800, height: 600 })
    await mkdir(target)
    // The same folder under its own name, another source folder under a mirrored name, and a
    // link whose outputs would need a new folder created inside the source.
    await symlink(join(source, 'same'), join(target, 'same'))
    await symlink(join(source, 'b'), join(target, 'a'))
    await mkdir(join(source, 'c', 'deeper'))
    await writeImage(source, 'd/new/w.jpg', { width: 800, height: 600 })
    await symlink(join(source, 'c', 'deeper'), join(target, 'd'))
    const before = await listFiles(source)
    const { summary, events } = await runRecorded(source, target, { workers: 2, existing })
    const results = expectBalanced(summary, events)
    await expectOriginalsIntact(folders, originals)
    expect(await listFiles(source)).toEqual(before)
    expect(await readdir(join(source, 'c', 'deeper'))).toEqual([])
    for (const name of ['same/x.jpg', 'a/y.jpg', 'd/new/w.jpg']) {
      const result = resultFor(results, name)
      expect(result).toMatchObject({ action: 'failed', reason: 'not-writable' })
      expect(result.message).toMatch(/leads into the source/)
    }
    expect(resultFor(results, 'fine.jpg').action).toBe('scaled')
    expect(resultFor(results, 'b/y.jpg').action).toBe('scaled')
    expect((await lstat(join(target, 'same'))).isSymbolicLink()).toBe(true)
  })
})

describe('long file names', () => {
  let folders: TempFolders
  afterAll(() => folders.cleanup())

  it('are written even when the name is near the 255-byte limit (temp names must fit too)', async () => {
    folders = await tempFolders()
    const names = [`${'a'.repeat(247)}.jpg`, `${'写真'.repeat(41)}.jpg`, `${'b'.repeat(250)}.jpg`]
    for (const name of names) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255)
    await writeImage(folders.source, names[0]!, { width: 800, height: 600 })
    await writeImage(folders.source, names[1]!, { width: 800, height: 600 })
    await writeImage(folders.source, names[2]!, { width: 100, height: 100 })
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2 })
    const results = expectBalanced(summary, events)
    expect(resultFor(results, names[0]!).action).toBe('scaled')
    expect(resultFor(results, names[1]!).action).toBe('scaled')
    expect(resultFor(results, names[2]!).action).toBe('copied')
    expect(await listFiles(folders.target)).toEqual([...names].sort())
  })
})
