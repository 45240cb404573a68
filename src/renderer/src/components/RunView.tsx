import { useCallback, useEffect, useRef, useState } from 'react'
import { summaryLine } from '../../../shared/summary-text'
import { useApi } from '../api-context'
import { formatCount } from '../format'
import { useDocumentTitle } from '../hooks/useDocumentTitle'
import { useKeyDown } from '../hooks/useKeyDown'
import { countsOf, queuedCount, type BatchState } from '../state/batch'
import type { FormValues } from '../state/settings'
import { FileList } from './FileList'
import { ProgressPanel } from './ProgressPanel'
import { SummaryPanel } from './SummaryPanel'

interface Props {
  batch: BatchState
  form: FormValues
  onCancel: () => void
  onStopNow: () => void
  onNewBatch: () => void
}

const EXISTING_HINTS: Record<FormValues['existing'], string> = {
  skip: 'existing outputs kept',
  overwrite: 'existing outputs overwritten',
  rename: 'existing outputs kept, new ones renamed'
}

function headline(batch: BatchState): string {
  if (batch.error) return 'Stopped'
  if (batch.summary) return batch.summary.canceled ? 'Canceled' : 'Done'
  if (batch.stopping) return 'Stopping now…'
  return batch.canceling ? 'Canceling…' : 'Scaling…'
}

function windowTitle(batch: BatchState): string {
  const progress = batch.progress
  if (batch.phase === 'done' || !progress || progress.total === 0) return `${headline(batch)} · ImageScale`
  return `${Math.floor((progress.done / progress.total) * 100)}% · ImageScale`
}

/** A batch from its first update to its summary: progress, then the summary, over the file list. */
export function RunView({ batch, form, onCancel, onStopNow, onNewBatch }: Props) {
  const api = useApi()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const [problemsOnly, setProblemsOnly] = useState(false)
  const done = batch.phase === 'done'
  const cancelable = !done && !batch.canceling

  useDocumentTitle(windowTitle(batch))
  useKeyDown('Escape', onCancel, cancelable)
  useEffect(() => headingRef.current?.focus(), [])

  const showOutput = useCallback((file: string) => void api.showOutput(file), [api])

  return (
    <main className="run">
      <header className="run-header">
        <h2 ref={headingRef} tabIndex={-1}>
          {headline(batch)}
        </h2>
        <p className="route">
          <span className="path">{form.source}</span> <span aria-hidden="true">→</span>
          <span className="visually-hidden">to</span> <span className="path">{form.target}</span>
        </p>
        <p className="hint">
          {formatCount(Number(form.size))} px · {form.mode} · {form.workers} worker threads · {form.recursive ? 'with' : 'without'} sub-folders ·{' '}
          {EXISTING_HINTS[form.existing]}
        </p>
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
          problemsOnly={problemsOnly}
          onToggleProblems={() => setProblemsOnly((value) => !value)}
          onOpenTarget={() => void api.showTarget()}
          onNewBatch={onNewBatch}
        />
      ) : (
        <ProgressPanel batch={batch} onCancel={onCancel} onStopNow={onStopNow} />
      )}

      <FileList
        rows={batch.rows}
        problemsOnly={done && problemsOnly}
        follow={!done}
        queued={queuedCount(batch)}
        scanning={batch.progress?.scanning ?? true}
        notStarted={batch.summary?.notStarted ?? 0}
        onShowOutput={done ? showOutput : null}
      />
    </main>
  )
}
