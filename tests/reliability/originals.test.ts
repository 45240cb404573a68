import { renameSync, symlinkSync } from 'node:fs'
import { copyFile, mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchEvent } from '../../src/shared/batch'
import { decode, expectAddsUp, isFolder, isTempName, jsonEvents, lastSummary, listFiles, listOutputs, runCli, unitsByFile, writeCopies } from '../cli/harness'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectUntouched, fingerprint, finishedResults, reasonOf } from './support'

/**
 * The promise above all others: no original is ever replaced. Each attack here once replaced
 * originals (issue 6): a path with a trailing space read as another folder, a target inside
 * the source with --overwrite, and a target sub-folder swapped for a link into the source.
 */

describe('a path is never trimmed', () => {
  let folders: TempFolders
  let photos: string
  beforeAll(async () => {
    folders = await tempFolders()
    photos = join(folders.root, 'photos')
    await writeImage(photos, 'IMG_1.jpg', { width: 1600, height: 1200 })
    await writeImage(photos, 'IMG_2.jpg', { width: 1600, height: 1200, seed: 2 })
  })
  afterAll(() => folders?.cleanup())

  it('a source "photos " (trailing space) is missing when only "photos" exists: exit 2, nothing written', async () => {
    const target = join(folders.root, 'out-a')
    const run = await runCli([`${photos} `, target])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('does not exist')
    expect(run.stdout).toBe('')
    expect(await isFolder(target), 'the target is not even created').toBe(false)
    // Through the engine, as the app's IPC would send it.
    await expect(runRecorded(`${photos} `, join(folders.root, 'out-b'))).rejects.toMatchObject({ code: 'source-missing' })
    expect(await isFolder(join(folders.root, 'out-b'))).toBe(false)
  })

  it('a target "out " is created exactly as "out ", and "out" is not', async () => {
    const run = await runCli([photos, join(folders.root, 'out ')])
    expect(run.code, run.stderr).toBe(0)
    expect(await isFolder(join(folders.root, 'out '))).toBe(true)
    expect(await isFolder(join(folders.root, 'out'))).toBe(false)
    expect(await listOutputs(join(folders.root, 'out '))).toEqual(['IMG_1.jpg', 'IMG_2.jpg'])
  })

  it('`in "keep " --overwrite` leaves the existing folder "keep" untouched', async () => {
    const keep = join(folders.root, 'keep')
    await mkdir(keep)
    // What is in "keep" has the output names: trimming "keep " would overwrite exactly these.
    await copyFile(join(photos, 'IMG_1.jpg'), join(keep, 'IMG_1.jpg'))
    await copyFile(join(photos, 'IMG_2.jpg'), join(keep, 'IMG_2.jpg'))
    const before = await fingerprint(keep)

    const run = await runCli([photos, `${keep} `, '--overwrite'])
    expect(run.code, run.stderr).toBe(0)
    expect(await fingerprint(keep)).toEqual(before)
    expect(await listOutputs(`${keep} `)).toEqual(['IMG_1.jpg', 'IMG_2.jpg'])
    for (const file of ['IMG_1.jpg', 'IMG_2.jpg']) expect(await decode(join(`${keep} `, file))).toMatchObject({ width: 400, height: 300 })
  })
})

describe('a target inside the source', () => {
  let folders: TempFolders
  let pictures: string[]
  beforeAll(async () => {
    folders = await tempFolders()
    pictures = await Promise.all([1, 2].map((seed) => writeImage(folders.root, `picture-${seed}.jpg`, { width: 2400, height: 1600, seed })))
  })
  afterAll(() => folders?.cleanup())

  /** src/IMG_1.jpg would be scaled to src/2024/IMG_1.jpg, which is an original of its own. */
  async function sourceWithYear(name: string): Promise<{ src: string; year: string }> {
    const src = join(folders.root, name)
    const year = join(src, '2024')
    await mkdir(year, { recursive: true })
    await copyFile(pictures[0]!, join(src, 'IMG_1.jpg'))
    await copyFile(pictures[0]!, join(src, 'IMG_3.jpg'))
    // Not the same picture as src/IMG_1.jpg: replacing it by a copy would show too.
    await copyFile(pictures[1]!, join(year, 'IMG_1.jpg'))
    await copyFile(pictures[1]!, join(year, 'IMG_2.jpg'))
    return { src, year }
  }

  it('`src src/2024 --overwrite` is refused (overwrite-in-source) and every original is byte-identical', async () => {
    const { src, year } = await sourceWithYear('refused')
    const before = await fingerprint(src)
    const run = await runCli([src, year, '--overwrite'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/inside the source/)
    expect(run.stdout).toBe('')
    await expect(runRecorded(src, year, { existing: 'overwrite' })).rejects.toMatchObject({ code: 'overwrite-in-source' })
    expect(await fingerprint(src)).toEqual(before)
  })

  it.each(['skip', 'rename'] as const)('without --overwrite (--existing %s): the originals in src/2024 are never replaced', async (existing) => {
    const { src, year } = await sourceWithYear(`kept-${existing}`)
    const before = await fingerprint(src)
    const run = await runCli(['--json', '--existing', existing, '-s', '800', src, year])
    expect(run.code, run.stderr).toBe(0)
    const events = jsonEvents(run.stdout)
    expectAddsUp(lastSummary(events))
    expectUntouched(before, await fingerprint(src))
    const units = unitsByFile(events)
    // The target is never read as a source; IMG_3 has a free name; IMG_1's name is an original's.
    expect([...units.keys()].sort()).toEqual(['IMG_1.jpg', 'IMG_3.jpg'])
    expect(units.get('IMG_3.jpg')).toMatchObject({ outcome: 'scaled', path: 'IMG_3.jpg' })
    if (existing === 'skip') expect(units.get('IMG_1.jpg')).toMatchObject({ outcome: 'skipped', reason: 'target-exists' })
    else expect(units.get('IMG_1.jpg')).toMatchObject({ outcome: 'scaled', path: 'IMG_1 (1).jpg' })
    expect(await decode(join(year, 'IMG_1.jpg')), 'the original is still full size').toMatchObject({ width: 2400, height: 1600 })

    // A second run with other settings re-makes only its own outputs, never the originals.
    const again = await runCli(['--json', '--existing', existing, '-s', '600', src, year])
    expect(again.code, again.stderr).toBe(0)
    expectUntouched(before, await fingerprint(src))
    expect(await decode(join(year, 'IMG_3.jpg'))).toMatchObject({ width: 600, height: 400 })
  })
})

describe('a target sub-folder swapped for a link into the source during the run', () => {
  let folders: TempFolders
  const COUNT = 10
  beforeAll(async () => {
    folders = await tempFolders()
    await writeCopies(folders.root, folders.source, COUNT, { width: 2000, height: 1500 }, (i) => `roll/img-${String(i).padStart(2, '0')}.jpg`)
  })
  afterAll(() => folders?.cleanup())

  it.each([0, 3])('--overwrite, swapped when file %i starts: no original changes, later outputs fail target-changed', async (swapAt) => {
    const target = join(folders.root, `target-${swapAt}`)
    const roll = join(folders.source, 'roll')
    const before = await fingerprint(folders.source)
    let started = 0
    let swapped = false
    const { summary, events } = await runRecorded(
      folders.source,
      target,
      { existing: 'overwrite', workers: 1 },
      {
        onEvent: (event: BatchEvent) => {
          if (event.type !== 'started' || started++ !== swapAt) return
          // The folder prepared for roll/ is moved aside and replaced by a link to the originals.
          renameSync(join(target, 'roll'), join(target, 'roll-moved'))
          symlinkSync(roll, join(target, 'roll'))
          swapped = true
        }
      }
    )
    expect(swapped).toBe(true)
    expectAddsUp(summary)
    expect(await fingerprint(folders.source), 'every original is byte-identical').toEqual(before)
    expect((await readdir(roll)).filter(isTempName), 'no temp file was made among the originals').toEqual([])

    const results = finishedResults(events)
    expect(results).toHaveLength(COUNT)
    const scaled = results.filter((result) => result.outcome === 'done' && result.outputs[0]?.outcome === 'scaled')
    const changed = results.filter((result) => reasonOf(result) === 'target-changed')
    expect(scaled.length + changed.length, 'every file is scaled (before the swap) or refused').toBe(COUNT)
    expect(changed.length, 'every file started after the swap is refused').toBeGreaterThanOrEqual(COUNT - swapAt - 1)
    expect(summary.failedBy['target-changed']).toBe(changed.length)
    // What was made before the swap is in the folder that was prepared for it, now moved aside.
    const moved = await listFiles(join(target, 'roll-moved'))
    for (const result of scaled) expect(moved).toContain(result.file.replace('roll/', ''))
    expect(moved.filter(isTempName)).toEqual([])
  })
})
