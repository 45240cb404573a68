import { mkdir, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ScaleError } from '../../src/core/errors'
import { folderIdentity, isIgnoredName, scan } from '../../src/core/scan'
import { dimensionsOf, tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectBalanced, listFiles } from './fixtures'

const collect = async (root: string, options: Parameters<typeof scan>[1]): Promise<string[]> => {
  const found: string[] = []
  for await (const entry of scan(root, options)) found.push(entry.relative)
  return found.sort()
}

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
    expect(await listFiles(folders.target)).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
    expect(await dimensionsOf(join(folders.target, 'trip/day2/beach.png'))).toEqual({ width: 400, height: 400, format: 'png' })
  })

  it('lists files as a file manager does: numbers in number order, case ignored, files before sub-folders', async () => {
    for (const name of ['IMG_10.jpg', 'img_3.jpg', 'IMG_2.jpg', 'b/IMG_1.jpg', 'a/z.jpg', 'IMG_100.jpg']) {
      await mkdir(join(folders.source, name, '..'), { recursive: true })
      await writeFile(join(folders.source, name), 'x')
    }
    const order: string[] = []
    for await (const entry of scan(folders.source, { recursive: true })) order.push(entry.relative)
    expect(order).toEqual(['IMG_2.jpg', 'img_3.jpg', 'IMG_10.jpg', 'IMG_100.jpg', 'a/z.jpg', 'b/IMG_1.jpg'])
  })

  it('with recursive: false takes only the top level, like the book', async () => {
    await writeTree(folders.source)
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2, recursive: false })
    expect(expectBalanced(summary, events).map((r) => r.file)).toEqual(['top.jpg'])
    expect(await listFiles(folders.target)).toEqual(['top.jpg'])
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
    expect(summary).toMatchObject({ todo: 1, copied: 1, skipped: 0 })
    expect(await listFiles(folders.target)).toEqual(['photo.jpg'])
  })

  it('names the clutter it ignores', () => {
    for (const name of ['.DS_Store', 'Thumbs.db', 'thumbs.db', 'desktop.ini', 'ehthumbs.db', '.anything']) expect(isIgnoredName(name)).toBe(true)
    for (const name of ['IMG_0001.JPG', 'thumbs.db.jpg', 'Desktop.jpg']) expect(isIgnoredName(name)).toBe(false)
  })

  it('ends on a symlink loop and takes each real file once', async () => {
    await writeTree(folders.source)
    await symlink('..', join(folders.source, 'trip/up'))
    await symlink('.', join(folders.source, 'trip/day2/self'))
    await symlink(folders.source, join(folders.source, 'trip/day2/root'))
    expect(await collect(folders.source, { recursive: true })).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: 2 })
    expect(expectBalanced(summary, events)).toHaveLength(3)
    expect(summary.todo).toBe(3)
  })

  it('follows a linked folder outside the source once, and takes linked files', async () => {
    await writeImage(folders.source, 'a.jpg', { width: 100, height: 100 })
    const elsewhere = join(folders.root, 'elsewhere')
    await writeImage(elsewhere, 'b.jpg', { width: 100, height: 100 })
    await symlink(elsewhere, join(folders.source, 'linked'))
    await symlink(elsewhere, join(folders.source, 'linked-again'))
    await symlink(join(elsewhere, 'b.jpg'), join(folders.source, 'c.jpg'))
    const found = await collect(folders.source, { recursive: true })
    expect(found.filter((f) => f.endsWith('b.jpg'))).toHaveLength(1)
    expect(found).toContain('a.jpg')
    expect(found).toContain('c.jpg')
  })

  it('skips the folders it is told to exclude', async () => {
    await writeTree(folders.source)
    const exclude = new Set([folderIdentity(await stat(join(folders.source, 'trip/day2')))])
    expect(await collect(folders.source, { recursive: true, excludeFolders: exclude })).toEqual(['top.jpg', 'trip/day1.jpg'])
  })
})

describe('where the target may be', () => {
  it('excludes a target inside the source from the scan, run after run', async () => {
    await writeTree(folders.source)
    const target = join(folders.source, 'scaled')
    for (const existing of ['overwrite', 'overwrite', 'skip'] as const) {
      const { summary, events } = await runRecorded(folders.source, target, { workers: 2, existing })
      const files = expectBalanced(summary, events).map((r) => r.file)
      expect(files.sort()).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
    }
    expect(await listFiles(target)).toEqual(['top.jpg', 'trip/day1.jpg', 'trip/day2/beach.png'])
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
    expect(summary.copied).toBe(1)
    expect(await listFiles(deep)).toEqual(['a.jpg'])
  })
})
