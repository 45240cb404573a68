import { act } from '@testing-library/react'
import { vi } from 'vitest'
import type { ImageScaleApi } from '../../src/shared/api'
import type { BatchEvent, Dimensions, FileResult, ImageFormat, Outcome, OutputResult, Progress, StageTimes, Summary } from '../../src/shared/batch'
import type { BatchRequest } from '../../src/shared/recipe'
import type { BatchUpdate, FolderPurpose, StartResult } from '../../src/shared/ipc'
import { FAIL_LABELS, SKIP_LABELS, type FailReason, type SkipReason } from '../../src/shared/reasons'
import { emptySummary } from '../../src/core/summary'

/** The id the fake main gives the batch it accepts, and puts on every update `push` sends. */
export const BATCH_ID = 1

/**
 * A stand-in for the preload's window.api, the renderer's only boundary: it records calls
 * and pushes the BatchUpdate objects a test builds. Nothing here imitates the engine.
 */
export function fakeApi(options: { cores?: number; folders?: Partial<Record<FolderPurpose, string | null>>; start?: StartResult } = {}) {
  const listeners = new Set<(update: BatchUpdate) => void>()
  const droppedPaths = new Map<File, string | null>()
  const api = {
    appInfo: vi.fn(async () => ({ cores: options.cores ?? 6, version: '0.1.0', platform: 'linux' })),
    pickFolder: vi.fn(async (purpose: FolderPurpose, _current?: string) => options.folders?.[purpose] ?? null),
    start: vi.fn(async (_request: BatchRequest): Promise<StartResult> => options.start ?? { ok: true, batchId: BATCH_ID }),
    cancel: vi.fn(async () => undefined),
    stopNow: vi.fn(async () => undefined),
    showTarget: vi.fn(async () => undefined),
    showOutput: vi.fn(async (_file: string) => undefined),
    onUpdate: vi.fn((listener: (update: BatchUpdate) => void) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    }),
    pathForDroppedFile: vi.fn((file: File) => droppedPaths.get(file) ?? null)
  } satisfies ImageScaleApi

  return {
    api,
    listeners,
    /** Delivers one update of the accepted batch the way the preload would, inside act so React settles. */
    push(...events: BatchEvent[]): void {
      act(() => {
        for (const listener of listeners) listener({ batchId: BATCH_ID, events })
      })
    },
    pushUpdate(update: BatchUpdate): void {
      act(() => {
        for (const listener of listeners) listener(update)
      })
    },
    /** A File the fake preload resolves to `path` (or to no path at all). */
    droppedFolder(name: string, path: string | null): File {
      const file = new File([], name)
      droppedPaths.set(file, path)
      return file
    }
  }
}

export const started = (file: string, worker: number): BatchEvent => ({ type: 'started', file, worker })

const NO_TIMES: StageTimes = { read: 0, scale: 0, write: 0 }

interface MadeOptions {
  /** The source as a person sees it. */
  shown?: Dimensions
  /** The output's size (the source's for a copy). */
  size?: Dimensions
  format?: ImageFormat
  bytes?: number
  warning?: string
  times?: StageTimes
  /** The output's path below the target; the file's own by default. */
  path?: string
}

/** A file whose one output was copied or scaled, as the engine reports it. */
export function made(file: string, outcome: 'copied' | 'scaled', options: MadeOptions = {}): FileResult {
  const shown = options.shown ?? options.size ?? { width: 300, height: 200 }
  const size = options.size ?? shown
  const format = options.format ?? 'jpeg'
  const output: OutputResult = {
    output: 0,
    path: options.path ?? file,
    outcome,
    size,
    format,
    bytes: options.bytes ?? 1000,
    ...(options.warning ? { warning: options.warning } : {})
  }
  return {
    file,
    bytesIn: 5000,
    times: options.times ?? NO_TIMES,
    outcome: 'done',
    info: { format, shown, frames: 1, alpha: false, bytes: 5000 },
    outputs: [output]
  }
}

/** A file skipped as a whole (not an image, damaged, …). */
export const skippedFile = (file: string, reason: SkipReason, message: string = SKIP_LABELS[reason]): FileResult => ({
  file,
  bytesIn: 0,
  times: NO_TIMES,
  outcome: 'skipped',
  reason,
  message
})

/** A file read, whose one output was skipped (already there, already done). */
export const skippedOutput = (file: string, reason: SkipReason, message: string = SKIP_LABELS[reason]): FileResult => ({
  file,
  bytesIn: 0,
  times: NO_TIMES,
  outcome: 'done',
  outputs: [{ output: 0, path: file, outcome: 'skipped', reason, message }]
})

/** A file whose one output could not be written (disk full, not writable). */
export const failedOutput = (file: string, reason: FailReason, message: string = FAIL_LABELS[reason]): FileResult => ({
  file,
  bytesIn: 5000,
  times: NO_TIMES,
  outcome: 'done',
  outputs: [{ output: 0, path: file, outcome: 'failed', reason, message }]
})

/** A file that failed as a whole (the pool host crashed while it held it). */
export const failedFile = (file: string, reason: FailReason, message: string = FAIL_LABELS[reason]): FileResult => ({
  file,
  bytesIn: 0,
  times: NO_TIMES,
  outcome: 'failed',
  reason,
  message
})

/** A file stopped while it was being worked on (Stop now): nothing of it was written. */
export const canceledFile = (file: string, message = 'stopped while it was being worked on; nothing of it was written'): FileResult => ({
  file,
  bytesIn: 0,
  times: NO_TIMES,
  outcome: 'canceled',
  message
})

export const finished = (result: FileResult, worker: number | null = 1): BatchEvent => ({ type: 'finished', worker, result })

export type Counts = Record<Outcome, number>
export const unitCounts = (counts: Partial<Counts> = {}): Counts => ({ copied: 0, scaled: 0, skipped: 0, failed: 0, canceled: 0, ...counts })

export function progress(extra: Omit<Partial<Progress>, 'counts'> & { counts?: Partial<Counts> } = {}): BatchEvent {
  const { counts, ...rest } = extra
  return {
    type: 'progress',
    progress: {
      done: 0,
      total: 0,
      scanning: true,
      inFlight: 0,
      warnings: 0,
      bytesIn: 0,
      bytesOut: 0,
      elapsedMs: 0,
      imagesPerSecond: 0,
      etaMs: null,
      ...rest,
      counts: unitCounts(counts)
    }
  }
}

export type SummaryExtra = Omit<Partial<Summary>, 'counts'> & { counts?: Partial<Counts> }

export const summary = (extra: SummaryExtra = {}): BatchEvent => ({ type: 'summary', summary: summaryOf(extra) })

/** A summary of a one-output batch on 4 workers; `todo` is the sum of the counts unless given. */
export function summaryOf(extra: SummaryExtra = {}): Summary {
  const { counts: given, ...rest } = extra
  const counts = unitCounts(given)
  const units = Object.values(counts).reduce((sum, count) => sum + count, 0)
  return { ...emptySummary(4, 1, false), peakParallel: 4, elapsedMs: 1000, todo: units, files: units, ...rest, counts }
}
