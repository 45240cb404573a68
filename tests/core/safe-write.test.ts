import { link, lstat, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ScaleError } from '../../src/core/errors'
import { tempOwner, tempPathFor } from '../../src/core/safe-write'
import { isIgnoredName } from '../../src/core/scan'
import type { FileResult } from '../../src/shared/batch'
import type { ExistingPolicy } from '../../src/shared/recipe'
import { dimensionsOf, tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { JOURNAL, expectBalanced, isTempName, listFiles, listOutputs, makeUnwritable, unitFor } from './fixtures'

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
    // The journal is ours too, but it is meant to stay: it is never taken for a temp file.
    expect(tempOwner(JOURNAL)).toBeNull()
    expect(isIgnoredName(JOURNAL)).toBe(true)
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

describe.each<ExistingPolicy>(['overwrite', 'skip', 'rename'])('links planted at output paths (existing: %s)', (existing) => {
  let folders: TempFolders
  let originals: Map<string, Buffer>
  let results: FileResult[]

  beforeAll(async () => {
    folders = await tempFolders()
    originals = await plantLinks(folders)
    const { summary, events } = await runRecorded(folders.source, folders.target, { size: 400, workers: 2, existing })
    results = expectBalanced(summary, events)
    expect(summary.counts.failed).toBe(0)
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
        expect(unitFor(results, name)).toMatchObject({ outcome: big ? 'scaled' : 'copied', path: name, replaced: 'existing' })
        const dims = await dimensionsOf(out)
        expect({ width: dims.width, height: dims.height }).toEqual(big ? { width: 400, height: 300 } : { width: 200, height: 150 })
      }
    })

    it('leaves the hard-linked originals with a single name again', async () => {
      expect((await stat(join(folders.source, 'big-hardlink.jpg'))).nlink).toBe(1)
      expect((await stat(join(folders.source, 'small-hardlink.jpg'))).nlink).toBe(1)
    })
  } else if (existing === 'skip') {
    it('skips every output path already taken, as target-exists, and leaves the links alone', async () => {
      for (const name of [...LINKED, 'decoy.jpg']) {
        expect(unitFor(results, name)).toMatchObject({ outcome: 'skipped', reason: 'target-exists' })
      }
      expect((await lstat(join(folders.target, 'big-symlink.jpg'))).isSymbolicLink()).toBe(true)
      expect((await stat(join(folders.source, 'big-hardlink.jpg'))).nlink).toBe(2)
      // Only the source whose output path was free was written.
      expect(unitFor(results, 'victim.jpg')).toMatchObject({ outcome: 'copied', path: 'victim.jpg' })
      expect(await listOutputs(folders.target)).toEqual([...LINKED, 'decoy.jpg', 'victim.jpg'].sort())
    })
  } else {
    it('writes each output beside the link under a numbered name, and leaves the links alone', async () => {
      for (const name of [...LINKED, 'decoy.jpg']) {
        const renamed = name.replace(/\.jpg$/, ' (1).jpg')
        const big = name.startsWith('big') || name === 'decoy.jpg'
        expect(unitFor(results, name)).toMatchObject({ outcome: big ? 'scaled' : 'copied', path: renamed, renamed: { from: name, because: 'existing' } })
        const info = await lstat(join(folders.target, renamed))
        expect(info.isFile()).toBe(true)
        expect(info.nlink).toBe(1)
        const dims = await dimensionsOf(join(folders.target, renamed))
        expect({ width: dims.width, height: dims.height }).toEqual(big ? { width: 400, height: 300 } : { width: 200, height: 150 })
      }
      expect((await lstat(join(folders.target, 'big-symlink.jpg'))).isSymbolicLink()).toBe(true)
      expect((await stat(join(folders.source, 'big-hardlink.jpg'))).nlink).toBe(2)
    })
  }
})

describe('existing outputs', () => {
  let folders: TempFolders
  afterEach(() => folders.cleanup())

  it.each<[string, ExistingPolicy | undefined, 'kept' | 'replaced' | 'beside']>([
    ['the default policy keeps them', undefined, 'kept'],
    ['existing: skip keeps them', 'skip', 'kept'],
    ['existing: overwrite replaces them', 'overwrite', 'replaced'],
    ['existing: rename keeps them and writes beside them', 'rename', 'beside']
  ])('%s', async (_label, existing, fate) => {
    folders = await tempFolders()
    await writeImage(folders.source, 'a.jpg', { width: 800, height: 600 })
    await writeImage(folders.source, 'b.jpg', { width: 200, height: 100 })
    await writeImage(folders.source, 'new.jpg', { width: 800, height: 600 })
    await mkdir(folders.target)
    const earlier = { 'a.jpg': Buffer.from('an earlier output of a'), 'b.jpg': Buffer.from('an earlier output of b') }
    for (const [name, bytes] of Object.entries(earlier)) await writeFile(join(folders.target, name), bytes)
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2, ...(existing ? { existing } : {}) })
    const results = expectBalanced(summary, events)
    expect(unitFor(results, 'new.jpg')).toMatchObject({ outcome: 'scaled', path: 'new.jpg' })
    expect(unitFor(results, 'new.jpg').replaced).toBeUndefined()
    for (const [name, bytes] of Object.entries(earlier)) {
      const now = await readFile(join(folders.target, name))
      const unit = unitFor(results, name)
      if (fate === 'replaced') {
        expect(now.equals(bytes)).toBe(false)
        expect((await dimensionsOf(join(folders.target, name))).format).toBe('jpeg')
        expect(unit).toMatchObject({ path: name, replaced: 'existing' })
      } else if (fate === 'beside') {
        expect(now.equals(bytes)).toBe(true)
        const beside = name.replace('.jpg', ' (1).jpg')
        expect(unit).toMatchObject({ path: beside, renamed: { from: name, because: 'existing' } })
        expect((await dimensionsOf(join(folders.target, beside))).format).toBe('jpeg')
      } else {
        expect(now.equals(bytes)).toBe(true)
        expect(unit).toMatchObject({ outcome: 'skipped', reason: 'target-exists' })
      }
    }
    expect(summary.skippedBy).toEqual(fate === 'kept' ? { 'target-exists': 2 } : {})
    expect(summary.remade).toBe(0)
  })
})

describe('outputs of an earlier run', () => {
  let folders: TempFolders
  afterAll(() => folders.cleanup())

  it('are kept as already done with the same settings, re-made with others, and never re-made once changed by hand', async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'a.jpg', { width: 800, height: 600, seed: 1 })
    await writeImage(folders.source, 'b.jpg', { width: 800, height: 600, seed: 2 })
    const first = await runRecorded(folders.source, folders.target, { workers: 2, size: 400 })
    expect(first.summary.counts.scaled).toBe(2)
    expect(await listFiles(folders.target)).toEqual([JOURNAL, 'a.jpg', 'b.jpg'])
    const madeAt = (await stat(join(folders.target, 'a.jpg'), { bigint: true })).mtimeNs

    // The same settings again: nothing is read or written, and the run says why.
    const again = await runRecorded(folders.source, folders.target, { workers: 2, size: 400 })
    const results = expectBalanced(again.summary, again.events)
    for (const name of ['a.jpg', 'b.jpg']) expect(unitFor(results, name)).toMatchObject({ outcome: 'skipped', reason: 'already-done', bytesIn: 0 })
    expect(again.summary).toMatchObject({ bytesIn: 0, bytesOut: 0, skippedBy: { 'already-done': 2 } })
    expect((await stat(join(folders.target, 'a.jpg'), { bigint: true })).mtimeNs).toBe(madeAt)

    // Someone edits one output by hand; then the size changes.
    await writeFile(join(folders.target, 'b.jpg'), 'retouched by hand')
    const other = await runRecorded(folders.source, folders.target, { workers: 2, size: 300 })
    const remade = expectBalanced(other.summary, other.events)
    expect(unitFor(remade, 'a.jpg')).toMatchObject({ outcome: 'scaled', replaced: 'stale', size: { width: 300, height: 225 } })
    expect(await dimensionsOf(join(folders.target, 'a.jpg'))).toEqual({ width: 300, height: 225, format: 'jpeg' })
    expect(unitFor(remade, 'b.jpg')).toMatchObject({ outcome: 'skipped', reason: 'target-exists' })
    expect(await readFile(join(folders.target, 'b.jpg'), 'utf8')).toBe('retouched by hand')
    expect(other.summary).toMatchObject({ remade: 1, counts: { scaled: 1, skipped: 1 } })
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
    expect(summary.counts).toMatchObject({ scaled: 1, copied: 1 })
    expect(await listFiles(folders.target)).toEqual([JOURNAL, live, mine, 'sub/y.jpg', 'x.jpg'].sort())
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
    expect(unitFor(results, 'top.jpg').outcome).toBe('scaled')
    for (const name of ['locked/big.jpg', 'locked/small.jpg', 'blocked/c.jpg']) {
      const unit = unitFor(results, name)
      expect(unit, JSON.stringify(unit)).toMatchObject({ outcome: 'failed', reason: 'not-writable' })
      expect(unit.message).toBeTruthy()
    }
    expect(summary).toMatchObject({ counts: { failed: 3, scaled: 1 }, failedBy: { 'not-writable': 3 } })
    expect(await listFiles(folders.target)).toEqual(['blocked', JOURNAL, 'top.jpg'].sort())
  })

  it('is refused before any file is touched when the target folder itself is read-only', async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'a.jpg', { width: 800, height: 600 })
    await mkdir(folders.target)
    undo.push(await makeUnwritable(folders.target))
    const events: string[] = []
    await expect(runRecorded(folders.source, folders.target, {}, { onEvent: (e) => events.push(e.type) })).rejects.toSatisfy(
      (error: unknown) => error instanceof ScaleError && error.code === 'target-not-writable'
    )
    expect(events).toEqual([])
    expect(await listFiles(folders.target)).toEqual([])
  })
})

describe.each<ExistingPolicy>(['overwrite', 'skip', 'rename'])('a target folder that is a link into the source (existing: %s)', (existing) => {
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
    for (const name of ['same/x.jpg', 'a/y.jpg', 'd/new/w.jpg']) {
      const unit = unitFor(results, name)
      // Seen through the link, an original sits at the output path: a policy that keeps what
      // is there keeps it; otherwise the folder itself is refused.
      const seenThrough = name !== 'd/new/w.jpg' && existing === 'skip'
      if (seenThrough) expect(unit, JSON.stringify(unit)).toMatchObject({ outcome: 'skipped', reason: 'target-exists' })
      else {
        expect(unit, JSON.stringify(unit)).toMatchObject({ outcome: 'failed', reason: 'target-changed' })
        expect(unit.message).toMatch(/leads out of the target folder/)
      }
    }
    expect(unitFor(results, 'fine.jpg').outcome).toBe('scaled')
    expect(unitFor(results, 'b/y.jpg').outcome).toBe('scaled')
    expect(summary.failedBy).toEqual({ 'target-changed': existing === 'skip' ? 1 : 3 })
    expect((await lstat(join(target, 'same'))).isSymbolicLink()).toBe(true)
    // Not even an empty folder may be made inside the source through the link.
    expect(await readdir(join(source, 'c', 'deeper')), 'a folder was created inside the source').toEqual([])
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
    expect(unitFor(results, names[0]!)).toMatchObject({ outcome: 'scaled', path: names[0] })
    expect(unitFor(results, names[1]!)).toMatchObject({ outcome: 'scaled', path: names[1] })
    expect(unitFor(results, names[2]!)).toMatchObject({ outcome: 'copied', path: names[2] })
    expect(await listOutputs(folders.target)).toEqual([...names].sort())
    expect((await listFiles(folders.target)).filter(isTempName)).toEqual([])
  })
})
