import { act } from '@testing-library/react'
import { vi } from 'vitest'
import type { ImageScaleApi } from '../../src/shared/api'
import type { BatchEvent, Dimensions, FilePlan, FileResult, ImageFormat, Outcome, OutputResult, Progress, StageTimes, Summary } from '../../src/shared/batch'
import type { Preview } from '../../src/shared/preview'
import { BUILT_IN_PRESETS, BUILT_IN_NAMES, type PresetEntry, type PresetName } from '../../src/shared/presets'
import type { BatchRequest, Recipe } from '../../src/shared/recipe'
import type { BatchUpdate, FilePurpose, FolderPurpose, PresetList, ReportFormat, SourceFiles, StartResult } from '../../src/shared/ipc'
import { FAIL_LABELS, SKIP_LABELS, type FailReason, type SkipReason } from '../../src/shared/reasons'
import { emptySummary } from '../../src/core/summary'

/** The built-in presets as main lists them. */
export const BUILT_IN_ENTRIES: PresetList = BUILT_IN_NAMES.map(
  (name): PresetEntry => ({ name, description: BUILT_IN_PRESETS[name].description, from: 'built-in', builtIn: true, preset: BUILT_IN_PRESETS[name] })
)

/** A preset of the user's own, as main lists it. */
export const userPreset = (name: PresetName, recipe: Recipe, description = ''): PresetEntry => ({
  name,
  description,
  from: `/config/presets/${name}.json`,
  builtIn: false,
  preset: { description, outputs: recipe.outputs }
})

interface FakeOptions {
  cores?: number
  folders?: Partial<Record<FolderPurpose, string | null>>
  /** What main answers to start: by default it accepts the request as sent. */
  start?: StartResult | ((batchId: string, request: BatchRequest) => StartResult | Promise<StartResult>)
  /** The full paths the file dialog answers with ([] when dismissed). */
  files?: string[]
  presets?: PresetList
}

/**
 * A stand-in for the preload's window.api, the renderer's only boundary: it records calls
 * and pushes the BatchUpdate objects a test builds. Nothing here imitates the engine.
 */
export function fakeApi(options: FakeOptions = {}) {
  const listeners = new Set<(update: BatchUpdate) => void>()
  const droppedPaths = new Map<File, string | null>()
  let clock = 0
  let presets: PresetList = options.presets ?? BUILT_IN_ENTRIES
  const answer = (batchId: string, request: BatchRequest): StartResult | Promise<StartResult> => {
    const given = options.start
    if (typeof given === 'function') return given(batchId, request)
    return given ?? { ok: true, request }
  }
  const listed = (): Promise<PresetList> => Promise.resolve(presets)
  const api = {
    appInfo: vi.fn(async () => ({ cores: options.cores ?? 6, version: '0.1.0', platform: 'linux' })),
    pickFolder: vi.fn(async (purpose: FolderPurpose, _current?: string) => options.folders?.[purpose] ?? null),
    pickFiles: vi.fn(async (_purpose: FilePurpose, _current?: string): Promise<string[]> => options.files ?? []),
    start: vi.fn(async (batchId: string, request: BatchRequest): Promise<StartResult> => answer(batchId, request)),
    cancel: vi.fn(async () => undefined),
    stopNow: vi.fn(async () => undefined),
    showTarget: vi.fn(async () => undefined),
    showOutput: vi.fn(async (_file: string) => undefined),
    copyText: vi.fn(async (_text: string) => undefined),
    sourceFiles: vi.fn(async (_source: string, _recursive: boolean): Promise<SourceFiles> => ({ files: [], more: false })),
    preview: vi.fn(async (_path: string, _recipe: Recipe, _maxPixels: number): Promise<Preview> => {
      throw new Error('no preview in these tests')
    }),
    presets: {
      list: vi.fn(listed),
      save: vi.fn(async (name: PresetName, description: string, recipe: Recipe): Promise<PresetList> => {
        presets = [...presets.filter((entry) => entry.name !== name), userPreset(name, recipe, description)]
        return presets
      }),
      rename: vi.fn(async (from: PresetName, to: PresetName): Promise<PresetList> => {
        presets = presets.map((entry) => (entry.name === from ? { ...entry, name: to } : entry))
        return presets
      }),
      remove: vi.fn(async (name: PresetName): Promise<PresetList> => {
        presets = presets.filter((entry) => entry.name !== name)
        return presets
      }),
      import: vi.fn(async (): Promise<{ imported: PresetName | null; presets: PresetList }> => ({ imported: null, presets })),
      export: vi.fn(async (_name: PresetName): Promise<boolean> => false)
    },
    exportReport: vi.fn(async (_format: ReportFormat): Promise<boolean> => true),
    onUpdate: vi.fn((listener: (update: BatchUpdate) => void) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    }),
    pathForDroppedFile: vi.fn((file: File) => droppedPaths.get(file) ?? null)
  } satisfies ImageScaleApi

  /** The id the page gave its latest batch (recorded whatever the start answered). */
  const lastId = (): string => {
    const id = api.start.mock.calls.at(-1)?.[0]
    if (id === undefined) throw new Error('the page has not started a batch')
    return id
  }

  return {
    api,
    listeners,
    lastId,
    /** Every id the page named a batch with, in order. */
    batchIds: (): string[] => api.start.mock.calls.map((call) => call[0]),
    /** The request the page sent with its `n`th start (the latest by default). */
    sent(n = -1): BatchRequest {
      const call = api.start.mock.calls.at(n)
      if (!call) throw new Error('the page has not started a batch')
      return call[1]
    },
    /** Delivers one update of the page's latest batch the way the preload would, inside act so React settles. */
    /** Each event heard 10 ms of the batch's clock after the one before, across updates. */
    push(...events: BatchEvent[]): void {
      const batchId = lastId()
      const at = events.map(() => (clock += 10))
      act(() => {
        for (const listener of listeners) listener({ batchId, events, at })
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

/** A promise and the function that settles it, for answers a test gives when it chooses. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined
  const promise = new Promise<T>((settle) => (resolve = settle))
  return { promise, resolve }
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

/** A file stopped while it was being worked on (Stop now): no half-written file was left; outputs finished before the stop are kept. */
export const canceledFile = (file: string, message = 'stopped while it was being worked on; no half-written file was left'): FileResult => ({
  file,
  bytesIn: 0,
  times: NO_TIMES,
  outcome: 'canceled',
  message
})

export const finished = (result: FileResult, worker: number | null = 1): BatchEvent => ({ type: 'finished', worker, result })

/** A dry run's plan for a file whose one output would be scaled to `size`. */
export function planned(file: string, size: Dimensions = { width: 400, height: 267 }, shown: Dimensions = { width: 6000, height: 4000 }): BatchEvent {
  const plan: FilePlan = {
    file,
    info: { format: 'jpeg', shown, frames: 1, alpha: false, bytes: 5000 },
    outputs: [{ output: 0, path: file, action: 'scale', size, format: 'jpeg', existing: { kind: 'none' } }]
  }
  return { type: 'planned', plan }
}

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
