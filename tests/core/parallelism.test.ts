import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forkHost, runInHost } from '../../src/core/host-client'
import type { SpawnHost } from '../../src/core/host-protocol'
import { defaultOptions } from '../../src/core/options'
import type { BatchEvent, Summary } from '../../src/shared/batch'
import { HOST_PATH, WORKER_PATH } from '../helpers/built'
import { tempFolders, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectBalanced } from './fixtures'

/**
 * The claim the app exists to show: N worker threads really work on N images at the same
 * moment. sharp's process-wide counter of images in libvips is the witness, so a libuv pool
 * too small for the workers (its default is 4) shows up as a lower peak, not just as slowness.
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

function hostRun(spawn: SpawnHost): Promise<{ summary: Summary; events: BatchEvent[] }> {
  const events: BatchEvent[] = []
  return runInHost(
    { ...defaultOptions(folders.source, join(folders.root, `target-${Math.random().toString(36).slice(2)}`)), workers: WORKERS, size: SIZE },
    { spawn, workerPath: WORKER_PATH, onEvent: (event) => events.push(event) }
  ).then((summary) => ({ summary, events }))
}

describe(`${WORKERS} workers`, () => {
  it(`run ${WORKERS} images in libvips at the same moment (UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE} here)`, async () => {
    expect(Number(process.env.UV_THREADPOOL_SIZE)).toBeGreaterThanOrEqual(WORKERS)
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: WORKERS, size: SIZE })
    expectBalanced(summary, events)
    expect(summary).toMatchObject({ scaled: FILES, workers: WORKERS })
    expect(summary.peakParallel).toBe(WORKERS)
    const { peak, workers } = inFlightFromEvents(events)
    expect(peak).toBe(WORKERS)
    expect([...workers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('do so in the pool host, which raises libuv’s pool itself whatever it inherits', async () => {
    const spawn = forkHost(HOST_PATH)
    const inheritedTooSmall: SpawnHost = (env) => {
      const saved = process.env.UV_THREADPOOL_SIZE
      process.env.UV_THREADPOOL_SIZE = '1'
      try {
        return spawn(env)
      } finally {
        process.env.UV_THREADPOOL_SIZE = saved
      }
    }
    const { summary, events } = await hostRun(inheritedTooSmall)
    expectBalanced(summary, events)
    expect(summary.scaled).toBe(FILES)
    expect(summary.peakParallel).toBe(WORKERS)
  })

  it('are held below 8 by a default-sized libuv pool of 4 threads: the measurement can tell', async () => {
    const spawn = forkHost(HOST_PATH)
    const { summary } = await hostRun((env) => spawn({ ...env, UV_THREADPOOL_SIZE: '4' }))
    expect(summary.scaled).toBe(FILES)
    // sharp releases an image from its count on the worker's JS thread, so a capped pool can
    // read one over its size for a moment, never anywhere near the 8 the workers could run.
    expect(summary.peakParallel).toBeLessThan(WORKERS)
    expect(summary.peakParallel).toBeGreaterThanOrEqual(3)
  })
})
