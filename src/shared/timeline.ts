import type { BatchEvent, FileResult, Outcome, StageTimes } from './batch'
import { bytesMade, fileOutcome } from './file-outcome'

/**
 * When each file was on a worker, as the process that ran the batch heard it: the clock is read
 * as each event arrives, so every figure is this run's own, and nothing is inferred.
 */

/** One file as it ended, in milliseconds from the batch's start. */
export interface FileTiming {
  file: string
  /**
   * Which of the batch's `workers` slots held the file (1…N): a slot holds one file at a
   * time, so with N workers there are N lanes. Null for a file that never reached a worker
   * (skipped when probed, already done, canceled before it started).
   */
  lane: number | null
  /** When a worker took it; for a file that never reached one, when it was settled. */
  startMs: number
  endMs: number
  /** What the engine timed of it: reading in the pool host, then a worker's scale and write. */
  times: StageTimes
  outcome: Outcome
  bytesIn: number
  bytesOut: number
  /** Why it was skipped, failed or canceled (the first output's reason when the file was made in part). */
  reason: string | null
}

/** Each core's busy share (0–1) over the half second before `atMs`, from the operating system. */
export interface CpuSample {
  atMs: number
  busy: number[]
}

function reasonOf(result: FileResult): string | null {
  if (result.outcome === 'skipped' || result.outcome === 'failed') return result.reason
  if (result.outcome === 'canceled') return 'canceled'
  for (const output of result.outputs) {
    if (output.outcome === 'skipped' || output.outcome === 'failed') return output.reason
    if (output.outcome === 'canceled') return 'canceled'
  }
  return null
}

/** Records a batch's files from its events, each with when it was heard (ms from the batch's start). */
export function timelineRecorder(): { observe(event: BatchEvent, atMs: number): void; timings(): FileTiming[] } {
  const started = new Map<string, number>()
  const timings: FileTiming[] = []
  return {
    observe(event, atMs) {
      if (event.type === 'started') started.set(event.file, atMs)
      if (event.type !== 'finished') return
      const { result, worker } = event
      const endMs = atMs
      const startMs = started.get(result.file) ?? endMs
      started.delete(result.file)
      timings.push({
        file: result.file,
        lane: worker,
        startMs,
        endMs,
        times: result.times,
        outcome: fileOutcome(result),
        bytesIn: result.bytesIn,
        bytesOut: bytesMade(result),
        reason: reasonOf(result)
      })
    },
    timings: () => [...timings]
  }
}
