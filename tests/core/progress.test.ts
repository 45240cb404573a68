import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROGRESS_INTERVAL_MS, progressOf } from '../../src/core/progress'
import { emptySummary } from '../../src/core/summary'
import type { BatchEvent, Progress, Summary } from '../../src/shared/batch'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectBalanced } from './fixtures'

describe('progressOf', () => {
  const state = { total: 100, scanning: false, inFlight: 2, processed: 20 }
  const summary = { ...emptySummary(2), todo: 30, bytesIn: 3000, bytesOut: 1000 }

  it('rates only files that went through a worker and projects the rest', () => {
    const progress = progressOf(state, summary, 4000)
    expect(progress.imagesPerSecond).toBeCloseTo(5)
    expect(progress.etaMs).toBeCloseTo((70 / 5) * 1000)
    expect(progress).toMatchObject({ done: 30, total: 100, inFlight: 2, bytesIn: 3000, bytesOut: 1000, elapsedMs: 4000 })
  })

  it('gives no ETA while the total is still growing or before there is a rate', () => {
    expect(progressOf({ ...state, scanning: true }, summary, 4000).etaMs).toBeNull()
    expect(progressOf({ ...state, processed: 0 }, summary, 4000).etaMs).toBeNull()
    expect(progressOf(state, summary, 0)).toMatchObject({ imagesPerSecond: 0, etaMs: null })
  })
})

describe('progress events from a fast run', () => {
  const FILES = 120
  let folders: TempFolders
  let events: BatchEvent[]
  let summary: Summary
  let progress: Progress[]

  beforeAll(async () => {
    folders = await tempFolders()
    // Tiny images are copied in a few milliseconds each: far more than 20 files a second.
    const small = await writeImage(folders.root, 'small.jpg', { width: 40, height: 30 })
    for (let i = 0; i < FILES; i += 1) await copyFile(small, join(folders.source, `f-${i}.jpg`))
    await writeImage(folders.source, 'big.jpg', { width: 900, height: 600 })
    const run = await runRecorded(folders.source, folders.target, { workers: 2 })
    events = run.events
    summary = run.summary
    progress = events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []))
    expectBalanced(summary, events)
  })
  afterAll(() => folders.cleanup())

  it('come at most about 20 a second, however fast files finish', () => {
    const finished = events.filter((e) => e.type === 'finished').length
    expect(finished).toBe(FILES + 1)
    expect(progress.length).toBeLessThan(finished / 2)
    // The first is sent at the start and the last with the summary; between them, 50 ms apart.
    for (let i = 1; i < progress.length - 1; i += 1) {
      expect(progress[i]!.elapsedMs - progress[i - 1]!.elapsedMs).toBeGreaterThanOrEqual(PROGRESS_INTERVAL_MS - 5)
    }
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(summary.elapsedMs / PROGRESS_INTERVAL_MS) + 2)
  })

  it('start at nothing done, never go backwards, and never show more in flight than workers', () => {
    expect(events[0]?.type).toBe('progress')
    expect(progress[0]).toMatchObject({ done: 0, inFlight: 0, bytesIn: 0 })
    for (let i = 1; i < progress.length; i += 1) {
      expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done)
      expect(progress[i]!.bytesIn).toBeGreaterThanOrEqual(progress[i - 1]!.bytesIn)
      expect(progress[i]!.elapsedMs).toBeGreaterThanOrEqual(progress[i - 1]!.elapsedMs)
    }
    for (const p of progress) {
      expect(p.total).toBeGreaterThanOrEqual(p.done)
      expect(p.inFlight).toBeLessThanOrEqual(2)
    }
  })

  it('end with done = total = todo, just before the summary', () => {
    const last = progress.at(-1)!
    expect(last).toMatchObject({ done: summary.todo, total: summary.todo, scanning: false, inFlight: 0, etaMs: 0 })
    expect(last.bytesIn).toBe(summary.bytesIn)
    expect(last.bytesOut).toBe(summary.bytesOut)
    expect(last.imagesPerSecond).toBeGreaterThan(0)
    expect(events.at(-2)).toEqual({ type: 'progress', progress: last })
    expect(events.at(-1)?.type).toBe('summary')
    expect(summary.todo).toBe(FILES + 1)
  })

  it('pair every started file with one finished event from the same worker', () => {
    const open = new Map<string, number>()
    for (const e of events) {
      if (e.type === 'started') {
        expect(open.has(e.file)).toBe(false)
        open.set(e.file, e.worker)
      } else if (e.type === 'finished') {
        expect(e.worker).toBe(open.get(e.result.file))
        open.delete(e.result.file)
      }
    }
    expect(open.size).toBe(0)
  })
})
