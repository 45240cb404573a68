import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Piscina from 'piscina'
import sharp from 'sharp'
import type { BatchEvent, BatchOptions, FileResult, FileTask, Summary } from '../shared/batch'
import { messageOf } from './errors'
import { checkFolders, prepareTarget } from './folders'
import { Lanes } from './lanes'
import { parseBatchOptions } from './options'
import { PROGRESS_INTERVAL_MS, progressOf, type ProgressState } from './progress'
import { folderIdentity, scan, type ScanEntry } from './scan'
import { countResult, emptySummary } from './summary'
import { TargetFolders } from './target-folders'

export interface RunContext {
  /** The built worker file (its default export is scaleOne); only composition roots know it. */
  workerPath: string
  signal?: AbortSignal
  onEvent: (event: BatchEvent) => void
}

/** A result for a file no worker touched: canceled before it started, or unreachable. */
const untouched = (file: string, action: FileResult['action'], message: string, reason?: FileResult['reason']): FileResult => ({
  file,
  action,
  ...(reason ? { reason } : {}),
  message,
  bytesIn: 0,
  bytesOut: 0,
  times: { read: 0, scale: 0, write: 0 }
})

/**
 * Samples how many images libvips is working on at once. sharp's counters are process-wide,
 * so this sees every worker thread: it is the proof that N workers really run N images.
 */
function watchParallelism(): () => number {
  let peak = 0
  const timer = setInterval(() => {
    peak = Math.max(peak, sharp.counters().process)
  }, 5)
  timer.unref()
  return () => {
    clearInterval(timer)
    return peak
  }
}

/** Counts the files ahead of the dispatcher, so progress has a total and an ETA early. */
async function countFiles(source: string, options: BatchOptions, excludeFolders: ReadonlySet<string>, state: ProgressState): Promise<void> {
  let counted = 0
  try {
    for await (const entry of scan(source, { recursive: options.recursive, excludeFolders })) {
      void entry
      counted += 1
      state.total = Math.max(state.total, counted)
    }
  } finally {
    state.scanning = false
  }
}

export async function runBatch(input: BatchOptions, context: RunContext): Promise<Summary> {
  const options = parseBatchOptions(input)
  const { source, target } = await checkFolders(options.source, options.target)
  await prepareTarget(target)
  const excludeFolders = new Set([folderIdentity(await stat(target))])

  const signal = context.signal ?? new AbortController().signal
  const startedAt = performance.now()
  const summary = emptySummary(options.workers)
  const state: ProgressState = { total: 0, scanning: true, inFlight: 0, processed: 0 }
  let lastProgressAt = -Infinity
  const emitProgress = (force: boolean): void => {
    const now = performance.now()
    if (!force && now - lastProgressAt < PROGRESS_INTERVAL_MS) return
    lastProgressAt = now
    context.onEvent({ type: 'progress', progress: progressOf(state, summary, now - startedAt) })
  }

  const record = (result: FileResult, worker: number | null): void => {
    countResult(summary, result)
    state.total = Math.max(state.total, summary.todo)
    if (worker !== null) state.processed += 1
    context.onEvent({ type: 'finished', worker, result })
    emitProgress(false)
  }

  const pool = new Piscina<FileTask, FileResult>({
    filename: context.workerPath,
    minThreads: options.workers,
    maxThreads: options.workers,
    idleTimeout: Number.POSITIVE_INFINITY
  })
  const stopWatching = watchParallelism()
  const lanes = new Lanes(options.workers)
  const folders = new TargetFolders(source, target)
  const inFlight = new Set<Promise<void>>()

  const dispatch = (entry: ScanEntry, lane: number): void => {
    const targetPath = join(target, entry.relative)
    const task: FileTask = {
      sourcePath: entry.path,
      targetPath,
      file: entry.relative,
      size: options.size,
      mode: options.mode,
      existing: options.existing,
      maxPixels: options.maxPixels
    }
    state.inFlight += 1
    const job = (async () => {
      let result: FileResult
      try {
        await folders.prepare(targetPath)
        context.onEvent({ type: 'started', file: entry.relative, worker: lane })
        emitProgress(false)
        // No abort signal here on purpose: aborting a piscina task kills the thread but not
        // libvips, which would go on and write later. A started file is allowed to finish.
        result = await pool.run(task).catch((error: unknown) => untouched(entry.relative, 'failed', `worker failed: ${messageOf(error)}`, 'internal'))
      } catch (error) {
        result = untouched(entry.relative, 'failed', `cannot create the output folder: ${messageOf(error)}`, 'not-writable')
      }
      state.inFlight -= 1
      record(result, lane)
      lanes.release(lane)
    })()
    inFlight.add(job)
    void job.finally(() => inFlight.delete(job))
  }

  emitProgress(true)
  const counting = countFiles(source, options, excludeFolders, state).catch(() => undefined)
  try {
    for await (const entry of scan(source, { recursive: options.recursive, excludeFolders })) {
      if (entry.unreadable) {
        record(untouched(entry.relative, 'skipped', `cannot read the folder: ${entry.unreadable}`, 'corrupt'), null)
        continue
      }
      const lane = await lanes.acquire(signal)
      if (lane === null) record(untouched(entry.relative, 'canceled', 'canceled before it started'), null)
      else dispatch(entry, lane)
    }
    await Promise.all(inFlight)
    await counting
  } finally {
    summary.peakParallel = stopWatching()
    await pool.destroy()
  }

  summary.canceled = signal.aborted
  summary.elapsedMs = performance.now() - startedAt
  state.total = summary.todo
  state.scanning = false
  emitProgress(true)
  context.onEvent({ type: 'summary', summary })
  return summary
}
