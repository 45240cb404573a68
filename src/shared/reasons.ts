import type { FailReason, SkipReason, Summary } from './batch'

export const SKIP_LABELS: Record<SkipReason, string> = {
  'not-an-image': 'not an image',
  'unsupported-format': 'unsupported format',
  corrupt: 'unreadable or corrupt',
  'too-large': 'too large',
  'target-exists': 'target exists'
}

export const FAIL_LABELS: Record<FailReason, string> = {
  'no-space': 'disk full',
  'not-writable': 'target not writable',
  'write-error': 'write error',
  internal: 'internal error'
}

/** The book's closing line: `copied N scaled M skipped K using P worker threads [canceled]`. */
export function summaryLine(summary: Summary): string {
  const parts = [`copied ${summary.copied}`, `scaled ${summary.scaled}`]
  if (summary.skipped > 0) parts.push(`skipped ${summary.skipped}`)
  if (summary.failed > 0) parts.push(`failed ${summary.failed}`)
  const threads = summary.workers === 1 ? 'worker thread' : 'worker threads'
  return `${parts.join(' ')} using ${summary.workers} ${threads}${summary.canceled ? ' [canceled]' : ''}`
}

/** `not an image 2, corrupt 1`: why files were skipped or failed, most frequent first. */
export function reasonBreakdown(summary: Summary): string[] {
  const lines: string[] = []
  const skipped = Object.entries(summary.skippedBy) as [SkipReason, number][]
  const failed = Object.entries(summary.failedBy) as [FailReason, number][]
  for (const [reason, count] of skipped.sort((a, b) => b[1] - a[1])) lines.push(`skipped ${count}: ${SKIP_LABELS[reason]}`)
  for (const [reason, count] of failed.sort((a, b) => b[1] - a[1])) lines.push(`failed ${count}: ${FAIL_LABELS[reason]}`)
  if (summary.canceledFiles > 0) lines.push(`canceled ${summary.canceledFiles}: not started`)
  return lines
}
