import { performance } from 'node:perf_hooks'
import type { Progress, Summary } from '../shared/batch'

/** At most 20 progress events a second, whatever the file rate: a UI or a pipe is never flooded. */
export const PROGRESS_INTERVAL_MS = 50

/** What progress needs beyond the running summary, which already counts files done and bytes. */
export interface ProgressState {
  total: number
  scanning: boolean
  /** Files on a worker right now. */
  inFlight: number
  /** Files that went through a worker; the rest cost no time and would inflate the rate. */
  processed: number
}

export function progressOf(state: ProgressState, summary: Summary, elapsedMs: number): Progress {
  const seconds = elapsedMs / 1000
  const imagesPerSecond = seconds > 0 ? state.processed / seconds : 0
  const remaining = Math.max(0, state.total - summary.files)
  return {
    done: summary.files,
    total: Math.max(state.total, summary.files),
    scanning: state.scanning,
    inFlight: state.inFlight,
    counts: { ...summary.counts },
    warnings: summary.warnings,
    bytesIn: summary.bytesIn,
    bytesOut: summary.bytesOut,
    elapsedMs,
    imagesPerSecond,
    etaMs: !state.scanning && imagesPerSecond > 0 ? (remaining / imagesPerSecond) * 1000 : null
  }
}

/**
 * Emits progress at most every 50 ms, and always once more after the last change, so the
 * figures shown settle on the truth (in flight, done) instead of on whatever came 40 ms before.
 */
export class ProgressTicker {
  private last = -Infinity
  private trailing: NodeJS.Timeout | null = null
  readonly startedAt = performance.now()

  constructor(
    private readonly state: ProgressState,
    private readonly summary: Summary,
    private readonly emit: (progress: Progress) => void
  ) {}

  changed(): void {
    const wait = this.last + PROGRESS_INTERVAL_MS - performance.now()
    if (wait <= 0) this.now()
    else this.trailing ??= setTimeout(() => this.now(), wait)
  }

  now(): void {
    if (this.trailing) clearTimeout(this.trailing)
    this.trailing = null
    const now = performance.now()
    this.last = now
    this.emit(progressOf(this.state, this.summary, now - this.startedAt))
  }

  elapsed(): number {
    return performance.now() - this.startedAt
  }
}
