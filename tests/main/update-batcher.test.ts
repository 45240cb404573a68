import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Problem } from '../../src/shared/reasons'
import { UpdateBatcher } from '../../src/main/update-batcher'
import type { BatchEvent, FileResult, Progress } from '../../src/shared/batch'
import type { BatchUpdate } from '../../src/shared/ipc'
import { emptySummary } from '../../src/core/summary'

const INTERVAL_MS = 50

const progress = (done: number, total = 100): BatchEvent => {
  const value: Progress = {
    done,
    total,
    scanning: false,
    inFlight: 2,
    counts: { copied: done, scaled: 0, skipped: 0, failed: 0, canceled: 0 },
    warnings: 0,
    bytesIn: done * 1000,
    bytesOut: done * 100,
    elapsedMs: done * 10,
    imagesPerSecond: 100,
    etaMs: (total - done) * 10
  }
  return { type: 'progress', progress: value }
}

const started = (file: string): BatchEvent => ({ type: 'started', file, worker: 0 })

const finished = (file: string): BatchEvent => {
  const result: FileResult = {
    file,
    bytesIn: 10,
    times: { read: 1, scale: 0, write: 1 },
    outcome: 'done',
    outputs: [{ output: 0, path: file, outcome: 'copied', size: { width: 10, height: 10 }, format: 'jpeg', bytes: 10 }]
  }
  return { type: 'finished', worker: 0, result }
}

const summary = (todo: number): BatchEvent => ({
  type: 'summary',
  summary: {
    ...emptySummary(2, 1, false),
    files: todo,
    todo,
    counts: { copied: todo, scaled: 0, skipped: 0, failed: 0, canceled: 0 },
    peakParallel: 2,
    elapsedMs: 1234,
    bytesIn: 10 * todo,
    bytesOut: 10 * todo
  }
})

describe('UpdateBatcher', () => {
  let delivered: { at: number; update: BatchUpdate }[]
  let batcher: UpdateBatcher
  /** Each event is heard one millisecond of the batch's clock after the one before. */
  let clock: number
  const push = (event: BatchEvent): void => batcher.push(event, (clock += 1))

  beforeEach(() => {
    vi.useFakeTimers()
    delivered = []
    clock = 0
    batcher = new UpdateBatcher('batch-7', (update) => delivered.push({ at: Date.now(), update }))
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('holds events back until the interval has passed, then sends them as one update', () => {
    push(started('a.jpg'))
    push(finished('a.jpg'))
    vi.advanceTimersByTime(INTERVAL_MS - 1)
    expect(delivered).toEqual([])
    vi.advanceTimersByTime(1)
    expect(delivered.map((d) => d.update)).toEqual([{ batchId: 'batch-7', events: [started('a.jpg'), finished('a.jpg')], at: [1, 2] }])
  })

  it('keeps only the newest progress of an update, and every other event in order', () => {
    push(progress(1))
    push(started('a.jpg'))
    push(progress(2))
    push(finished('a.jpg'))
    push(started('b.jpg'))
    push(progress(3))
    vi.advanceTimersByTime(INTERVAL_MS)
    expect(delivered.map((d) => d.update)).toEqual([{ batchId: 'batch-7', events: [started('a.jpg'), finished('a.jpg'), started('b.jpg'), progress(3)], at: [2, 4, 5, 6] }])
  })

  it('never drops a file event, however many there are', () => {
    for (let i = 0; i < 1000; i += 1) {
      push(started(`${i}.jpg`))
      push(finished(`${i}.jpg`))
      push(progress(i, 1000))
    }
    vi.advanceTimersByTime(INTERVAL_MS)
    expect(delivered).toHaveLength(1)
    const events = delivered[0]?.update.events ?? []
    expect(events.filter((event) => event.type === 'finished')).toHaveLength(1000)
    expect(events.filter((event) => event.type === 'progress')).toEqual([progress(999, 1000)])
  })

  it('sends at most 20 updates a second while a flood of events arrives', () => {
    let pushed = 0
    for (let ms = 0; ms < 1000; ms += 1) {
      push(finished(`${ms}-a.jpg`))
      push(finished(`${ms}-b.jpg`))
      push(progress(ms, 1000))
      pushed += 2
      vi.advanceTimersByTime(1)
    }
    expect(delivered.length).toBeGreaterThanOrEqual(19)
    expect(delivered.length).toBeLessThanOrEqual(20)
    for (let i = 1; i < delivered.length; i += 1) {
      expect((delivered[i]?.at ?? 0) - (delivered[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(INTERVAL_MS)
    }
    vi.advanceTimersByTime(INTERVAL_MS)
    const files = delivered.flatMap((d) => d.update.events).filter((event) => event.type === 'finished')
    expect(files).toHaveLength(pushed)
  })

  it('sends a summary at once, with everything queued before it, and leaves no timer behind', () => {
    push(started('a.jpg'))
    push(finished('a.jpg'))
    push(progress(1, 1))
    push(summary(1))
    expect(delivered.map((d) => d.update)).toEqual([{ batchId: 'batch-7', events: [started('a.jpg'), finished('a.jpg'), progress(1, 1), summary(1)], at: [1, 2, 3, 4] }])
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(10 * INTERVAL_MS)
    expect(delivered).toHaveLength(1)
  })

  it('sends a summary at once even right after another update', () => {
    push(finished('a.jpg'))
    vi.advanceTimersByTime(INTERVAL_MS)
    push(summary(1))
    expect(delivered.map((d) => d.update)).toEqual([
      { batchId: 'batch-7', events: [finished('a.jpg')], at: [1] },
      { batchId: 'batch-7', events: [summary(1)], at: [2] }
    ])
  })

  it('carries an error on the same update as the events queued before it', () => {
    push(started('a.jpg'))
    push(progress(0, 3))
    const error: Problem = { code: 'target-not-writable', message: 'the target folder can no longer be written' }
    batcher.flush(error)
    expect(delivered.map((d) => d.update)).toEqual([{ batchId: 'batch-7', events: [started('a.jpg'), progress(0, 3)], at: [1, 2], error }])
    vi.advanceTimersByTime(10 * INTERVAL_MS)
    expect(delivered).toHaveLength(1)
  })

  it('sends an error even when nothing else is queued', () => {
    const error: Problem = { code: 'internal', message: 'boom' }
    batcher.flush(error)
    expect(delivered.map((d) => d.update)).toEqual([{ batchId: 'batch-7', events: [], at: [], error }])
  })

  it('sends nothing for a flush with nothing to say', () => {
    batcher.flush()
    vi.advanceTimersByTime(10 * INTERVAL_MS)
    expect(delivered).toEqual([])
  })

  it('never hands the same events array out twice', () => {
    push(finished('a.jpg'))
    vi.advanceTimersByTime(INTERVAL_MS)
    push(finished('b.jpg'))
    vi.advanceTimersByTime(INTERVAL_MS)
    expect(delivered.map((d) => d.update)).toEqual([
      { batchId: 'batch-7', events: [finished('a.jpg')], at: [1] },
      { batchId: 'batch-7', events: [finished('b.jpg')], at: [2] }
    ])
    expect(delivered[0]?.update.events).not.toBe(delivered[1]?.update.events)
    expect(delivered[0]?.update.at).not.toBe(delivered[1]?.update.at)
  })

  it('carries the cores’ samples on the next update, beside the events queued with them', () => {
    push(started('a.jpg'))
    batcher.pushCpu({ atMs: 500, busy: [0.9, 0.4] })
    vi.advanceTimersByTime(INTERVAL_MS)
    batcher.pushCpu({ atMs: 1000, busy: [1, 0.8] })
    vi.advanceTimersByTime(INTERVAL_MS)
    expect(delivered.map((d) => d.update)).toEqual([
      { batchId: 'batch-7', events: [started('a.jpg')], at: [1], cpu: [{ atMs: 500, busy: [0.9, 0.4] }] },
      { batchId: 'batch-7', events: [], at: [], cpu: [{ atMs: 1000, busy: [1, 0.8] }] }
    ])
  })
})
