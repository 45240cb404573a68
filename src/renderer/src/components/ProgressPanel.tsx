import { Fragment } from 'react'
import type { FileAction } from '../../../shared/batch'
import { formatBytes, formatDuration } from '../../../shared/format'
import { formatCount, formatRate } from '../format'
import { useNow } from '../hooks/useNow'
import type { BatchState } from '../state/batch'
import { ProgressBar } from './ProgressBar'

const LIVE_COUNTS: readonly FileAction[] = ['copied', 'scaled', 'skipped', 'failed', 'canceled']

interface Props {
  batch: BatchState
  onCancel: () => void
}

/** The running batch: bar, rate, clocks, live counts, and Cancel (or Esc). */
export function ProgressPanel({ batch, onCancel }: Props) {
  const { progress, counts, canceling } = batch
  const now = useNow(!canceling)
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
          <dd>{formatCount(progress?.inFlight ?? 0)}</dd>
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
          {LIVE_COUNTS.filter((action) => action !== 'canceled' || counts.canceled > 0).map((action, index) => (
            <Fragment key={action}>
              {index > 0 && ' · '}
              {/* Each label stays with its number when the line wraps. */}
              <span className="live-count">
                {action} {formatCount(counts[action])}
              </span>
            </Fragment>
          ))}
        </p>
        <button type="button" className="danger" onClick={onCancel} disabled={canceling} aria-keyshortcuts="Escape">
          {canceling ? 'Canceling…' : 'Cancel'}
        </button>
        {!canceling && (
          <span className="hint" aria-hidden="true">
            or press <kbd>Esc</kbd>
          </span>
        )}
      </div>
    </section>
  )
}
