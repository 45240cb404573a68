import type { Progress } from '../shared/batch'

/** At most 20 progress events a second, whatever the file rate: a UI or a pipe is never flooded. */
export const PROGRESS_INTERVAL_MS = 50

export interface ProgressState {
  done: number
  total: number
  scanning: boolean
  inFlight: number
  bytesIn: number
  bytesOut: number
  /** Files that went through a worker; canceled ones cost no time and would inflate the rate. */
  processed: number
}

export function progressOf(state: ProgressState, elapsedMs: number): Progress {
  const seconds = elapsedMs / 1000
  const imagesPerSecond = seconds > 0 ? state.processed / seconds : 0
  const remaining = Math.max(0, state.total - state.done)
  return {
    done: state.done,
    total: state.total,
    scanning: state.scanning,
    inFlight: state.inFlight,
    bytesIn: state.bytesIn,
    bytesOut: state.bytesOut,
    elapsedMs,
    imagesPerSecond,
    etaMs: !state.scanning && imagesPerSecond > 0 ? (remaining / imagesPerSecond) * 1000 : null
  }
}
