// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import type { BatchEvent } from '../../src/shared/batch'
import { START_BUSY } from '../../src/shared/ipc'
import { batchReducer, countsOf, initialBatchState, isProblem, queuedCount, rowState, type BatchAction, type BatchState } from '../../src/renderer/src/state/batch'
import { itemAt, toArray } from '../../src/renderer/src/state/rows'
import { LIMITS, OUTPUT_DEFAULTS, type BatchRequest } from '../../src/shared/recipe'
import { canceledFile, failedOutput, finished, made, planned, progress, skippedFile, skippedOutput, started, summary, unitCounts } from './fake-api'

const rowsOf = (state: BatchState) => toArray(state.rows)

/** The id the page names its batch with in these tests, and another one (ending, or someone else's). */
const OURS = '5b0f3c1e-0000-4000-8000-000000000008'
const OLD = '5b0f3c1e-0000-4000-8000-000000000007'

/** What the page asks for, and what main accepts (its defaults filled in, here a different name). */
const REQUEST: BatchRequest = {
  source: '/photos',
  target: '/web',
  recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1920 } }] },
  workers: 4,
  recursive: true,
  existing: 'skip',
  maxPixels: LIMITS.maxPixels.default,
  dryRun: false,
  keepDates: false
}
const ACCEPTED: BatchRequest = { ...REQUEST, recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1920 }, name: '{name}-{width}.{ext}' }] } }

const update = (...events: BatchEvent[]): BatchAction => updateOf(events)
/** Each event heard 10 ms of the batch's clock after the one before. */
const updateOf = (events: BatchEvent[], batchId = OURS, receivedAt = 1000, at = events.map((_, i) => (i + 1) * 10)): BatchAction => ({
  type: 'update',
  update: { batchId, events, at },
  receivedAt
})
const fromBatch = (batchId: string, ...events: BatchEvent[]): BatchAction => updateOf(events, batchId)

const requested: BatchAction = { type: 'start-requested', batchId: OURS, request: REQUEST }
const accepted: BatchAction = { type: 'start-accepted', batchId: OURS, request: ACCEPTED }
const refused = (batchId = OURS): BatchAction => ({ type: 'start-refused', batchId, code: START_BUSY, message: 'a batch is already running' })
const cancel: BatchAction = { type: 'cancel-requested' }
const stopNow: BatchAction = { type: 'stop-now-requested' }

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
    expect(rowsOf(onWorker)).toEqual([{ file: 'a.jpg', worker: 2, result: null, startMs: 10 }])
    expect(rowState(rowsOf(onWorker)[0]!)).toBe('running')
    expect(onWorker.running.size).toBe(1)

    const done = batchReducer(onWorker, update(finished(made('a.jpg', 'scaled', { shown: { width: 6000, height: 4000 }, size: { width: 400, height: 267 } }), 2)))
    expect(done.rows).toHaveLength(1)
    const [row] = rowsOf(done)
    expect(rowState(row!)).toBe('scaled')
    expect(row!.result?.outcome === 'done' && row!.result.outputs[0]).toMatchObject({ outcome: 'scaled', size: { width: 400, height: 267 } })
    // Its bar on the lanes: from when main heard it start to when it heard it finish.
    expect(row).toMatchObject({ startMs: 10, endMs: 10 })
    expect(done.running.size).toBe(0)
  })

  it('shows the engine’s counts, never its own: the progress’s while running, the summary’s at the end', () => {
    // Rows alone count nothing: the engine's counts are the only ones (no second count to disagree).
    const rowsOnly = running(update(finished(made('a.jpg', 'copied'))))
    expect(countsOf(rowsOnly)).toEqual(unitCounts())

    const live = batchReducer(rowsOnly, update(progress({ done: 1, total: 3, counts: { copied: 1, skipped: 4 } })))
    expect(countsOf(live)).toEqual(unitCounts({ copied: 1, skipped: 4 }))

    const over = batchReducer(live, update(progress({ done: 3, total: 3, counts: { copied: 1, skipped: 4 } }), summary({ counts: { copied: 2, scaled: 1, skipped: 4 } })))
    expect(countsOf(over)).toEqual(unitCounts({ copied: 2, scaled: 1, skipped: 4 }))
  })

  it('keeps discovery order whatever order files finish in, within and across updates', () => {
    const state = running(
      update(started('a.jpg', 1), started('b.jpg', 2)),
      update(finished(made('b.jpg', 'copied'), 2), started('c.jpg', 2), finished(skippedFile('c.jpg', 'corrupt'), 2)),
      update(finished(made('a.jpg', 'scaled'), 1))
    )
    expect(rowsOf(state).map((row) => [row.file, rowState(row)])).toEqual([
      ['a.jpg', 'scaled'],
      ['b.jpg', 'copied'],
      ['c.jpg', 'skipped']
    ])
  })

  it('a second started for a file on a worker updates its row instead of adding one', () => {
    const state = running(update(started('a.jpg', 1)), update(started('a.jpg', 3)))
    expect(rowsOf(state)).toEqual([{ file: 'a.jpg', worker: 3, result: null, startMs: 10 }])
  })

  it('adds files that never reach a worker as finished rows, and files stopped on a worker as canceled in their row', () => {
    const state = running(
      update(started('a.jpg', 1), started('b.jpg', 2)),
      cancel,
      stopNow,
      update(
        finished(canceledFile('b.jpg'), 2),
        finished(skippedFile('c.txt', 'not-an-image'), null),
        finished(canceledFile('a.jpg'), 1),
        progress({ done: 3, total: 3, counts: { skipped: 1, canceled: 2 } })
      )
    )
    expect(state.canceling).toBe(true)
    expect(state.stopping).toBe(true)
    expect(rowsOf(state).map((row) => [row.file, rowState(row), row.worker])).toEqual([
      ['a.jpg', 'canceled', 1],
      ['b.jpg', 'canceled', 2],
      ['c.txt', 'skipped', null]
    ])
    expect(state.running.size).toBe(0)
    expect(countsOf(state).canceled).toBe(2)
  })

  it('keeps the latest progress and when it arrived', () => {
    const state = running(update(progress({ done: 1, total: 5 }), progress({ done: 2, total: 9, scanning: false })))
    expect(state.progress).toMatchObject({ done: 2, total: 9, scanning: false })
    expect(state.progressAt).toBe(1000)
    expect(state.phase).toBe('running')
  })

  it('a start names the batch and keeps what was asked until main answers with what it accepted', () => {
    const asked = reduce(requested)
    expect(asked).toMatchObject({ phase: 'running', batchId: OURS, request: REQUEST, awaitingStart: true })
    const answered = batchReducer(asked, accepted)
    expect(answered).toMatchObject({ phase: 'running', batchId: OURS, request: ACCEPTED, awaitingStart: false })
  })

  it("ignores another id's updates even before start answers: the old batch's summary does not end the new one", () => {
    // The previous batch ends just as this one starts: its last update arrives before start() answers.
    const asked = reduce(requested)
    const starting = batchReducer(asked, fromBatch(OLD, finished(made('old.jpg', 'copied')), progress({ done: 9, total: 9 }), summary({ counts: { copied: 9 } })))
    expect(starting).toBe(asked)
    const crashed = batchReducer(asked, { type: 'update', update: { batchId: OLD, events: [], at: [], error: { code: 'host-crashed', message: 'gone' } }, receivedAt: 5 })
    expect(crashed).toBe(asked)

    const answered = batchReducer(starting, accepted)
    expect(answered.phase).toBe('running')
    expect(answered.summary).toBeNull()
    expect(answered.error).toBeNull()
    expect(answered.rows).toHaveLength(0)
    expect(countsOf(answered)).toEqual(unitCounts())
  })

  it('applies updates of our id that arrive before the answer at once, in order: nothing is held', () => {
    const first = reduce(requested, updateOf([started('a.jpg', 1), progress({ done: 0, total: 2 })], OURS, 10))
    expect(first.awaitingStart).toBe(true)
    expect(rowsOf(first)).toEqual([{ file: 'a.jpg', worker: 1, result: null, startMs: 10 }])
    expect(first.progress).toMatchObject({ total: 2 })

    // A tiny folder: the whole batch, summary included, before start() answers.
    const over = [
      fromBatch(OLD, finished(made('old.jpg', 'scaled')), summary({ counts: { scaled: 1 } })),
      updateOf(
        [finished(made('a.jpg', 'copied'), 1), finished(skippedFile('b.jpg', 'corrupt'), null), progress({ done: 2, total: 2, scanning: false, counts: { copied: 1, skipped: 1 } })],
        OURS,
        20
      ),
      updateOf([summary({ counts: { copied: 1, skipped: 1 } })], OURS, 30)
    ].reduce(batchReducer, first)
    expect(over.phase).toBe('done')
    expect(over.awaitingStart).toBe(true)
    expect(over.summary).toMatchObject({ todo: 2, counts: { copied: 1, skipped: 1 } })
    expect(rowsOf(over).map((row) => [row.file, rowState(row)])).toEqual([
      ['a.jpg', 'copied'],
      ['b.jpg', 'skipped']
    ])
    expect(over.progressAt).toBe(20)

    // The answer comes last: the batch stays over, and the run view gets main's request.
    const answered = batchReducer(over, accepted)
    expect(answered).toMatchObject({ phase: 'done', awaitingStart: false, request: ACCEPTED })
    expect(answered.rows).toBe(over.rows)
    expect(answered.summary).toBe(over.summary)
  })

  it('a dry run’s planned files become rows in the planned state', () => {
    const state = running(update(planned('a.jpg'), planned('sub/b.jpg', { width: 300, height: 200 })))
    const rows = rowsOf(state)
    expect(rows.map((row) => [row.file, rowState(row), row.worker, row.result])).toEqual([
      ['a.jpg', 'planned', null, null],
      ['sub/b.jpg', 'planned', null, null]
    ])
    expect(rows[1]?.plan?.outputs[0]).toMatchObject({ action: 'scale', size: { width: 300, height: 200 } })
    expect(rows.filter(isProblem)).toEqual([])
    expect(state.running.size).toBe(0)
  })

  it("ignores another batch's updates while ours runs", () => {
    const state = running(update(started('a.jpg', 1), progress({ done: 0, total: 5 })))
    const after = batchReducer(state, fromBatch(OLD, finished(made('theirs.jpg', 'copied')), progress({ done: 9, total: 9 }), summary({ counts: { copied: 9 } })))
    expect(after).toBe(state)
    const error = batchReducer(state, { type: 'update', update: { batchId: OLD, events: [], at: [], error: { code: 'host-crashed', message: 'gone' } }, receivedAt: 5 })
    expect(error).toBe(state)
    const ours = batchReducer(state, update(finished(made('a.jpg', 'scaled'), 1)))
    expect(rowsOf(ours).map(rowState)).toEqual(['scaled'])
  })

  it('an answer for another id, or after the page went back to the form, changes nothing', () => {
    const asked = reduce(requested)
    expect(batchReducer(asked, { type: 'start-accepted', batchId: OLD, request: REQUEST })).toBe(asked)
    expect(batchReducer(asked, refused(OLD))).toBe(asked)
    const back = reduce(requested, refused())
    expect(batchReducer(back, accepted)).toBe(back)
    expect(batchReducer(initialBatchState, accepted)).toBe(initialBatchState)
    expect(batchReducer(initialBatchState, refused())).toBe(initialBatchState)
  })

  it('ends the batch on an error, keeping the rows seen so far', () => {
    const state = batchReducer(running(update(finished(made('a.jpg', 'copied')))), {
      type: 'update',
      update: { batchId: OURS, events: [], at: [], error: { code: 'internal', message: 'internal error: the journal could not be written' } },
      receivedAt: 5
    })
    expect(state.phase).toBe('done')
    expect(state.error).toEqual({ code: 'internal', message: 'internal error: the journal could not be written' })
    expect(state.rows).toHaveLength(1)
    expect(batchReducer(state, update(finished(made('late.jpg', 'copied'))))).toBe(state)
  })

  it('a refused start goes back to the form with the reason, forgetting whatever arrived meanwhile', () => {
    const state = reduce(requested, update(started('mine.jpg', 1)), fromBatch(OLD, started('theirs.jpg', 1)), refused())
    expect(state.phase).toBe('setup')
    expect(state.batchId).toBeNull()
    expect(state.request).toBeNull()
    expect(state.awaitingStart).toBe(false)
    expect(rowsOf(state)).toEqual([])
    expect(state.startError).toEqual({ code: START_BUSY, message: 'a batch is already running' })
    // Updates are ignored on the form again, and the next start clears the reason.
    expect(batchReducer(state, update(started('late.jpg', 1)))).toBe(state)
    expect(batchReducer(state, requested).startError).toBeNull()
  })

  it('cancel is only meaningful while a batch runs', () => {
    expect(batchReducer(initialBatchState, cancel).canceling).toBe(false)
    const over = running(update(summary()))
    expect(batchReducer(over, cancel).canceling).toBe(false)
  })

  it('Stop now is only meaningful while canceling a batch that has not ended', () => {
    expect(batchReducer(running(), stopNow).stopping).toBe(false)
    expect(batchReducer(initialBatchState, stopNow).stopping).toBe(false)
    expect(running(cancel, stopNow).stopping).toBe(true)
    const over = running(cancel, update(summary({ canceled: true })))
    expect(batchReducer(over, stopNow).stopping).toBe(false)
    // A new batch starts neither canceling nor stopping.
    expect(batchReducer(running(cancel, stopNow), requested)).toMatchObject({ canceling: false, stopping: false })
  })

  it('new batch returns to an empty form state', () => {
    const state = batchReducer(running(update(finished(made('a.jpg', 'copied')), summary())), { type: 'new-batch' })
    expect(state).toEqual(initialBatchState)
  })

  it('never changes the state it was given', () => {
    const before = running(update(started('a.jpg', 1)))
    const snapshot = structuredClone({ rows: before.rows, running: [...before.running], progress: before.progress })
    batchReducer(before, update(finished(failedOutput('a.jpg', 'no-space'), 1), started('b.jpg', 1), progress({ done: 1, counts: { failed: 1 } })))
    expect({ rows: before.rows, running: [...before.running], progress: before.progress }).toEqual(snapshot)
    expect(before.progress).toBeNull()
  })

  it('an update copies only the rows it touches, however long the list', () => {
    const many = Array.from({ length: 3000 }, (_, i) => finished(made(`f${i}.jpg`, 'copied')))
    const before = running(updateOf(many), update(started('last.jpg', 1)))
    const after = batchReducer(before, update(finished(made('last.jpg', 'scaled'), 1), progress({ done: 3001 })))
    expect(after.rows.chunks[0]).toBe(before.rows.chunks[0])
    expect(after.rows.chunks[1]).toBe(before.rows.chunks[1])
    expect(after.rows.chunks[2]).not.toBe(before.rows.chunks[2])
    expect(rowState(itemAt(after.rows, 3000)!)).toBe('scaled')
    expect(itemAt(before.rows, 3000)?.result).toBeNull()
  })

  it('counts files found but not yet on a worker as queued', () => {
    const state = running(update(started('a.jpg', 1), started('b.jpg', 2), finished(made('a.jpg', 'copied'), 1), progress({ done: 1, total: 10 })))
    expect(queuedCount(state)).toBe(10 - 1 - 1)
    expect(queuedCount(batchReducer(state, update(summary())))).toBe(0)
  })

  it('a problem is what a person must look at: failures, cancels, damage and unexpected skips, not files already there', () => {
    const state = running(
      update(
        finished(made('ok.jpg', 'scaled')),
        finished(made('damaged.jpg', 'scaled', { warning: 'premature end of JPEG data' })),
        finished(skippedFile('notes.txt', 'not-an-image')),
        finished(skippedOutput('kept.jpg', 'target-exists')),
        finished(skippedOutput('resumed.jpg', 'already-done')),
        finished(failedOutput('full.jpg', 'no-space')),
        finished(canceledFile('stopped.jpg'))
      )
    )
    expect(rowsOf(state).filter(isProblem).map((row) => row.file)).toEqual(['damaged.jpg', 'notes.txt', 'full.jpg', 'stopped.jpg'])
    // A file still on its worker is not (yet) a problem.
    expect(isProblem({ file: 'busy.jpg', worker: 1, result: null })).toBe(false)
  })

  it('folds 100,000 files the same in one update as in a thousand', () => {
    const files = Array.from({ length: 100_000 }, (_, i) => `folder-${i % 100}/image-${i}.jpg`)
    const events = files.flatMap((file, i): BatchEvent[] => [
      started(file, (i % 8) + 1),
      finished(i % 10 === 0 ? skippedFile(file, 'corrupt') : made(file, 'scaled'), (i % 8) + 1)
    ])

    const at = events.map((_, i) => i)
    const once = running(updateOf(events, OURS, 1000, at))
    let state = running()
    for (let i = 0; i < events.length; i += 200) state = batchReducer(state, updateOf(events.slice(i, i + 200), OURS, 1000, at.slice(i, i + 200)))

    for (const folded of [once, state]) {
      expect(folded.rows).toHaveLength(100_000)
      expect(itemAt(folded.rows, 99_999)?.file).toBe(files[99_999])
      const states = rowsOf(folded).map(rowState)
      expect(states.filter((each) => each === 'skipped')).toHaveLength(10_000)
      expect(states.filter((each) => each === 'scaled')).toHaveLength(90_000)
      expect(folded.running.size).toBe(0)
    }
    expect(rowsOf(state)).toEqual(rowsOf(once))
  })
})
