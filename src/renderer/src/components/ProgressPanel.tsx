import { Fragment, type ReactNode } from 'react'
import { OUTCOMES } from '../../../shared/batch'
import { formatBytes, formatCount, formatDuration } from '../../../shared/format'
import { formatRate } from '../format'
import { useNow } from '../hooks/useNow'
import { countsOf, type BatchState } from '../state/batch'
import { ProgressBar } from './ProgressBar'

interface Props {
  batch: BatchState
  onCancel: () => void
  onStopNow: () => void
  /** More actions of the run view, at the end of the row. */
  children?: ReactNode
}

/** The running batch: bar, rate, clocks, live counts, and Cancel (or Esc). */
export function ProgressPanel({ batch, onCancel, onStopNow, children }: Props) {
  const { progress, canceling, stopping } = batch
  const counts = countsOf(batch)
  // The clock runs on while canceling: a slow last file must not look like a hang.
  const now = useNow(true)
  // Progress arrives only when files finish; between updates the clocks keep moving on their own.
  const since = progress ? Math.max(0, now - batch.progressAt) : 0
  const elapsed = progress ? progress.elapsedMs + since : 0
  const eta = progress?.etaMs == null ? null : Math.max(0, progress.etaMs - since)
  const done = progress?.done ?? 0
  const total = progress?.total ?? 0
  const scanning = progress?.scanning ?? true
  const totalText = `${formatCount(total)}${scanning ? '+' : ''}`

  return (
    <section className="panel progress-panel" aria-label="Progress">
      <div className="progress-line">
        <ProgressBar done={done} total={total} scanning={scanning} />
        <p className="progress-count">
          <strong>{formatCount(done)}</strong> of {totalText}
        </p>
      </div>
      <dl className="stats">
        <div>
          <dt>Speed</dt>
          <dd>{progress ? formatRate(progress.imagesPerSecond) : '—'}</dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd>{formatDuration(elapsed)}</dd>
        </div>
        <div>
          <dt>Remaining</dt>
          <dd>{eta === null ? (scanning ? 'counting files…' : '—') : `about ${formatDuration(eta)}`}</dd>
        </div>
        <div>
          <dt>In flight</dt>
          {/* The rows on a worker, so the figure and the list can never disagree. */}
          <dd>{formatCount(batch.running.size)}</dd>
        </div>
        <div>
          <dt>Data</dt>
          <dd>
            {formatBytes(progress?.bytesIn ?? 0)} → {formatBytes(progress?.bytesOut ?? 0)}
          </dd>
        </div>
      </dl>
      <div className="panel-actions">
        <p className="live-counts">
          {OUTCOMES.filter((outcome) => outcome !== 'canceled' || counts.canceled > 0).map((outcome, index) => (
            <Fragment key={outcome}>
              {index > 0 && ' · '}
              {/* Each label stays with its number when the line wraps. */}
              <span className="live-count">
                {outcome} {formatCount(counts[outcome])}
              </span>
            </Fragment>
          ))}
          {(progress?.warnings ?? 0) > 0 && <span className="live-count"> · damaged {formatCount(progress?.warnings ?? 0)}</span>}
        </p>
        <button type="button" className="danger" onClick={onCancel} disabled={canceling} aria-keyshortcuts="Escape">
          {canceling ? 'Canceling…' : 'Cancel'}
        </button>
        {canceling && (
          <button type="button" className="danger" onClick={onStopNow} disabled={stopping}>
            {stopping ? 'Stopping…' : 'Stop now'}
          </button>
        )}
        {canceling && !stopping && batch.running.size > 0 && (
          <span className="hint">
            waiting for {formatCount(batch.running.size)} {batch.running.size === 1 ? 'file' : 'files'} on a worker; Stop now abandons {batch.running.size === 1 ? 'it' : 'them'}, writing nothing
          </span>
        )}
        {!canceling && (
          <span className="hint" aria-hidden="true">
            or press <kbd>Esc</kbd>
          </span>
        )}
        {children}
      </div>
    </section>
  )
}
