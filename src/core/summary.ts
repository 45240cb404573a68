import type { FilePlan, FileResult, Outcome, Summary } from '../shared/batch'
import type { FailReason, SkipReason } from '../shared/reasons'

export function emptySummary(workers: number, outputs: number, dryRun: boolean): Summary {
  return {
    files: 0,
    outputs,
    todo: 0,
    counts: { copied: 0, scaled: 0, skipped: 0, failed: 0, canceled: 0 },
    skippedBy: {},
    failedBy: {},
    warnings: 0,
    remade: 0,
    notStarted: 0,
    foldersNotEntered: 0,
    canceled: false,
    dryRun,
    workers,
    peakParallel: 0,
    hostRestarts: 0,
    elapsedMs: 0,
    bytesIn: 0,
    bytesOut: 0
  }
}

function bump<K extends string>(counts: Partial<Record<K, number>>, key: K, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by
}

function countUnit(summary: Summary, outcome: Outcome, reason?: SkipReason | FailReason, by = 1): void {
  summary.todo += by
  summary.counts[outcome] += by
  if (outcome === 'skipped') bump(summary.skippedBy, reason as SkipReason, by)
  if (outcome === 'failed') bump(summary.failedBy, reason as FailReason, by)
}

/** Every unit lands in exactly one bucket, so the buckets always add up to todo. */
export function countResult(summary: Summary, result: FileResult): void {
  summary.files += 1
  summary.bytesIn += result.bytesIn
  if (result.outcome !== 'done') {
    countUnit(summary, result.outcome, result.outcome === 'skipped' || result.outcome === 'failed' ? result.reason : undefined)
    return
  }
  for (const output of result.outputs) {
    switch (output.outcome) {
      case 'copied':
      case 'scaled':
        countUnit(summary, output.outcome)
        summary.bytesOut += output.bytes
        if (output.warning) summary.warnings += 1
        if (output.replaced === 'stale') summary.remade += 1
        break
      case 'skipped':
      case 'failed':
        countUnit(summary, output.outcome, output.reason)
        break
      case 'canceled':
        countUnit(summary, 'canceled')
        break
    }
  }
}

/** A dry run counts what would happen, in the same buckets. */
export function countPlan(summary: Summary, plan: FilePlan): void {
  summary.files += 1
  for (const output of plan.outputs) {
    if (output.action === 'skip') countUnit(summary, 'skipped', output.reason)
    else {
      countUnit(summary, output.action === 'copy' ? 'copied' : 'scaled')
      // What it would write: the estimates, summed.
      summary.bytesOut += output.estimatedBytes ?? 0
    }
  }
}

/** Files canceled before they started: counted, not reported one by one. */
export function countNotStarted(summary: Summary, files: number): void {
  summary.files += files
  summary.notStarted += files
  countUnit(summary, 'canceled', undefined, files * summary.outputs)
}
