import { execFileSync } from 'node:child_process'
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ScaleError } from '../../src/core/errors'
import { isIgnoredName, scan, type ScanEntry, type ScanOptions } from '../../src/core/scan'
import { dimensionsOf, tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { resultsOf, runRecorded } from '../helpers/run'
import { expectBalanced, listFiles, listOutputs, resultFor, unitFor } from './fixtures'

/** What a scan yields, in order, for a source with no target inside it. */
async function entries(root: string, options: Partial<ScanOptions> = {}): Promise<ScanEntry[]> {
  const real = await realpath(root)
  const found: ScanEntry[] = []
  for await (const entry of scan(root, { recursive: true, realSource: real, realTarget: `${real}-target-elsewhere`, ...options })) found.push(entry)
  return found
}

/** The files a scan hands on to be read, sorted. */
const collect = async (root: string, options: Partial<ScanOptions> = {}): Promise<string[]> =>
  (await entries(root, options)).flatMap((entry) => (entry.kind === 'file' ? [entry.relative] : [])).sort()

const refusedWith = (code: string) => (error: unknown) => error instanceof ScaleError && error.code === code

let folders: TempFolders
beforeEach(async () => {
  folders = await tempFolders()
})
afterEach(() => folders.cleanup())

/** A small tree: two levels of sub-folders and one image per level. */
async function writeTree(source: string): Promise<void> {
  await writeImage(source, 'top.jpg', { width: 600, height: 400, seed: 1 })
  await writeImage(source, 'trip/day1.jpg', { width: 120, height: 90, seed: 2 })
  await writeImage(source, 'trip/day2/beach.png', { width: 500, height: 500, format: 'png', seed: 3 })
}

describe('scanning the source', () => {
  it('walks sub-folders by default and mirrors them in the target', async () => {
    await writeTree(folders.source)
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2 })
    const results = expectBalanced(summary, events)
    expect(results.map((r) => r.file).sort()).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
    expect(await listOutputs(folders.target)).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
    expect(summary.foldersNotEntered).toBe(0)
    expect(await dimensionsOf(join(folders.target, 'trip/day2/beach.png'))).toEqual({ width: 400, height: 400, format: 'png' })
  })

  it('lists files as a file manager does: numbers in number order, case ignored, files before sub-folders', async () => {
    for (const name of ['IMG_10.jpg', 'img_3.jpg', 'IMG_2.jpg', 'b/IMG_1.jpg', 'a/z.jpg', 'IMG_100.jpg']) {
      await mkdir(join(folders.source, name, '..'), { recursive: true })
      await writeFile(join(folders.source, name), 'x')
    }
    const order = (await entries(folders.source)).map((entry) => entry.relative)
    expect(order).toEqual(['IMG_2.jpg', 'img_3.jpg', 'IMG_10.jpg', 'IMG_100.jpg', 'a/z.jpg', 'b/IMG_1.jpg'])
  })

  it('with recursive: false takes only the top level, like the book', async () => {
    await writeTree(folders.source)
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2, recursive: false })
    expect(expectBalanced(summary, events).map((r) => r.file)).toEqual(['top.jpg'])
    expect(await listOutputs(folders.target)).toEqual(['top.jpg'])
    // The folder it did not enter is counted, so an empty-looking result can say why.
    expect(summary.foldersNotEntered).toBe(1)
  })

  it('ignores system clutter and hidden files and folders', async () => {
    await writeImage(folders.source, 'photo.jpg', { width: 100, height: 100 })
    for (const name of ['.DS_Store', 'Thumbs.db', 'desktop.ini', 'THUMBS.DB', 'sub/Desktop.ini', 'sub/.DS_Store']) {
      await mkdir(join(folders.source, 'sub'), { recursive: true })
      await writeFile(join(folders.source, name), 'clutter')
    }
    // Real images, but hidden: people did not ask for these.
    await writeImage(folders.source, '.hidden.jpg', { width: 100, height: 100 })
    await writeImage(folders.source, '.cache/thumb.jpg', { width: 100, height: 100 })
    await writeImage(folders.source, 'sub/.secret.png', { width: 100, height: 100, format: 'png' })
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2 })
    expect(expectBalanced(summary, events).map((r) => r.file)).toEqual(['photo.jpg'])
    expect(summary).toMatchObject({ files: 1, todo: 1, counts: { copied: 1, skipped: 0 } })
    expect(await listOutputs(folders.target)).toEqual(['photo.jpg'])
  })

  it('names the clutter it ignores', () => {
    for (const name of ['.DS_Store', 'Thumbs.db', 'thumbs.db', 'desktop.ini', 'ehthumbs.db', '.anything']) expect(isIgnoredName(name)).toBe(true)
    for (const name of ['IMG_0001.JPG', 'thumbs.db.jpg', 'Desktop.jpg']) expect(isIgnoredName(name)).toBe(false)
  })

  it('ends on a symlink loop and takes each real file once, reporting the folder links it did not follow', async () => {
    await writeTree(folders.source)
    await symlink('..', join(folders.source, 'trip/up'))
    await symlink('.', join(folders.source, 'trip/day2/self'))
    await symlink(folders.source, join(folders.source, 'trip/day2/root'))
    expect(await collect(folders.source)).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2 })
    expect(expectBalanced(summary, events)).toHaveLength(6)
    expect(summary.counts.copied + summary.counts.scaled).toBe(3)
    expect(summary.skippedBy).toEqual({ 'folder-link': 3 })
    expect(resultFor(resultsOf(events), 'trip/day2/root')).toMatchObject({ outcome: 'skipped', reason: 'folder-link', message: expect.stringMatching(/the source folder itself/) })
  })

  it('reads file links that stay inside the source, and reports folder links and links that leave it, unread', async () => {
    await writeImage(folders.source, 'a.jpg', { width: 100, height: 100 })
    await writeImage(folders.source, 'inner/d.jpg', { width: 100, height: 100 })
    await symlink(join(folders.source, 'inner'), join(folders.source, 'inner-again'))
    await symlink(join(folders.source, 'a.jpg'), join(folders.source, 'e.jpg'))
    const elsewhere = join(folders.root, 'elsewhere')
    await writeImage(elsewhere, 'b.jpg', { width: 100, height: 100 })
    await symlink(elsewhere, join(folders.source, 'linked'))
    await symlink(join(elsewhere, 'b.jpg'), join(folders.source, 'c.jpg'))
    expect(await collect(folders.source)).toEqual(['a.jpg', 'e.jpg', 'inner/d.jpg'])

    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2 })
    const results = expectBalanced(summary, events)
    for (const name of ['linked', 'c.jpg']) {
      expect(resultFor(results, name)).toMatchObject({ outcome: 'skipped', reason: 'outside-source', message: expect.stringMatching(/outside the source/), bytesIn: 0 })
    }
    expect(unitFor(results, 'e.jpg').outcome).toBe('copied')
    // inner/ is made once, under its own name: its link is reported, not walked a second time.
    expect(resultFor(results, 'inner-again')).toMatchObject({ outcome: 'skipped', reason: 'folder-link', message: expect.stringMatching(/the folder inner\b/) })
    expect(summary).toMatchObject({ files: 6, counts: { copied: 3, skipped: 3 }, skippedBy: { 'outside-source': 2, 'folder-link': 1 } })
    expect(await listOutputs(folders.target)).toEqual(['a.jpg', 'e.jpg', 'inner/d.jpg'])
  })

  it('never walks into the target, even through a link', async () => {
    await writeTree(folders.source)
    await symlink(join(folders.source, 'trip/day2'), join(folders.source, 'day2-again'))
    const options = { realTarget: await realpath(join(folders.source, 'trip/day2')) }
    expect(await collect(folders.source, options)).toEqual(['top.jpg', 'trip/day1.jpg'])
  })

  it('reports what is not a regular file instead of opening it', async () => {
    await writeImage(folders.source, 'a.jpg', { width: 100, height: 100 })
    await symlink(join(folders.source, 'gone.jpg'), join(folders.source, 'broken.jpg'))
    await symlink('/dev/null', join(folders.source, 'null.jpg'))
    // A named pipe would block a reader for ever: it must never be opened.
    execFileSync('mkfifo', [join(folders.source, 'pipe.jpg')])
    await symlink(join(folders.source, 'pipe.jpg'), join(folders.source, 'pipe-link.jpg'))
    const found = await entries(folders.source)
    expect(found.map((entry) => [entry.relative, entry.kind === 'skip' ? entry.reason : 'file'])).toEqual([
      ['a.jpg', 'file'],
      ['broken.jpg', 'unreadable'],
      ['null.jpg', 'outside-source'],
      ['pipe-link.jpg', 'special-file'],
      ['pipe.jpg', 'special-file']
    ])
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 1 })
    expectBalanced(summary, events)
    expect(summary).toMatchObject({ counts: { copied: 1, skipped: 4 }, skippedBy: { unreadable: 1, 'outside-source': 1, 'special-file': 2 } })
    expect(await listOutputs(folders.target)).toEqual(['a.jpg'])
  })
})

describe('where the target may be', () => {
  it('excludes a target inside the source from the scan, run after run', async () => {
    await writeTree(folders.source)
    const target = join(folders.source, 'scaled')
    const outcomes: string[][] = []
    for (const existing of ['skip', 'skip', 'rename'] as const) {
      const { summary, events } = await runRecorded(folders.source, target, { workers: 2, existing })
      const results = expectBalanced(summary, events)
      expect(results.map((r) => r.file).sort()).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
      outcomes.push(results.map((r) => `${r.file} ${unitFor(results, r.file).outcome}`).sort())
    }
    expect(outcomes[0]).toEqual(['top.jpg scaled', 'trip/day1.jpg copied', 'trip/day2/beach.png scaled'])
    // Later runs find their own outputs done, and never take them for new sources.
    expect(outcomes[1]).toEqual(['top.jpg skipped', 'trip/day1.jpg skipped', 'trip/day2/beach.png skipped'])
    expect(outcomes[2]).toEqual(outcomes[1])
    expect(await listOutputs(target)).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
  })

  it('refuses to overwrite into a target inside the source, where any file may be an original', async () => {
    await writeTree(folders.source)
    const target = join(folders.source, 'scaled')
    await expect(runRecorded(folders.source, target, { existing: 'overwrite' })).rejects.toSatisfy(refusedWith('overwrite-in-source'))
    expect(await listFiles(folders.source)).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
  })

  it('refuses a target that is the source', async () => {
    await writeTree(folders.source)
    await expect(runRecorded(folders.source, folders.source)).rejects.toSatisfy(refusedWith('same-folder'))
    await expect(runRecorded(folders.source, join(folders.source, 'trip', '..'))).rejects.toSatisfy(refusedWith('same-folder'))
    expect(await listFiles(folders.source)).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
  })

  it('refuses a target that is the source under another name (a symlink)', async () => {
    await writeTree(folders.source)
    const alias = join(folders.root, 'alias')
    await symlink(folders.source, alias)
    await expect(runRecorded(folders.source, alias)).rejects.toSatisfy(refusedWith('same-folder'))
    await expect(runRecorded(alias, folders.source)).rejects.toSatisfy(refusedWith('same-folder'))
  })

  it('refuses a source inside the target', async () => {
    await writeTree(folders.source)
    await expect(runRecorded(folders.source, folders.root)).rejects.toSatisfy(refusedWith('source-inside-target'))
    expect(await listFiles(folders.root)).toEqual(['source/top.jpg', 'source/trip/day1.jpg', 'source/trip/day2/beach.png'])
  })

  it('refuses a missing source and a target that is a file', async () => {
    await expect(runRecorded(join(folders.root, 'nowhere'), folders.target)).rejects.toSatisfy(refusedWith('source-missing'))
    await writeFile(folders.target, 'a file')
    await expect(runRecorded(folders.source, folders.target)).rejects.toSatisfy(refusedWith('target-not-folder'))
  })

  it('creates a missing target, parents included', async () => {
    await writeImage(folders.source, 'a.jpg', { width: 100, height: 100 })
    const deep = join(folders.target, 'new', 'deeper')
    const { summary } = await runRecorded(folders.source, deep, { workers: 1 })
    expect(summary.counts.copied).toBe(1)
    expect(await listOutputs(deep)).toEqual(['a.jpg'])
  })
})
