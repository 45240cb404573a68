import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROGRESS_INTERVAL_MS, progressOf } from '../../src/core/progress'
import { emptySummary } from '../../src/core/summary'
import { OUTCOMES, type BatchEvent, type Progress, type Summary } from '../../src/shared/batch'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectBalanced } from './fixtures'

describe('progressOf', () => {
  const state = { total: 100, scanning: false, inFlight: 2, processed: 20 }
  const counts = { copied: 4, scaled: 16, skipped: 10, failed: 0, canceled: 0 }
  const summary: Summary = { ...emptySummary(2, 1, false), files: 30, todo: 30, counts, warnings: 1, bytesIn: 3000, bytesOut: 1000 }

  it('rates only files that went through a worker and projects the rest', () => {
    const progress = progressOf(state, summary, 4000)
    expect(progress.imagesPerSecond).toBeCloseTo(5)
    expect(progress.etaMs).toBeCloseTo((70 / 5) * 1000)
    expect(progress).toMatchObject({ done: 30, total: 100, inFlight: 2, bytesIn: 3000, bytesOut: 1000, elapsedMs: 4000, warnings: 1 })
  })

  it('carries the summary’s counts so far, as a copy a later change cannot reach', () => {
    const mine = { ...summary, counts: { ...counts } }
    const progress = progressOf(state, mine, 4000)
    expect(progress.counts).toEqual(counts)
    mine.counts.scaled += 1
    expect(progress.counts.scaled).toBe(16)
  })

  it('counts files, not units, when each file makes several outputs', () => {
    const twoEach: Summary = { ...emptySummary(2, 2, false), files: 10, todo: 20, counts: { ...counts, copied: 5, scaled: 15, skipped: 0 } }
    expect(progressOf({ ...state, total: 40 }, twoEach, 1000)).toMatchObject({ done: 10, total: 40 })
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
    expect(progress[0]).toMatchObject({ done: 0, inFlight: 0, bytesIn: 0, counts: { copied: 0, scaled: 0, skipped: 0, failed: 0, canceled: 0 } })
    for (let i = 1; i < progress.length; i += 1) {
      expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done)
      expect(progress[i]!.bytesIn).toBeGreaterThanOrEqual(progress[i - 1]!.bytesIn)
      expect(progress[i]!.elapsedMs).toBeGreaterThanOrEqual(progress[i - 1]!.elapsedMs)
      for (const outcome of OUTCOMES) expect(progress[i]!.counts[outcome]).toBeGreaterThanOrEqual(progress[i - 1]!.counts[outcome])
    }
    for (const p of progress) {
      expect(p.total).toBeGreaterThanOrEqual(p.done)
      expect(p.inFlight).toBeLessThanOrEqual(2)
      // One output per file here: the units so far are the files done, never more.
      expect(Object.values(p.counts).reduce((a, b) => a + b, 0)).toBe(p.done)
    }
  })

  it('end with done = total = every file, just before the summary, with its counts', () => {
    const last = progress.at(-1)!
    expect(last).toMatchObject({ done: summary.files, total: summary.files, scanning: false, inFlight: 0, etaMs: 0 })
    expect(last.counts).toEqual(summary.counts)
    expect(last.warnings).toBe(summary.warnings)
    expect(last.bytesIn).toBe(summary.bytesIn)
    expect(last.bytesOut).toBe(summary.bytesOut)
    expect(last.imagesPerSecond).toBeGreaterThan(0)
    expect(events.at(-2)).toEqual({ type: 'progress', progress: last })
    expect(events.at(-1)?.type).toBe('summary')
    expect(summary).toMatchObject({ files: FILES + 1, todo: FILES + 1, counts: { copied: FILES, scaled: 1 } })
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
