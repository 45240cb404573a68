import { describe, expect, it } from 'vitest'
import type { BatchEvent } from '../../src/shared/batch'
import { batchReducer, initialBatchState, type BatchState } from '../../src/renderer/src/state/batch'
import { coreAverages, laneBars, laneStats, panned, spanOf, throughput, zoomed } from '../../src/renderer/src/state/lanes'
import { OUTPUT_DEFAULTS, type BatchRequest } from '../../src/shared/recipe'
import { finished, made, skippedFile, started } from './fake-api'

const REQUEST: BatchRequest = {
  source: '/photos',
  target: '/web',
  recipe: { outputs: [OUTPUT_DEFAULTS] },
  workers: 2,
  recursive: true,
  existing: 'skip',
  maxPixels: 1_000_000,
  dryRun: false,
  keepDates: false
}

/** A batch that heard each event at the given ms of its clock. */
function heard(...timed: [number, BatchEvent][]): BatchState {
  const asked = batchReducer(initialBatchState, { type: 'start-requested', batchId: 'b', request: REQUEST })
  return batchReducer(asked, { type: 'update', update: { batchId: 'b', events: timed.map(([, event]) => event), at: timed.map(([at]) => at) }, receivedAt: 0 })
}

describe('the worker lanes', () => {
  const state = heard(
    [10, started('a.jpg', 1)],
    [12, started('b.jpg', 2)],
    [15, finished(skippedFile('notes.txt', 'not-an-image'), null)],
    [110, finished(made('a.jpg', 'scaled'), 1)],
    [115, started('c.jpg', 1)],
    [160, finished(made('b.jpg', 'copied'), 2)],
    [200, started('d.jpg', 2)]
  )
  const bars = laneBars(state.rows, 2)

  it('keeps when main heard each file start and finish', () => {
    expect(bars).toEqual([
      [
        { row: 0, startMs: 10, endMs: 110, state: 'scaled' },
        { row: 3, startMs: 115, endMs: null, state: 'running' }
      ],
      [
        { row: 1, startMs: 12, endMs: 160, state: 'copied' },
        { row: 4, startMs: 200, endMs: null, state: 'running' }
      ]
    ])
  })

  it('leaves out the files that never reached a worker', () => {
    expect(bars.flat().map((bar) => bar.row)).not.toContain(2)
  })

  it('runs to now while the batch runs, and to the last thing heard after it', () => {
    expect(spanOf(bars, 250)).toBe(250)
    expect(spanOf(bars, null)).toBe(200)
  })

  it('counts each lane’s files and the share of the run it was busy, a file in progress until now', () => {
    expect(laneStats(bars, 250)).toEqual([
      { lane: 1, files: 2, busy: (100 + 135) / 250 },
      { lane: 2, files: 2, busy: (148 + 50) / 250 }
    ])
  })

  it('zooms about a point, never past the run, and pans within it', () => {
    const whole = { from: 0, to: 1000 }
    expect(zoomed(whole, 2, 500, 1000)).toEqual({ from: 250, to: 750 })
    expect(zoomed(whole, 2, 0, 1000)).toEqual({ from: 0, to: 500 })
    expect(zoomed({ from: 250, to: 750 }, 0.25, 500, 1000)).toEqual(whole)
    expect(panned({ from: 250, to: 750 }, 400, 1000)).toEqual({ from: 500, to: 1000 })
    expect(panned({ from: 250, to: 750 }, -400, 1000)).toEqual({ from: 0, to: 500 })
  })

  it('keeps the cores’ samples of every update, and averages each core over them', () => {
    const first = batchReducer(state, { type: 'update', update: { batchId: 'b', events: [], at: [], cpu: [{ atMs: 500, busy: [1, 0.5] }] }, receivedAt: 0 })
    const second = batchReducer(first, { type: 'update', update: { batchId: 'b', events: [], at: [], cpu: [{ atMs: 1000, busy: [0.5, 0] }] }, receivedAt: 0 })
    expect(second.cpu).toEqual([
      { atMs: 500, busy: [1, 0.5] },
      { atMs: 1000, busy: [0.5, 0] }
    ])
    expect(coreAverages(second.cpu)).toEqual([0.75, 0.25])
    expect(coreAverages([])).toEqual([])
  })

  it('counts the files finished in each half second as a rate, files still running not at all', () => {
    // a.jpg ends at 110 ms and b.jpg at 160 ms: both in the first half second; c and d still run.
    expect(throughput(bars, 250)).toEqual([4])
    expect(throughput(bars, 1200)).toEqual([4, 0, 0])
    expect(throughput(bars, 250, 100)).toEqual([0, 20, 0])
  })
})
