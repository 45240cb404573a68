import type { Progress, Summary } from '../shared/batch'

/** At most 20 progress events a second, whatever the file rate: a UI or a pipe is never flooded. */
export const PROGRESS_INTERVAL_MS = 50

/** What progress needs beyond the running summary, which already counts files done and bytes. */
export interface ProgressState {
  total: number
  scanning: boolean
  inFlight: number
  /** Files that went through a worker; canceled ones cost no time and would inflate the rate. */
  processed: number
}

export function progressOf(state: ProgressState, summary: Summary, elapsedMs: number): Progress {
  const seconds = elapsedMs / 1000
  const imagesPerSecond = seconds > 0 ? state.processed / seconds : 0
  const remaining = Math.max(0, state.total - summary.todo)
  return {
    done: summary.todo,
    total: state.total,
    scanning: state.scanning,
    inFlight: state.inFlight,
    bytesIn: summary.bytesIn,
    bytesOut: summary.bytesOut,
    elapsedMs,
    imagesPerSecond,
    etaMs: !state.scanning && imagesPerSecond > 0 ? (remaining / imagesPerSecond) * 1000 : null
  }
}
