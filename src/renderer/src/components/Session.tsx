import { useCallback, useState } from 'react'
import type { FolderPurpose } from '../../../shared/ipc'
import type { BatchRequest } from '../../../shared/recipe'
import { useApi } from '../api-context'
import { messageOf } from '../format'
import { useBatch } from '../hooks/useBatch'
import { useFolderDrop, type Dropped } from '../hooks/useFolderDrop'
import { useStoredForm } from '../hooks/useStoredForm'
import { assignDroppedFolders, pickFiles, toRequest, type FormValues } from '../state/settings'
import { RunView } from './RunView'
import { SetupForm } from './SetupForm'

/** Folders fill the folder fields; photos (of one folder) become the picked files of their folder. */
function withDropped(form: FormValues, dropped: Dropped[], onto: FolderPurpose | null): FormValues {
  const folders = dropped.filter((item) => item.folder).map((item) => item.path)
  if (folders.length > 0) {
    const assigned = assignDroppedFolders(form, folders, onto)
    return { ...form, ...assigned, ...(assigned.source === form.source ? {} : { files: null, leftOut: 0 }) }
  }
  const picked = pickFiles(dropped.map((item) => item.path))
  return picked ? { ...form, source: picked.source, files: picked.files, leftOut: picked.leftOut } : form
}

/** One window's life: the form, the batch it starts, the summary, and back. */
export function Session({ cores, version }: { cores: number; version: string }) {
  const api = useApi()
  const [form, setForm] = useStoredForm(cores)
  const [batch, dispatch] = useBatch()
  const [returning, setReturning] = useState(false)
  const [fromForm, setFromForm] = useState(true)
  // A start from the form keeps the form up until main has said yes: a refusal is shown where it can be fixed.
  const inSetup = batch.phase === 'setup' || (batch.awaitingStart && fromForm)

  const onDrop = useCallback((dropped: Dropped[], onto: FolderPurpose | null) => setForm((current) => withDropped(current, dropped, onto)), [setForm])
  const dragging = useFolderDrop(batch.phase === 'setup', onDrop)

  /** Starts a batch under an id of the page's own, which every update of it will carry. */
  const start = async (request: BatchRequest | null): Promise<void> => {
    if (!request || batch.phase === 'running') return
    const batchId = crypto.randomUUID()
    dispatch({ type: 'start-requested', batchId, request })
    try {
      const result = await api.start(batchId, request)
      dispatch(result.ok ? { type: 'start-accepted', batchId, request: result.request } : { type: 'start-refused', batchId, code: result.code, message: result.message })
    } catch (error) {
      dispatch({ type: 'start-refused', batchId, code: 'internal', message: messageOf(error) })
    }
  }

  const cancelBatch = (): void => {
    api.cancel().catch((error: unknown) => console.error('cancel failed', error))
  }

  const cancel = (): void => {
    dispatch({ type: 'cancel-requested' })
    cancelBatch()
  }

  const stopNow = (): void => {
    dispatch({ type: 'stop-now-requested' })
    api.stopNow().catch((error: unknown) => console.error('stop now failed', error))
  }

  const newBatch = (): void => {
    setReturning(true)
    dispatch({ type: 'new-batch' })
  }

  // The same request again, for real: a dry run's plan carried out, or the rest after a cancel
  // (the journal knows what is done, so only that is left out).
  const again = (): void => {
    setFromForm(false)
    void start(batch.request && { ...batch.request, dryRun: false })
  }

  return (
    <div className={inSetup ? 'app app-setup' : 'app app-run'}>
      <header className="app-header">
        <h1>ImageScale</h1>
        {version && <span className="version">v{version}</span>}
      </header>
      {inSetup ? (
        <SetupForm
          form={form}
          onChange={(patch) => setForm((current) => ({ ...current, ...patch }))}
          onStart={(dryRun) => {
            setFromForm(true)
            void start(toRequest(form, dryRun))
          }}
          starting={batch.awaitingStart}
          error={batch.startError}
          onCancelOther={cancelBatch}
          cores={cores}
          dragging={dragging}
          focusStart={returning}
        />
      ) : (
        <RunView key={batch.batchId ?? 'none'} batch={batch} onCancel={cancel} onStopNow={stopNow} onNewBatch={newBatch} onRunAgain={again} />
      )}
    </div>
  )
}
