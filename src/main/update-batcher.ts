import type { BatchEvent } from '../shared/batch'
import type { BatchUpdate } from '../shared/ipc'
import type { CpuSample } from '../shared/timeline'
import { PROGRESS_INTERVAL_MS } from '../core/progress'

/**
 * Collects engine events and hands them on at most every 50 ms as one update, keeping
 * only the newest progress: 100,000 files become a few thousand messages, not 300,000.
 */
export class UpdateBatcher {
  private events: BatchEvent[] = []
  private at: number[] = []
  private cpu: CpuSample[] = []
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly batchId: string,
    private readonly deliver: (update: BatchUpdate) => void
  ) {}

  /** `atMs`: when the event was heard, from the batch's start. */
  push(event: BatchEvent, atMs: number): void {
    if (event.type === 'progress') {
      const previous = this.events.findLastIndex((queued) => queued.type === 'progress')
      if (previous >= 0) {
        this.events.splice(previous, 1)
        this.at.splice(previous, 1)
      }
    }
    this.events.push(event)
    this.at.push(atMs)
    if (event.type === 'summary') this.flush()
    else this.timer ??= setTimeout(() => this.flush(), PROGRESS_INTERVAL_MS)
  }

  pushCpu(sample: CpuSample): void {
    this.cpu.push(sample)
    this.timer ??= setTimeout(() => this.flush(), PROGRESS_INTERVAL_MS)
  }

  /** Sends what is queued now; an error, if given, rides on the same update. */
  flush(error?: BatchUpdate['error']): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.events.length === 0 && this.cpu.length === 0 && !error) return
    const update: BatchUpdate = { batchId: this.batchId, events: this.events, at: this.at, ...(this.cpu.length > 0 ? { cpu: this.cpu } : {}), ...(error ? { error } : {}) }
    this.events = []
    this.at = []
    this.cpu = []
    this.deliver(update)
  }
}
