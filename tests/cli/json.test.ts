import { readFile, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchEvent, ImageFormat, Summary } from '../../src/shared/batch'
import type { SkipReason } from '../../src/shared/reasons'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { JOURNAL, decode, jsonEvents, lastSummary, listFiles, listOutputs, resultsByFile, runCli, unitOf, type Finished } from './harness'

/** `imagescale --json SOURCE TARGET`: the machine-readable contract, checked against the disk. */

type Expected =
  | { outcome: 'scaled' | 'copied'; input: [number, number]; output: [number, number]; format: ImageFormat }
  | { outcome: 'skipped'; reason: SkipReason }

const EXPECTED: Record<string, Expected> = {
  'big.jpg': { outcome: 'scaled', input: [1200, 900], output: [400, 300], format: 'jpeg' },
  'tall.png': { outcome: 'scaled', input: [600, 1000], output: [240, 400], format: 'png' },
  // Stored 900×600 with EXIF orientation 6: a person sees it 600×900, and so must the box.
  'portrait-exif-6.jpg': { outcome: 'scaled', input: [600, 900], output: [267, 400], format: 'jpeg' },
  'trip/square.webp': { outcome: 'scaled', input: [1000, 1000], output: [400, 400], format: 'webp' },
  'small.jpg': { outcome: 'copied', input: [320, 240], output: [320, 240], format: 'jpeg' },
  'trip/exactly-400.png': { outcome: 'copied', input: [400, 300], output: [400, 300], format: 'png' },
  'notes.txt': { outcome: 'skipped', reason: 'not-an-image' },
  'broken.jpg': { outcome: 'skipped', reason: 'corrupt' },
  'drawing.svg': { outcome: 'skipped', reason: 'unsupported-format' }
}

const size = ([width, height]: [number, number]) => ({ width, height })

describe('imagescale --json', () => {
  let folders: TempFolders
  let run: Finished
  let events: BatchEvent[]
  let summary: Summary

  beforeAll(async () => {
    folders = await tempFolders()
    const { source } = folders
    await writeImage(source, 'big.jpg', { width: 1200, height: 900 })
    await writeImage(source, 'tall.png', { width: 600, height: 1000, format: 'png', seed: 2 })
    await writeImage(source, 'portrait-exif-6.jpg', { width: 900, height: 600, orientation: 6, seed: 3 })
    await writeImage(source, 'trip/square.webp', { width: 1000, height: 1000, format: 'webp', seed: 4 })
    await writeImage(source, 'small.jpg', { width: 320, height: 240, seed: 5 })
    await writeImage(source, 'trip/exactly-400.png', { width: 400, height: 300, format: 'png', seed: 6 })
    const broken = await writeImage(source, 'broken.jpg', { width: 800, height: 600, seed: 7 })
    await truncate(broken, 4000)
    await writeFile(join(source, 'notes.txt'), 'a shot list, not a picture\n')
    await writeFile(join(source, 'drawing.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"><rect width="9" height="9"/></svg>\n')
    // Clutter a user never counts as work: hidden files and Windows thumbnails.
    await writeImage(source, '.hidden.jpg', { width: 900, height: 900, seed: 8 })
    await writeFile(join(source, 'Thumbs.db'), 'thumbnail cache')

    run = await runCli(['--json', '-c', '2', source, folders.target])
    events = jsonEvents(run.stdout)
    summary = lastSummary(events)
  })

  afterAll(() => folders?.cleanup())

  it('exits 0 with nothing on stderr', () => {
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })

  it('ends with a summary whose counts match the folder', () => {
    expect(summary).toMatchObject({
      files: 9,
      outputs: 1,
      todo: 9,
      counts: { copied: 2, scaled: 4, skipped: 3, failed: 0, canceled: 0 },
      skippedBy: { 'not-an-image': 1, corrupt: 1, 'unsupported-format': 1 },
      failedBy: {},
      warnings: 0,
      notStarted: 0,
      hostRestarts: 0,
      canceled: false,
      dryRun: false,
      workers: 2
    })
    const { counts } = summary
    expect(counts.copied + counts.scaled + counts.skipped + counts.failed + counts.canceled).toBe(summary.todo)
    expect(summary.peakParallel).toBeGreaterThanOrEqual(1)
    expect(summary.peakParallel).toBeLessThanOrEqual(2)
    expect(summary.bytesIn).toBeGreaterThan(summary.bytesOut)
  })

  it('reports every file once, with its outcome, reason and input and output sizes', () => {
    const results = resultsByFile(events)
    expect([...results.keys()].sort()).toEqual(Object.keys(EXPECTED).sort())
    for (const [file, expected] of Object.entries(EXPECTED)) {
      const result = results.get(file)!
      if (expected.outcome === 'skipped') {
        // Skipped as a whole when its first bytes tell (not an image, SVG), or its one output
        // when only decoding finds out (a JPEG cut short): either way, one unit with a reason.
        expect(unitOf(result), file).toMatchObject({ outcome: 'skipped', reason: expected.reason, message: expect.any(String) })
        continue
      }
      // A made file is 'done', with one result per output of the recipe (here the book's one).
      expect(result, file).toMatchObject({ outcome: 'done', info: { shown: size(expected.input), format: expected.format } })
      if (result.outcome !== 'done') continue
      expect(result.outputs, file).toHaveLength(1)
      expect(result.outputs[0], file).toMatchObject({
        output: 0,
        path: file,
        outcome: expected.outcome,
        size: size(expected.output),
        format: expected.format,
        bytes: expect.any(Number)
      })
      expect(result.outputs[0], file).not.toHaveProperty('warning')
    }
  })

  it('reports each output’s bytes as the size of the file written', async () => {
    const results = resultsByFile(events)
    for (const [file, expected] of Object.entries(EXPECTED)) {
      if (expected.outcome === 'skipped') continue
      const result = results.get(file)!
      const output = result.outcome === 'done' ? result.outputs[0] : undefined
      expect(output && 'bytes' in output ? output.bytes : null, file).toBe((await readFile(join(folders.target, file))).length)
    }
  })

  it('says which worker started each file it decodes, and finishes it on the same one', () => {
    const started = events.flatMap((event) => (event.type === 'started' ? [event] : []))
    // Every image goes to a worker (the broken JPEG too: only decoding shows it is cut short);
    // files whose first bytes say they are no image for us are never started.
    const decoded = Object.keys(EXPECTED).filter((file) => file !== 'notes.txt' && file !== 'drawing.svg')
    expect(started.map((event) => event.file).sort()).toEqual(decoded.sort())
    for (const event of started) expect([1, 2]).toContain(event.worker)
    for (const file of ['notes.txt', 'drawing.svg']) {
      expect(events.find((e) => e.type === 'finished' && e.result.file === file), file).toMatchObject({ worker: null })
    }
    for (const event of started) {
      const startedAt = events.indexOf(event)
      const finishedAt = events.findIndex((e) => e.type === 'finished' && e.result.file === event.file)
      expect(finishedAt, event.file).toBeGreaterThan(startedAt)
      expect(events[finishedAt]).toMatchObject({ worker: event.worker })
    }
  })

  it('reports progress that ends complete', () => {
    const progress = events.flatMap((event) => (event.type === 'progress' ? [event.progress] : []))
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.at(-1)).toMatchObject({
      done: 9,
      total: 9,
      scanning: false,
      inFlight: 0,
      counts: { copied: 2, scaled: 4, skipped: 3, failed: 0, canceled: 0 },
      bytesOut: summary.bytesOut
    })
  })

  it('writes exactly the copied and scaled files, at the reported sizes, with folders mirrored', async () => {
    const written = Object.entries(EXPECTED).flatMap(([file, e]) => (e.outcome === 'skipped' ? [] : [[file, e.output] as const]))
    expect(await listOutputs(folders.target)).toEqual(written.map(([file]) => file).sort())
    for (const [file, expected] of written) {
      const output = await decode(join(folders.target, file))
      expect([output.width, output.height], file).toEqual(expected)
    }
  })

  it('keeps a journal of what it made, and a second run skips every made file as already done', async () => {
    expect(await listFiles(folders.target)).toContain(JOURNAL)
    const again = await runCli(['--json', '-c', '2', folders.source, folders.target])
    expect(again.code).toBe(0)
    const rerun = jsonEvents(again.stdout)
    const results = resultsByFile(rerun)
    for (const [file, expected] of Object.entries(EXPECTED)) {
      if (expected.outcome === 'skipped') continue
      expect(results.get(file), file).toMatchObject({ outcome: 'done', outputs: [{ outcome: 'skipped', reason: 'already-done', path: file }] })
    }
    expect(lastSummary(rerun)).toMatchObject({ counts: { copied: 0, scaled: 0, skipped: 9 }, skippedBy: { 'already-done': 6, 'not-an-image': 1 } })
  })

  it('keeps formats, and copies small images byte for byte', async () => {
    expect((await decode(join(folders.target, 'tall.png'))).format).toBe('png')
    expect((await decode(join(folders.target, 'trip/square.webp'))).format).toBe('webp')
    for (const file of ['small.jpg', 'trip/exactly-400.png']) {
      expect((await readFile(join(folders.target, file))).equals(await readFile(join(folders.source, file))), file).toBe(true)
    }
  })
})
