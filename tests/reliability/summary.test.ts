import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchEvent, Progress } from '../../src/shared/batch'
import { expectAddsUp, jsonEvents, lastSummary, listOutputs, runCli, unitsByFile, writeCopies } from '../cli/harness'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'

/**
 * The summary tells the truth: a damaged picture is not a clean success, "in flight" is what
 * the workers hold, and a batch that found nothing says so.
 */

/** Overwrites `length` bytes at each fraction of the file with 0xFF: the decoder meets a marker mid-picture and loses the rest. */
function destroy(bytes: Buffer, at: readonly number[], length = 256): Buffer {
  const damaged = Buffer.from(bytes)
  for (const fraction of at) damaged.fill(0xff, Math.floor(fraction * damaged.length), Math.floor(fraction * damaged.length) + length)
  return damaged
}

describe('damaged JPEGs', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    const photo = await readFile(await writeImage(folders.root, 'photo.jpg', { width: 2000, height: 1500 }))
    await writeFile(join(folders.source, 'whole.jpg'), photo)
    // The last fifth destroyed in a few places: most of the picture is still there.
    await writeFile(join(folders.source, 'scratched.jpg'), destroy(photo, [0.8, 0.88, 0.95]))
    // Destroyed from the first tenth on: almost nothing of the picture is left.
    await writeFile(join(folders.source, 'ruined.jpg'), destroy(photo, [0.08, 0.3, 0.6]))
  })
  afterAll(() => folders?.cleanup())

  it('--json: a few destroyed places scale with a warning, counted; mostly destroyed is skipped corrupt', async () => {
    const run = await runCli(['--json', '-s', '800', folders.source, join(folders.root, 'json')])
    expect(run.code, run.stderr).toBe(0)
    const events = jsonEvents(run.stdout)
    const summary = lastSummary(events)
    expectAddsUp(summary)
    const units = unitsByFile(events)
    expect(units.get('whole.jpg')).toMatchObject({ outcome: 'scaled' })
    expect(units.get('whole.jpg')?.warning).toBeUndefined()
    expect(units.get('scratched.jpg')).toMatchObject({ outcome: 'scaled', size: { width: 800, height: 600 } })
    expect(units.get('scratched.jpg')?.warning).toMatch(/damaged/)
    expect(units.get('ruined.jpg')).toMatchObject({ outcome: 'skipped', reason: 'corrupt' })
    expect(summary).toMatchObject({ warnings: 1, counts: { scaled: 2, skipped: 1 }, skippedBy: { corrupt: 1 } })
  })

  it('lines: the warning is on the file line, and the closing line counts the damaged', async () => {
    const run = await runCli(['-s', '800', folders.source, join(folders.root, 'lines')])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^scaled scratched\.jpg 2000×1500 → 800×600 \(damaged: .+\)$/m)
    expect(run.stdout).toMatch(/^skipped ruined\.jpg: damaged JPEG/m)
    expect(run.stdout).toMatch(/^copied 0 scaled 2 \(1 damaged\) skipped 1 using \d+ worker threads?$/m)
    expect(run.stdout).toContain('warning 1: damaged, decoded leniently')
    expect(await listOutputs(join(folders.root, 'lines'))).toEqual(['scratched.jpg', 'whole.jpg'])
  })
})

describe('in flight', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    await writeCopies(folders.root, folders.source, 12, { width: 2400, height: 1600 }, (i) => `img-${String(i).padStart(2, '0')}.jpg`)
    // Files that never reach a worker must not count as in flight either.
    await writeFile(join(folders.source, 'notes.txt'), 'not a picture')
  })
  afterAll(() => folders?.cleanup())

  it('every progress event on a 2-worker run says exactly how many files are on a worker', async () => {
    const onWorker = new Set<string>()
    const seen: { progress: Progress; onWorker: number }[] = []
    const { summary } = await runRecorded(
      folders.source,
      folders.target,
      { workers: 2, size: 800 },
      {
        onEvent: (event: BatchEvent) => {
          if (event.type === 'started') onWorker.add(event.file)
          if (event.type === 'finished') onWorker.delete(event.result.file)
          if (event.type === 'progress') seen.push({ progress: event.progress, onWorker: onWorker.size })
        }
      }
    )
    expectAddsUp(summary)
    expect(seen.length).toBeGreaterThan(3)
    for (const { progress, onWorker: count } of seen) expect(progress.inFlight, `at ${progress.done} done`).toBe(count)
    expect(
      seen.some(({ progress }) => progress.inFlight === 2),
      'two files were on workers at once'
    ).toBe(true)
    expect(seen.at(-1)?.progress.inFlight).toBe(0)
  })
})

describe('a batch that finds nothing says so', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
  })
  afterAll(() => folders?.cleanup())

  it('an empty source: "no files were found", exit 0 (lines and --json)', async () => {
    const lines = await runCli([folders.source, join(folders.root, 'empty-lines')])
    expect(lines.code, lines.stderr).toBe(0)
    expect(lines.stdout).toMatch(/^copied 0 scaled 0 using/m)
    expect(lines.stdout).toContain(`no files were found in the source folder: ${folders.source}`)
    const json = await runCli(['--json', folders.source, join(folders.root, 'empty-json')])
    expect(json.code, json.stderr).toBe(0)
    expect(json.stderr).toContain('no files were found in the source folder')
    expect(lastSummary(jsonEvents(json.stdout)).files).toBe(0)
  })

  it('--flat on a folder with only sub-folders: says the sub-folders were not entered, exit 0', async () => {
    const source = join(folders.root, 'albums')
    await writeImage(join(source, '2023'), 'a.jpg', { width: 600, height: 400 })
    await writeImage(join(source, '2024'), 'b.jpg', { width: 600, height: 400 })
    await mkdir(join(source, '2025'))
    const run = await runCli(['--flat', source, join(folders.root, 'flat')])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('no files at the top level of the source; 3 sub-folders were not entered (flat)')
    const json = await runCli(['--json', '--flat', source, join(folders.root, 'flat-json')])
    expect(json.stderr).toContain('3 sub-folders were not entered (flat)')
    expect(lastSummary(jsonEvents(json.stdout))).toMatchObject({ files: 0, foldersNotEntered: 3 })
  })
})
