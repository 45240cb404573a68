import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchEvent } from '../../src/shared/batch'
import { tempFolders, type TempFolders } from '../helpers/images'
import { runRecorded, type RunControl } from '../helpers/run'
import { expectBalanced } from './fixtures'

/**
 * The claim the app exists to show: N worker threads really work on N images at the same
 * moment. sharp's process-wide counter of images in libvips (read in the pool host) is the
 * witness, so a libuv pool too small for the workers (its default is 4) shows up as a lower
 * peak, not just as slowness.
 */
const WORKERS = 8
const FILES = 16
/** Large enough that decoding cannot shrink on load much: each image keeps a worker busy for a while. */
const SIZE = 1600

let folders: TempFolders
beforeAll(async () => {
  folders = await tempFolders()
  // A 6 MP JPEG with sensor-like noise everywhere: as costly to decode as a real camera file.
  const photo = join(folders.root, 'photo.jpg')
  await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
    .jpeg({ quality: 90 })
    .toFile(photo)
  for (let i = 0; i < FILES; i += 1) await copyFile(photo, join(folders.source, `photo-${String(i).padStart(2, '0')}.jpg`))
})
afterAll(() => folders.cleanup())

/** Most files started and not yet finished at one moment, and the workers the events named. */
function inFlightFromEvents(events: BatchEvent[]): { peak: number; workers: Set<number> } {
  let now = 0
  let peak = 0
  const workers = new Set<number>()
  for (const event of events) {
    if (event.type === 'started') {
      now += 1
      peak = Math.max(peak, now)
      workers.add(event.worker)
    } else if (event.type === 'finished' && event.worker !== null) now -= 1
  }
  return { peak, workers }
}

/** A batch into a fresh target, through the real forked pool host. */
const run = (control: RunControl = {}) =>
  runRecorded(folders.source, join(folders.root, `target-${Math.random().toString(36).slice(2)}`), { workers: WORKERS, size: SIZE }, control)

describe(`${WORKERS} workers`, () => {
  it(`run ${WORKERS} images in libvips at the same moment`, async () => {
    const { summary, events } = await run()
    expectBalanced(summary, events)
    expect(summary).toMatchObject({ counts: { scaled: FILES }, workers: WORKERS, hostRestarts: 0 })
    expect(summary.peakParallel).toBe(WORKERS)
    const { peak, workers } = inFlightFromEvents(events)
    expect(peak).toBe(WORKERS)
    expect([...workers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('do so in the pool host, which raises libuv’s pool itself whatever it inherits', async () => {
    // The host is forked from this environment; the engine must not rely on what it finds there.
    const saved = process.env.UV_THREADPOOL_SIZE
    process.env.UV_THREADPOOL_SIZE = '1'
    try {
      const { summary, events } = await run()
      expectBalanced(summary, events)
      expect(summary.counts.scaled).toBe(FILES)
      expect(summary.peakParallel).toBe(WORKERS)
    } finally {
      process.env.UV_THREADPOOL_SIZE = saved
    }
  })

  it('are held below 8 by a default-sized libuv pool of 4 threads: the measurement can tell', async () => {
    const { summary, events } = await run({ hostEnv: { UV_THREADPOOL_SIZE: '4' } })
    expectBalanced(summary, events)
    expect(summary.counts.scaled).toBe(FILES)
    // sharp releases an image from its count on the worker's JS thread, so a capped pool can
    // read one over its size for a moment, never anywhere near the 8 the workers could run.
    expect(summary.peakParallel).toBeLessThan(WORKERS)
    expect(summary.peakParallel).toBeGreaterThanOrEqual(3)
  })
})
