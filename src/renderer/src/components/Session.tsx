import { useCallback, useState } from 'react'
import type { FolderPurpose } from '../../../shared/ipc'
import { useApi } from '../api-context'
import { messageOf } from '../format'
import { useBatch } from '../hooks/useBatch'
import { useFolderDrop } from '../hooks/useFolderDrop'
import { useStoredForm } from '../hooks/useStoredForm'
import { assignDroppedFolders, toRequest } from '../state/settings'
import { RunView } from './RunView'
import { SetupForm } from './SetupForm'

/** One window's life: the form, the batch it starts, the summary, and back. */
export function Session({ cores, version }: { cores: number; version: string }) {
  const api = useApi()
  const [form, setForm] = useStoredForm(cores)
  const [batch, dispatch] = useBatch()
  const [returning, setReturning] = useState(false)
  const inSetup = batch.phase === 'setup' || batch.phase === 'starting'

  const onDrop = useCallback(
    (paths: string[], onto: FolderPurpose | null) => setForm((current) => ({ ...current, ...assignDroppedFolders(current, paths, onto) })),
    [setForm]
  )
  const dragging = useFolderDrop(batch.phase === 'setup', onDrop)

  const start = async (): Promise<void> => {
    const options = toRequest(form)
    if (!options || batch.phase !== 'setup') return
    dispatch({ type: 'start-requested' })
    try {
      const result = await api.start(options)
      dispatch(result.ok ? { type: 'start-accepted', batchId: result.batchId } : { type: 'start-refused', code: result.code, message: result.message })
    } catch (error) {
      dispatch({ type: 'start-refused', code: 'internal', message: messageOf(error) })
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
          onStart={() => void start()}
          starting={batch.phase === 'starting'}
          error={batch.startError}
          onCancelOther={cancelBatch}
          cores={cores}
          dragging={dragging}
          focusStart={returning}
        />
      ) : (
        <RunView batch={batch} form={form} onCancel={cancel} onStopNow={stopNow} onNewBatch={newBatch} />
      )}
    </div>
  )
}
