import { useEffect, useRef } from 'react'
import type { FailReason, FileAction, SkipReason, Summary } from '../../../shared/batch'
import { formatBytes, formatDuration } from '../../../shared/format'
import { FAIL_LABELS, SKIP_LABELS } from '../../../shared/reasons'
import { formatCount, formatRate } from '../format'

interface Props {
  /** Null when the batch stopped without one; the counts seen so far stand in. */
  summary: Summary | null
  counts: Readonly<Record<FileAction, number>>
  problemsOnly: boolean
  onToggleProblems: () => void
  onOpenTarget: () => void
  onNewBatch: () => void
}

const TILES: { action: FileAction; label: string }[] = [
  { action: 'copied', label: 'copied' },
  { action: 'scaled', label: 'scaled' },
  { action: 'skipped', label: 'skipped' },
  { action: 'failed', label: 'failed' },
  { action: 'canceled', label: 'canceled' }
]

function tileCount(summary: Summary | null, counts: Props['counts'], action: FileAction): number {
  if (!summary) return counts[action]
  return action === 'canceled' ? summary.canceledFiles : summary[action]
}

/** Reasons, most frequent first, in the words of SKIP_LABELS and FAIL_LABELS. */
function reasons(summary: Summary): { key: string; text: string; count: number }[] {
  const skipped = (Object.entries(summary.skippedBy) as [SkipReason, number][]).map(([reason, count]) => ({
    key: `skipped-${reason}`,
    text: `skipped: ${SKIP_LABELS[reason]}`,
    count
  }))
  const failed = (Object.entries(summary.failedBy) as [FailReason, number][]).map(([reason, count]) => ({
    key: `failed-${reason}`,
    text: `failed: ${FAIL_LABELS[reason]}`,
    count
  }))
  return [...skipped.sort((a, b) => b.count - a.count), ...failed.sort((a, b) => b.count - a.count)]
}

/** What the batch did, and what to do next. */
export function SummaryPanel({ summary, counts, problemsOnly, onToggleProblems, onOpenTarget, onNewBatch }: Props) {
  const headingRef = useRef<HTMLHeadingElement>(null)
  // Cancel had the focus and is gone now: keep keyboard users where the news is.
  useEffect(() => {
    if (document.activeElement === null || document.activeElement === document.body) headingRef.current?.focus()
  }, [])

  const processed = summary ? summary.todo - summary.canceledFiles : 0
  const seconds = summary ? summary.elapsedMs / 1000 : 0

  return (
    <section className="panel summary" aria-labelledby="summary-heading">
      {/* The actions share the heading's line: the list below gets the height. */}
      <div className="summary-head">
        <h2 id="summary-heading" ref={headingRef} tabIndex={-1}>
          Summary
        </h2>
        <div className="panel-actions">
          <button type="button" onClick={onOpenTarget}>
            Open target folder
          </button>
          <button type="button" onClick={onToggleProblems} aria-pressed={problemsOnly}>
            Show problems
          </button>
          <button type="button" className="primary" onClick={onNewBatch}>
            New batch
          </button>
        </div>
      </div>
      <ul className="tiles">
        {TILES.map(({ action, label }) => (
          <li key={action} className={`tile state-${action}`} data-count={action}>
            <span className="tile-count">{formatCount(tileCount(summary, counts, action))}</span> {label}
          </li>
        ))}
      </ul>
      {summary && reasons(summary).length > 0 && (
        <ul className="reasons" aria-label="Reasons">
          {reasons(summary).map(({ key, text, count }) => (
            <li key={key}>
              {text} <strong>{formatCount(count)}</strong>
            </li>
          ))}
        </ul>
      )}
      {summary && (
        <dl className="stats">
          <div>
            <dt>Worker threads</dt>
            <dd>{summary.workers}</dd>
          </div>
          <div>
            <dt>Peak images in flight</dt>
            <dd>{summary.peakParallel}</dd>
          </div>
          <div>
            <dt>Total time</dt>
            <dd>{formatDuration(summary.elapsedMs)}</dd>
          </div>
          <div>
            <dt>Throughput</dt>
            <dd>{formatRate(seconds > 0 ? processed / seconds : 0)}</dd>
          </div>
          <div>
            <dt>Data</dt>
            <dd>
              {formatBytes(summary.bytesIn)} → {formatBytes(summary.bytesOut)}
            </dd>
          </div>
        </dl>
      )}
    </section>
  )
}
