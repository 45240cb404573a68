import { useEffect, useRef, type ReactNode } from 'react'
import { OUTCOMES, type Outcome, type Summary } from '../../../shared/batch'
import { formatBytes, formatCount, formatDuration } from '../../../shared/format'
import { nothingFoundHint, reasonBreakdown } from '../../../shared/summary-text'
import { formatRate } from '../format'

interface Props {
  /** Null when the batch stopped without one; the counts seen so far stand in. */
  summary: Summary | null
  counts: Readonly<Record<Outcome, number>>
  problemsOnly: boolean
  onToggleProblems: () => void
  onOpenTarget: () => void
  onNewBatch: () => void
  /** `Resume (12 left)`, `Start this plan`; null when there is nothing more to do. */
  runAgain: string | null
  onRunAgain: () => void
  /** More actions of the run view, at the end of the row. */
  children?: ReactNode
}

/** What the batch did, and what to do next. */
export function SummaryPanel({ summary, counts, problemsOnly, onToggleProblems, onOpenTarget, onNewBatch, runAgain, onRunAgain, children }: Props) {
  const headingRef = useRef<HTMLHeadingElement>(null)
  // Cancel had the focus and is gone now: keep keyboard users where the news is.
  useEffect(() => {
    if (document.activeElement === null || document.activeElement === document.body) headingRef.current?.focus()
  }, [])

  // Throughput counts what was worked on: canceled units cost no time.
  const processed = summary ? summary.todo - summary.counts.canceled : 0
  const reasons = summary ? reasonBreakdown(summary) : []
  const hint = summary ? nothingFoundHint(summary) : null
  const seconds = summary ? summary.elapsedMs / 1000 : 0

  return (
    <section className="panel summary" aria-labelledby="summary-heading">
      {/* The actions share the heading's line: the list below gets the height. */}
      <div className="summary-head">
        <h2 id="summary-heading" ref={headingRef} tabIndex={-1}>
          Summary
        </h2>
        <ul className="tiles">
          {OUTCOMES.map((outcome) => (
            <li key={outcome} className={`tile state-${outcome}`} data-count={outcome}>
              <span className="tile-count">{formatCount(counts[outcome])}</span> {outcome}
            </li>
          ))}
        </ul>
        <div className="panel-actions">
          <button type="button" onClick={onOpenTarget}>
            Open target folder
          </button>
          <button type="button" onClick={onToggleProblems} aria-pressed={problemsOnly}>
            {problemsOnly ? 'Show all files' : 'Show problems'}
          </button>
          {runAgain && (
            <button type="button" className="primary" onClick={onRunAgain}>
              {runAgain}
            </button>
          )}
          <button type="button" className={runAgain ? undefined : 'primary'} onClick={onNewBatch}>
            New batch
          </button>
          {children}
        </div>
      </div>
      {hint && <p className="hint nothing-found">{hint}</p>}
      {reasons.length > 0 && (
        <ul className="reasons" aria-label="Reasons">
          {reasons.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      {summary && (
        <dl className="stats">
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
