import type { FailReason, FileResult, SkipReason, Summary } from '../shared/batch'

export function emptySummary(workers: number): Summary {
  return {
    todo: 0,
    copied: 0,
    scaled: 0,
    skipped: 0,
    skippedBy: {},
    failed: 0,
    failedBy: {},
    canceled: false,
    canceledFiles: 0,
    workers,
    peakParallel: 0,
    elapsedMs: 0,
    bytesIn: 0,
    bytesOut: 0
  }
}

function bump<K extends string>(counts: Partial<Record<K, number>>, key: K | undefined): void {
  if (key) counts[key] = (counts[key] ?? 0) + 1
}

/** Every file lands in exactly one bucket, so the buckets always add up to todo. */
export function countResult(summary: Summary, result: FileResult): void {
  summary.todo += 1
  summary.bytesIn += result.bytesIn
  summary.bytesOut += result.bytesOut
  switch (result.action) {
    case 'copied':
      summary.copied += 1
      break
    case 'scaled':
      summary.scaled += 1
      break
    case 'canceled':
      summary.canceledFiles += 1
      break
    case 'skipped':
      summary.skipped += 1
      bump(summary.skippedBy, result.reason as SkipReason | undefined)
      break
    case 'failed':
      summary.failed += 1
      bump(summary.failedBy, result.reason as FailReason | undefined)
      break
  }
}
