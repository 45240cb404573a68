// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import type { BatchEvent } from '../../src/shared/batch'
import { START_BUSY } from '../../src/shared/ipc'
import { batchReducer, initialBatchState, queuedCount, rowState, type BatchAction, type BatchState } from '../../src/renderer/src/state/batch'
import { itemAt, toArray } from '../../src/renderer/src/state/rows'
import { finished, progress, started, summary } from './fake-api'

const rowsOf = (state: BatchState) => toArray(state.rows)

/** The batch main accepts in these tests, and another one (ending, or someone else's). */
const OURS = 8
const OLD = 7

const update = (...events: BatchEvent[]): BatchAction => updateOf(events)
const updateOf = (events: BatchEvent[], batchId = OURS, receivedAt = 1000): BatchAction => ({ type: 'update', update: { batchId, events }, receivedAt })
const fromBatch = (batchId: number, ...events: BatchEvent[]): BatchAction => updateOf(events, batchId)

const requested: BatchAction = { type: 'start-requested' }
const accepted: BatchAction = { type: 'start-accepted', batchId: OURS }

const reduce = (...actions: BatchAction[]): BatchState => actions.reduce(batchReducer, initialBatchState)

function running(...actions: BatchAction[]): BatchState {
  return reduce(requested, accepted, ...actions)
}

describe('batchReducer', () => {
  it('ignores updates while the form is shown: they belong to no batch of ours', () => {
    const state = batchReducer(initialBatchState, update(started('a.jpg', 1), progress({ done: 1, total: 2 })))
    expect(state).toBe(initialBatchState)
  })

  it('creates a row on started and completes that same row on finished', () => {
    const onWorker = running(update(started('a.jpg', 2)))
    expect(rowsOf(onWorker)).toEqual([{ file: 'a.jpg', worker: 2, result: null }])
    expect(rowState(rowsOf(onWorker)[0]!)).toBe('running')

    const done = batchReducer(onWorker, update(finished('a.jpg', 'scaled', 2, { input: { width: 6000, height: 4000 }, output: { width: 400, height: 267 } })))
    expect(done.rows).toHaveLength(1)
    expect(rowState(rowsOf(done)[0]!)).toBe('scaled')
    expect(rowsOf(done)[0]!.result?.output).toEqual({ width: 400, height: 267 })
    expect(done.running.size).toBe(0)
    expect(done.counts).toEqual({ copied: 0, scaled: 1, skipped: 0, failed: 0, canceled: 0 })
  })

  it('keeps discovery order whatever order files finish in, within and across updates', () => {
    const state = running(
      update(started('a.jpg', 1), started('b.jpg', 2)),
      update(finished('b.jpg', 'copied', 2), started('c.jpg', 2), finished('c.jpg', 'skipped', 2, { reason: 'corrupt' })),
      update(finished('a.jpg', 'scaled', 1))
    )
    expect(rowsOf(state).map((row) => [row.file, rowState(row)])).toEqual([
      ['a.jpg', 'scaled'],
      ['b.jpg', 'copied'],
      ['c.jpg', 'skipped']
    ])
  })

  it('a second started for a file on a worker updates its row instead of adding one', () => {
    const state = running(update(started('a.jpg', 1)), update(started('a.jpg', 3)))
    expect(rowsOf(state)).toEqual([{ file: 'a.jpg', worker: 3, result: null }])
  })

  it('adds canceled files, which never reach a worker, as finished rows', () => {
    const state = running(
      update(started('a.jpg', 1)),
      { type: 'cancel-requested' },
      update(finished('b.jpg', 'canceled', null), finished('c.jpg', 'canceled', null), finished('a.jpg', 'copied', 1))
    )
    expect(state.canceling).toBe(true)
    expect(rowsOf(state).map((row) => [row.file, rowState(row), row.worker])).toEqual([
      ['a.jpg', 'copied', 1],
      ['b.jpg', 'canceled', null],
      ['c.jpg', 'canceled', null]
    ])
    expect(state.counts.canceled).toBe(2)
  })

  it('keeps the latest progress and when it arrived', () => {
    const state = running(update(progress({ done: 1, total: 5 }), progress({ done: 2, total: 9, scanning: false })))
    expect(state.progress).toMatchObject({ done: 2, total: 9, scanning: false })
    expect(state.progressAt).toBe(1000)
    expect(state.phase).toBe('running')
  })

  it("holds updates while start is unanswered: the old batch's summary does not end the new one", () => {
    // The previous batch ends just as this one starts: its last update arrives before start() answers.
    const starting = reduce(requested, fromBatch(OLD, finished('old.jpg', 'copied'), summary({ todo: 9, copied: 9 })))
    expect(starting.phase).toBe('starting')
    expect(starting.summary).toBeNull()
    expect(starting.rows).toHaveLength(0)
    expect(starting.held).toHaveLength(1)

    const answered = batchReducer(starting, accepted)
    expect(answered.phase).toBe('running')
    expect(answered.batchId).toBe(OURS)
    expect(answered.summary).toBeNull()
    expect(answered.rows).toHaveLength(0)
    expect(answered.held).toEqual([])

    // The new batch's own updates are shown from then on.
    const shown = batchReducer(answered, update(started('new.jpg', 1), progress({ done: 0, total: 3 })))
    expect(rowsOf(shown)).toEqual([{ file: 'new.jpg', worker: 1, result: null }])
    expect(shown.progress).toMatchObject({ total: 3 })
    expect(shown.phase).toBe('running')
  })

  it('applies what our batch sent before start answered, in order, including its summary (a tiny folder)', () => {
    const starting = reduce(
      requested,
      updateOf([started('a.jpg', 1), progress({ done: 0, total: 2 })], OURS, 10),
      fromBatch(OLD, finished('old.jpg', 'scaled'), summary({ todo: 1, scaled: 1 })),
      updateOf([finished('a.jpg', 'copied', 1), finished('b.jpg', 'skipped', 2, { reason: 'corrupt' }), progress({ done: 2, total: 2, scanning: false })], OURS, 20),
      updateOf([summary({ todo: 2, copied: 1, skipped: 1 })], OURS, 30)
    )
    expect(starting.phase).toBe('starting')
    expect(starting.held).toHaveLength(4)

    const answered = batchReducer(starting, accepted)
    expect(answered.phase).toBe('done')
    expect(answered.summary).toMatchObject({ todo: 2, copied: 1, skipped: 1 })
    expect(rowsOf(answered).map((row) => [row.file, rowState(row)])).toEqual([
      ['a.jpg', 'copied'],
      ['b.jpg', 'skipped']
    ])
    expect(answered.counts).toEqual({ copied: 1, scaled: 0, skipped: 1, failed: 0, canceled: 0 })
    expect(answered.progress).toMatchObject({ done: 2, total: 2, scanning: false })
    expect(answered.progressAt).toBe(20)
    expect(answered.held).toEqual([])
  })

  it("ignores another batch's updates while ours runs", () => {
    const state = running(update(started('a.jpg', 1), progress({ done: 0, total: 5 })))
    const after = batchReducer(state, fromBatch(OLD, finished('theirs.jpg', 'copied'), progress({ done: 9, total: 9 }), summary({ todo: 9, copied: 9 })))
    expect(after).toBe(state)
    const error = batchReducer(state, { type: 'update', update: { batchId: OLD, events: [], error: { code: 'host-exited', message: 'gone' } }, receivedAt: 5 })
    expect(error).toBe(state)
    expect(batchReducer(state, update(finished('a.jpg', 'scaled', 1))).counts.scaled).toBe(1)
  })

  it('a start answered after the page has left starting changes nothing', () => {
    const refused = reduce(requested, { type: 'start-refused', code: START_BUSY, message: 'a batch is already running' })
    expect(batchReducer(refused, accepted)).toBe(refused)
    expect(batchReducer(initialBatchState, accepted)).toBe(initialBatchState)
  })

  it('ends the batch on an error, keeping the rows seen so far', () => {
    const state = batchReducer(running(update(finished('a.jpg', 'copied'))), {
      type: 'update',
      update: { batchId: OURS, events: [], error: { code: 'host-crashed', message: 'the pool host exited with code 1' } },
      receivedAt: 5
    })
    expect(state.phase).toBe('done')
    expect(state.error).toEqual({ code: 'host-crashed', message: 'the pool host exited with code 1' })
    expect(state.rows).toHaveLength(1)
    expect(batchReducer(state, update(finished('late.jpg', 'copied')))).toBe(state)
  })

  it('a refused start forgets whatever arrived meanwhile and keeps the reason for the form', () => {
    const state = reduce(requested, fromBatch(OLD, started('theirs.jpg', 1)), { type: 'start-refused', code: START_BUSY, message: 'a batch is already running' })
    expect(state.phase).toBe('setup')
    expect(rowsOf(state)).toEqual([])
    expect(state.held).toEqual([])
    expect(state.startError).toEqual({ code: START_BUSY, message: 'a batch is already running' })
    expect(batchReducer(state, { type: 'start-requested' }).startError).toBeNull()
  })

  it('cancel is only meaningful while a batch runs', () => {
    expect(batchReducer(initialBatchState, { type: 'cancel-requested' }).canceling).toBe(false)
    const over = running(update(summary()))
    expect(batchReducer(over, { type: 'cancel-requested' }).canceling).toBe(false)
  })

  it('new batch returns to an empty form state', () => {
    const state = batchReducer(running(update(finished('a.jpg', 'copied'), summary())), { type: 'new-batch' })
    expect(state).toEqual(initialBatchState)
  })

  it('never changes the state it was given', () => {
    const before = running(update(started('a.jpg', 1)))
    const snapshot = structuredClone({ rows: before.rows, running: [...before.running], counts: before.counts })
    batchReducer(before, update(finished('a.jpg', 'failed', 1, { reason: 'no-space' }), started('b.jpg', 1), progress({ done: 1 })))
    expect({ rows: before.rows, running: [...before.running], counts: before.counts }).toEqual(snapshot)
    expect(before.progress).toBeNull()
  })

  it('an update copies only the rows it touches, however long the list', () => {
    const many = Array.from({ length: 3000 }, (_, i) => finished(`f${i}.jpg`, 'copied'))
    const before = running(updateOf(many), update(started('last.jpg', 1)))
    const after = batchReducer(before, update(finished('last.jpg', 'scaled', 1), progress({ done: 3001 })))
    expect(after.rows.chunks[0]).toBe(before.rows.chunks[0])
    expect(after.rows.chunks[1]).toBe(before.rows.chunks[1])
    expect(after.rows.chunks[2]).not.toBe(before.rows.chunks[2])
    expect(itemAt(after.rows, 3000)?.result?.action).toBe('scaled')
    expect(itemAt(before.rows, 3000)?.result).toBeNull()
  })

  it('counts files found but not yet on a worker as queued', () => {
    const state = running(update(started('a.jpg', 1), started('b.jpg', 2), finished('a.jpg', 'copied', 1), progress({ done: 1, total: 10 })))
    expect(queuedCount(state)).toBe(10 - 1 - 1)
    expect(queuedCount(batchReducer(state, update(summary())))).toBe(0)
  })

  it('folds 100,000 files quickly, in one update or in a thousand', () => {
    const files = Array.from({ length: 100_000 }, (_, i) => `folder-${i % 100}/image-${i}.jpg`)
    const events = files.flatMap((file, i): BatchEvent[] => [started(file, (i % 8) + 1), finished(file, i % 10 === 0 ? 'skipped' : 'scaled', (i % 8) + 1)])

    let begin = performance.now()
    const once = running(updateOf(events))
    const oneUpdate = performance.now() - begin

    begin = performance.now()
    let state = running()
    for (let i = 0; i < events.length; i += 200) state = batchReducer(state, updateOf(events.slice(i, i + 200)))
    const manyUpdates = performance.now() - begin

    for (const folded of [once, state]) {
      expect(folded.rows).toHaveLength(100_000)
      expect(itemAt(folded.rows, 99_999)?.file).toBe(files[99_999])
      expect(folded.counts.skipped).toBe(10_000)
      expect(folded.counts.scaled).toBe(90_000)
      expect(folded.running.size).toBe(0)
    }
    expect(oneUpdate).toBeLessThan(1000)
    expect(manyUpdates).toBeLessThan(500)
  })
})
