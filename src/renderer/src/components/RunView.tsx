import { useCallback, useEffect, useRef, useState } from 'react'
import { formatCount, plural } from '../../../shared/format'
import type { BatchRequest } from '../../../shared/recipe'
import { summaryLine } from '../../../shared/summary-text'
import { useApi } from '../api-context'
import { describeOutput } from '../format'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useKeyDown } from '../hooks/useKeyDown'
import { countsOf, queuedCount, type BatchState } from '../state/batch'
import { ALL_ROWS, type ListView } from '../state/list-view'
import { FileList } from './FileList'
import { ProgressPanel } from './ProgressPanel'
import { SummaryPanel } from './SummaryPanel'
import { WorkerLanes } from './WorkerLanes'

/** Whether the lanes are shown is remembered: who comes to watch the workers wants them every time. */
const LANES_KEY = 'imagescale.lanes.v1'

interface Props {
  batch: BatchState
  onCancel: () => void
  onStopNow: () => void
  onNewBatch: () => void
  /** Runs the same request again, for real: a plan carried out, or what a cancel left. */
  onRunAgain: () => void
}

const EXISTING_HINTS: Record<BatchRequest['existing'], string> = {
  skip: 'existing outputs kept',
  overwrite: 'existing outputs overwritten',
  rename: 'existing outputs kept, new ones renamed'
}

function headline(batch: BatchState): string {
  const dryRun = batch.request?.dryRun ?? false
  if (batch.error) return 'Stopped'
  if (batch.summary) return batch.summary.canceled ? 'Canceled' : dryRun ? 'Plan' : 'Done'
  if (batch.stopping) return 'Stopping now…'
  if (batch.canceling) return 'Canceling…'
  return dryRun ? 'Planning…' : 'Scaling…'
}

/** What a second run of the same request would do, as its button says; null when there is nothing to do. */
function runAgainLabel(batch: BatchState): string | null {
  if (batch.phase !== 'done' || !batch.request) return null
  if (batch.request.dryRun) return batch.summary && !batch.summary.canceled ? 'Start this plan' : null
  if (!batch.summary) return 'Resume'
  const left = batch.summary.counts.canceled + batch.summary.counts.failed
  return left > 0 ? `Resume (${formatCount(left)} left)` : null
}

function windowTitle(batch: BatchState): string {
  const progress = batch.progress
  if (batch.phase === 'done' || !progress || progress.total === 0) return `${headline(batch)} · ImageScale`
  return `${Math.floor((progress.done / progress.total) * 100)}% · ImageScale`
}

/** A batch from its first update to its summary: progress, then the summary, over the file list. */
export function RunView({ batch, onCancel, onStopNow, onNewBatch, onRunAgain }: Props) {
  const api = useApi()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const [view, setView] = useState<ListView>(ALL_ROWS)
  const [lanesShown, setLanesShown] = useState(() => localStorage.getItem(LANES_KEY) === 'shown')
  const toggleLanes = (): void => {
    localStorage.setItem(LANES_KEY, lanesShown ? 'hidden' : 'shown')
    setLanesShown(!lanesShown)
  }
  // A plan has no workers to watch.
  const lanesToggle = batch.request?.dryRun ? null : (
    <button type="button" className="link" onClick={toggleLanes} aria-expanded={lanesShown}>
      {lanesShown ? 'Hide worker lanes' : 'Show worker lanes'}
    </button>
  )
  const done = batch.phase === 'done'
  const cancelable = !done && !batch.canceling

  useDocumentTitle(windowTitle(batch))
  useKeyDown('Escape', onCancel, cancelable)
  useEffect(() => headingRef.current?.focus(), [])

  const showOutput = useCallback((file: string) => void api.showOutput(file), [api])
  const request = batch.request

  return (
    <main className="run">
      <header className="run-header">
        <h2 ref={headingRef} tabIndex={-1}>
          {headline(batch)}
        </h2>
        {request && (
          <>
            <p className="route">
              <span className="path">{request.source}</span> <span aria-hidden="true">→</span>
              <span className="visually-hidden">to</span> <span className="path">{request.target}</span>
            </p>
            <ul className="hint recipe-lines" aria-label="Outputs">
              {request.recipe.outputs.map((spec, index) => (
                <li key={index}>{describeOutput(spec)}</li>
              ))}
            </ul>
            <p className="hint">
              {request.files ? `${plural(request.files.length, 'picked file')} · ` : ''}
              {plural(request.workers, 'worker thread')} · {request.files ? 'flat' : request.recursive ? 'with sub-folders' : 'without sub-folders'} · {EXISTING_HINTS[request.existing]}
              {request.dryRun ? ' · a plan only: nothing is written' : ''}
            </p>
          </>
        )}
      </header>

      <p role="status" aria-live="polite" aria-atomic="true" className="book-line">
        {batch.summary ? summaryLine(batch.summary) : ''}
      </p>

      {batch.error && (
        <div role="alert" className="form-error">
          The batch stopped before it could finish: {batch.error.message}
        </div>
      )}

      {done ? (
        <SummaryPanel
          summary={batch.summary}
          counts={countsOf(batch)}
          problemsOnly={view.filter === 'problems'}
          onToggleProblems={() => setView((current) => ({ ...current, filter: current.filter === 'problems' ? 'all' : 'problems' }))}
          onOpenTarget={() => void api.showTarget()}
          onNewBatch={onNewBatch}
          runAgain={runAgainLabel(batch)}
          onRunAgain={onRunAgain}
        >
          {lanesToggle}
        </SummaryPanel>
      ) : (
        <ProgressPanel batch={batch} onCancel={onCancel} onStopNow={onStopNow}>
          {lanesToggle}
        </ProgressPanel>
      )}

      {lanesShown && lanesToggle && <WorkerLanes batch={batch} />}

      <FileList
        rows={batch.rows}
        view={view}
        onView={setView}
        controls={done}
        follow={!done}
        queued={queuedCount(batch)}
        scanning={batch.progress?.scanning ?? true}
        notStarted={batch.summary?.notStarted ?? 0}
        onShowOutput={done ? showOutput : null}
      />
    </main>
  )
}
