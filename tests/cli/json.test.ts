import { readFile, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchEvent, FileResult, Summary } from '../../src/shared/batch'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { decode, jsonEvents, lastSummary, listFiles, resultsByFile, runCli, type Finished } from './harness'

/** `imagescale --json SOURCE TARGET`: the machine-readable contract, checked against the disk. */

interface Expected {
  action: FileResult['action']
  input?: [number, number]
  output?: [number, number]
  reason?: FileResult['reason']
}

const EXPECTED: Record<string, Expected> = {
  'big.jpg': { action: 'scaled', input: [1200, 900], output: [400, 300] },
  'tall.png': { action: 'scaled', input: [600, 1000], output: [240, 400] },
  // Stored 900×600 with EXIF orientation 6: a person sees it 600×900, and so must the box.
  'portrait-exif-6.jpg': { action: 'scaled', input: [600, 900], output: [267, 400] },
  'trip/square.webp': { action: 'scaled', input: [1000, 1000], output: [400, 400] },
  'small.jpg': { action: 'copied', input: [320, 240], output: [320, 240] },
  'trip/exactly-400.png': { action: 'copied', input: [400, 300], output: [400, 300] },
  'notes.txt': { action: 'skipped', reason: 'not-an-image' },
  'broken.jpg': { action: 'skipped', reason: 'corrupt' },
  'drawing.svg': { action: 'skipped', reason: 'unsupported-format' }
}

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
      todo: 9,
      copied: 2,
      scaled: 4,
      skipped: 3,
      skippedBy: { 'not-an-image': 1, corrupt: 1, 'unsupported-format': 1 },
      failed: 0,
      failedBy: {},
      canceled: false,
      canceledFiles: 0,
      workers: 2
    })
    expect(summary.copied + summary.scaled + summary.skipped + summary.failed + summary.canceledFiles).toBe(summary.todo)
    expect(summary.bytesIn).toBeGreaterThan(summary.bytesOut)
  })

  it('reports every file once, with its action, reason and input and output sizes', () => {
    const results = resultsByFile(events)
    expect([...results.keys()].sort()).toEqual(Object.keys(EXPECTED).sort())
    for (const [file, expected] of Object.entries(EXPECTED)) {
      const result = results.get(file)!
      expect(result.action, file).toBe(expected.action)
      if (expected.reason) {
        expect(result.reason, file).toBe(expected.reason)
        expect(result.message, file).toEqual(expect.any(String))
      }
      if (expected.input) expect(result.input, file).toEqual({ width: expected.input[0], height: expected.input[1] })
      if (expected.output) expect(result.output, file).toEqual({ width: expected.output[0], height: expected.output[1] })
    }
  })

  it('says which worker started each file, and finishes it on the same one', () => {
    const started = events.flatMap((event) => (event.type === 'started' ? [event] : []))
    expect(started.map((event) => event.file).sort()).toEqual(Object.keys(EXPECTED).sort())
    for (const event of started) expect([1, 2]).toContain(event.worker)
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
    expect(progress.at(-1)).toMatchObject({ done: 9, total: 9, scanning: false, inFlight: 0 })
  })

  it('writes exactly the copied and scaled files, at the reported sizes, with folders mirrored', async () => {
    const written = Object.entries(EXPECTED).filter(([, e]) => e.action !== 'skipped')
    expect(await listFiles(folders.target)).toEqual(written.map(([file]) => file).sort())
    for (const [file, expected] of written) {
      const output = await decode(join(folders.target, file))
      expect([output.width, output.height], file).toEqual(expected.output)
    }
  })

  it('keeps formats, and copies small images byte for byte', async () => {
    expect((await decode(join(folders.target, 'tall.png'))).format).toBe('png')
    expect((await decode(join(folders.target, 'trip/square.webp'))).format).toBe('webp')
    for (const file of ['small.jpg', 'trip/exactly-400.png']) {
      expect((await readFile(join(folders.target, file))).equals(await readFile(join(folders.source, file))), file).toBe(true)
    }
  })
})
