import { rowState, type FileRow, type RowState } from './batch'
import type { ChunkedList } from './rows'
import type { CpuSample } from '../../../shared/timeline'

/**
 * The worker lanes: for each of the batch's N slots, the files it held, as bars on the batch's
 * clock (when main heard each file start and finish). A file still on its worker runs to now.
 */

export interface Bar {
  /** Row index, for naming the file under the pointer. */
  row: number
  startMs: number
  /** Null while the file is still on its worker. */
  endMs: number | null
  state: RowState
}

export interface LaneStats {
  lane: number
  files: number
  /** Share of the run so far (0–1) this lane had a file: the rest is idle. */
  busy: number
}

/** Bars per lane (lane n at index n − 1); files that never reached a worker have none. */
export function laneBars(rows: ChunkedList<FileRow>, lanes: number): Bar[][] {
  const bars: Bar[][] = Array.from({ length: lanes }, () => [])
  let row = 0
  for (const chunk of rows.chunks) {
    for (const item of chunk) {
      const lane = item.worker === null ? undefined : bars[item.worker - 1]
      if (lane && item.startMs !== undefined) lane.push({ row, startMs: item.startMs, endMs: item.endMs ?? null, state: rowState(item) })
      row += 1
    }
  }
  return bars
}

/** The clock's end so far: the last thing heard, or now while the batch runs. */
export const spanOf = (bars: readonly Bar[][], nowMs: number | null): number =>
  Math.max(nowMs ?? 0, ...bars.flatMap((lane) => lane.map((bar) => bar.endMs ?? bar.startMs)), 1)

export function laneStats(bars: readonly Bar[][], spanMs: number): LaneStats[] {
  return bars.map((lane, i) => ({
    lane: i + 1,
    files: lane.length,
    busy: Math.min(1, lane.reduce((sum, bar) => sum + ((bar.endMs ?? spanMs) - bar.startMs), 0) / spanMs)
  }))
}

/** The visible stretch of the clock, [from, to] ms; zooming keeps `at` where it is on screen. */
export interface View {
  from: number
  to: number
}

export function zoomed(view: View, factor: number, at: number, spanMs: number): View {
  const width = Math.min(spanMs, Math.max(1, (view.to - view.from) / factor))
  const from = Math.min(Math.max(0, at - (at - view.from) / factor), Math.max(0, spanMs - width))
  return { from, to: from + width }
}

export function panned(view: View, byMs: number, spanMs: number): View {
  const width = view.to - view.from
  const from = Math.min(Math.max(0, view.from + byMs), Math.max(0, spanMs - width))
  return { from, to: from + width }
}

/** Each core's average busy share over the samples so far (0–1): did the workers have the machine? */
export function coreAverages(samples: readonly CpuSample[]): number[] {
  const cores = samples[0]?.busy.length ?? 0
  return Array.from({ length: cores }, (_, core) => samples.reduce((sum, sample) => sum + (sample.busy[core] ?? 0), 0) / samples.length)
}

/** Files finished per second, in buckets of `bucketMs` from the start: the throughput over time. */
export function throughput(bars: readonly Bar[][], spanMs: number, bucketMs = 500): number[] {
  const buckets = new Array<number>(Math.max(1, Math.ceil(spanMs / bucketMs))).fill(0)
  for (const lane of bars) {
    for (const bar of lane) if (bar.endMs !== null) buckets[Math.min(buckets.length - 1, Math.floor(bar.endMs / bucketMs))]! += 1
  }
  return buckets.map((count) => count / (bucketMs / 1000))
}
