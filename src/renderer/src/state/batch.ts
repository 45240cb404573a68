import type { BatchEvent, FilePlan, FileResult, Outcome, Progress, Summary } from '../../../shared/batch'
import type { BatchRequest } from '../../../shared/recipe'
import type { Problem } from '../../../shared/reasons'
import { fileOutcome, isProblem as resultIsProblem } from '../../../shared/file-outcome'
import type { BatchUpdate } from '../../../shared/ipc'
import type { CpuSample } from '../../../shared/timeline'
import { emptyList, ListDraft, type ChunkedList } from './rows'

/** One file of the batch, in the order the scanner found it. */
export interface FileRow {
  file: string
  /** The worker thread that has (or had) it; null for files that never reached one. */
  worker: number | null
  /** Null while the file is on its worker, and for a file a dry run planned. */
  result: FileResult | null
  /** A dry run's plan for the file. */
  plan?: FilePlan
  /** When main heard the file start on its worker, and finish, in ms from the batch's start: the lanes' bars. */
  startMs?: number
  endMs?: number
}

export type RowState = 'running' | 'planned' | Outcome

export const rowState = (row: FileRow): RowState => (row.result ? fileOutcome(row.result) : row.plan ? 'planned' : 'running')

export type Phase =
  /** The form: updates are ignored, they belong to no batch of ours. */
  | 'setup'
  /** Start was sent: updates carrying our batch's id (and only those) are applied. */
  | 'running'
  /** A summary or an error arrived: the batch is over. */
  | 'done'

export interface BatchState {
  phase: Phase
  /** The id this page gave its batch; every update of it carries the same. */
  batchId: string | null
  /** What was asked, then what main accepted (its defaults filled in): what the run view describes. */
  request: BatchRequest | null
  /** Start was sent and main has not answered yet. */
  awaitingStart: boolean
  rows: ChunkedList<FileRow>
  /**
   * Row index of every file still on a worker. At most one per worker thread, so
   * copying it on each update is cheap, unlike a file → row index of 100,000 entries.
   */
  running: ReadonlyMap<string, number>
  progress: Progress | null
  /** When the latest progress arrived (performance.now()), to keep clocks moving between updates. */
  progressAt: number
  /** The batch's clock at the latest event main heard (ms from its start), and when that update arrived here: the lanes' now. */
  heardMs: number
  heardAt: number
  /** The cores' busy shares main sampled while the batch ran, oldest first. */
  cpu: CpuSample[]
  summary: Summary | null
  /** The batch ended without a summary. */
  error: Problem | null
  canceling: boolean
  /** Stop now was asked: files on a worker are being abandoned. */
  stopping: boolean
  /** Why main refused the last start, for the form. */
  startError: Problem | null
}

export type BatchAction =
  | { type: 'start-requested'; batchId: string; request: BatchRequest }
  | { type: 'start-accepted'; batchId: string; request: BatchRequest }
  | ({ type: 'start-refused'; batchId: string } & Problem)
  | { type: 'update'; update: BatchUpdate; receivedAt: number }
  | { type: 'cancel-requested' }
  | { type: 'stop-now-requested' }
  | { type: 'new-batch' }

export const initialBatchState: BatchState = {
  phase: 'setup',
  batchId: null,
  request: null,
  awaitingStart: false,
  rows: emptyList(),
  running: new Map(),
  progress: null,
  progressAt: 0,
  heardMs: 0,
  heardAt: 0,
  cpu: [],
  summary: null,
  error: null,
  canceling: false,
  stopping: false,
  startError: null
}

export function batchReducer(state: BatchState, action: BatchAction): BatchState {
  switch (action.type) {
    case 'start-requested':
      return { ...initialBatchState, phase: 'running', batchId: action.batchId, request: action.request, awaitingStart: true }
    case 'start-accepted':
      return state.batchId === action.batchId ? { ...state, request: action.request, awaitingStart: false } : state
    case 'start-refused':
      return state.batchId === action.batchId ? { ...initialBatchState, startError: { code: action.code, message: action.message } } : state
    case 'update':
      return state.phase === 'running' && action.update.batchId === state.batchId ? applyUpdate(state, action.update, action.receivedAt) : state
    case 'cancel-requested':
      return state.phase === 'running' ? { ...state, canceling: true } : state
    case 'stop-now-requested':
      return state.canceling && state.phase !== 'done' ? { ...state, stopping: true } : state
    case 'new-batch':
      return initialBatchState
  }
}

/** Folds a whole update at once: one copy of what it touches, however many events it carries. */
function applyUpdate(state: BatchState, update: BatchUpdate, receivedAt: number): BatchState {
  const draft: Draft = {
    ...state,
    rows: new ListDraft(state.rows),
    running: new Map(state.running)
  }
  update.events.forEach((event, i) => applyEvent(draft, event, receivedAt, update.at[i] ?? 0))
  if (update.cpu) draft.cpu = [...state.cpu, ...update.cpu]
  const heard = update.at.at(-1)
  if (heard !== undefined) {
    draft.heardMs = heard
    draft.heardAt = receivedAt
  }
  const { rows, ...rest } = draft
  const next: BatchState = { ...rest, rows: rows.finish() }
  if (update.error) next.error = update.error
  if (next.summary || next.error) next.phase = 'done'
  return next
}

type Draft = Omit<BatchState, 'rows' | 'running'> & {
  rows: ListDraft<FileRow>
  running: Map<string, number>
}

function applyEvent(state: Draft, event: BatchEvent, receivedAt: number, atMs: number): void {
  switch (event.type) {
    case 'started': {
      const index = state.running.get(event.file)
      const row: FileRow = { file: event.file, worker: event.worker, result: null, startMs: atMs }
      if (index === undefined) state.running.set(event.file, state.rows.push(row))
      else state.rows.set(index, row)
      break
    }
    case 'finished': {
      const { result } = event
      const index = state.running.get(result.file)
      const startMs = index === undefined ? undefined : state.rows.get(index)?.startMs
      const row: FileRow = { file: result.file, worker: event.worker, result, ...(startMs === undefined ? {} : { startMs, endMs: atMs }) }
      // Files that never reach a worker (canceled, unreadable folders) arrive finished only.
      if (index === undefined) {
        state.rows.push(row)
      } else {
        state.rows.set(index, row)
        state.running.delete(result.file)
      }
      break
    }
    case 'planned':
      state.rows.push({ file: event.plan.file, worker: null, result: null, plan: event.plan })
      break
    case 'progress':
      state.progress = event.progress
      state.progressAt = receivedAt
      break
    case 'summary':
      state.summary = event.summary
      break
  }
}

export const isProblem = (row: FileRow): boolean => row.result !== null && resultIsProblem(row.result)

const noCounts: Readonly<Record<Outcome, number>> = { copied: 0, scaled: 0, skipped: 0, failed: 0, canceled: 0 }

/** The counts to show: the summary's once there is one, else the latest progress's (both from the engine). */
export const countsOf = (state: BatchState): Readonly<Record<Outcome, number>> => state.summary?.counts ?? state.progress?.counts ?? noCounts

/** Files found but not yet on a worker: the scanner names them only when they start. */
export function queuedCount(state: BatchState): number {
  if (!state.progress || state.phase === 'done') return 0
  return Math.max(0, state.progress.total - state.progress.done - state.running.size)
}
