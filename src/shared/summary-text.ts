import type { Summary } from './batch'
import { plural } from './format'
import { FAIL_LABELS, SKIP_LABELS, type FailReason, type SkipReason } from './reasons'

/**
 * The book's closing line: `copied N scaled M skipped K using P worker threads [canceled]`,
 * with `failed F` when any failed and the damaged among the scaled; a dry run says what it would do.
 */
export function summaryLine(summary: Summary): string {
  const { counts } = summary
  const verbs = summary.dryRun ? ['would copy', 'scale', 'skip', 'fail'] : ['copied', 'scaled', 'skipped', 'failed']
  const damaged = summary.warnings > 0 ? ` (${summary.warnings} damaged)` : ''
  const parts = [`${verbs[0]} ${counts.copied}`, `${verbs[1]} ${counts.scaled}${damaged}`]
  if (counts.skipped > 0) parts.push(`${verbs[2]} ${counts.skipped}`)
  if (counts.failed > 0) parts.push(`${verbs[3]} ${counts.failed}`)
  const threads = summary.workers === 1 ? 'worker thread' : 'worker threads'
  return `${parts.join(' ')} using ${summary.workers} ${threads}${summary.canceled ? ' [canceled]' : ''}${summary.dryRun ? ' [dry run: nothing written]' : ''}`
}

/** `skipped 2: not an image`: why outputs were skipped, failed or canceled, most frequent first. */
export function reasonBreakdown(summary: Summary): string[] {
  const lines: string[] = []
  const skipped = Object.entries(summary.skippedBy) as [SkipReason, number][]
  const failed = Object.entries(summary.failedBy) as [FailReason, number][]
  for (const [reason, count] of skipped.sort((a, b) => b[1] - a[1])) lines.push(`skipped ${count}: ${SKIP_LABELS[reason]}`)
  for (const [reason, count] of failed.sort((a, b) => b[1] - a[1])) lines.push(`failed ${count}: ${FAIL_LABELS[reason]}`)
  const stopped = summary.counts.canceled - summary.notStarted * summary.outputs
  if (summary.notStarted > 0) lines.push(`canceled ${summary.notStarted * summary.outputs}: not started (${plural(summary.notStarted, 'file')})`)
  if (stopped > 0) lines.push(`canceled ${stopped}: stopped while being worked on, nothing written`)
  if (summary.warnings > 0) lines.push(`warning ${summary.warnings}: damaged, decoded leniently (see each file)`)
  if (summary.hostRestarts > 0) lines.push(`restarted the image pool ${plural(summary.hostRestarts, 'time')}: it crashed or stopped answering (see the failed files)`)
  if (summary.remade > 0) lines.push(`remade ${summary.remade}: made by an earlier run with other settings`)
  return lines
}

/** Shown when a batch found nothing to do, so an empty result is never a silent one. */
export function nothingFoundHint(summary: Summary): string | null {
  if (summary.files > 0) return null
  if (summary.foldersNotEntered > 0) {
    return `no files at the top level of the source; ${plural(summary.foldersNotEntered, 'sub-folder was', 'sub-folders were')} not entered (flat)`
  }
  return 'no files were found in the source folder'
}
