import { useEffect, useId, useRef, type FormEvent } from 'react'
import { START_BUSY } from '../../../shared/ipc'
import type { Problem } from '../../../shared/reasons'
import { formatCount } from '../format'
import { parseSize, parseWorkers, toRequest, type FormValues } from '../state/settings'
import { ExistingField } from './ExistingField'
import { FolderField } from './FolderField'
import { ModeField } from './ModeField'
import { SizeField } from './SizeField'
import { WorkersField } from './WorkersField'

interface Props {
  form: FormValues
  onChange: (patch: Partial<FormValues>) => void
  onStart: () => void
  starting: boolean
  /** Why the last start was refused. */
  error: Problem | null
  /** Cancels a batch this page did not start (one left running by a reload). */
  onCancelOther: () => void
  cores: number
  /** Folders are being dragged over the window. */
  dragging: boolean
  /** Back from a batch: Start again is one key away. */
  focusStart: boolean
}

function missing(form: FormValues): string | null {
  if (!form.source && !form.target) return 'Choose a source folder and a target folder to start.'
  if (!form.source) return 'Choose a source folder to start.'
  if (!form.target) return 'Choose a target folder to start.'
  if (parseSize(form.size) === null) return 'Enter a valid size to start.'
  if (parseWorkers(form.workers) === null) return 'Enter a valid number of worker threads to start.'
  return null
}

/** Everything a batch needs, with Start last; Enter in any field starts too. */
export function SetupForm({ form, onChange, onStart, starting, error, onCancelOther, cores, dragging, focusStart }: Props) {
  const id = useId()
  const startRef = useRef<HTMLButtonElement>(null)
  const ready = toRequest(form) !== null
  const hint = missing(form)

  useEffect(() => {
    if (focusStart) startRef.current?.focus()
  }, [focusStart])

  const submit = (event: FormEvent): void => {
    event.preventDefault()
    if (ready && !starting) onStart()
  }

  return (
    <main className="setup">
      <form className={dragging ? 'setup-form dragging' : 'setup-form'} onSubmit={submit} noValidate aria-label="New batch">
        <div className="card folders">
          <h2>Folders</h2>
          {/* One grid for both fields, so their labels, inputs and buttons line up. */}
          <div className="folder-grid">
            <FolderField purpose="source" label="Source folder" value={form.source} onChange={(source) => onChange({ source })} />
            <FolderField purpose="target" label="Target folder" value={form.target} onChange={(target) => onChange({ target })} />
          </div>
          <p className="drop-hint">{dragging ? 'Drop on a field to choose it, or anywhere to fill the empty one.' : 'You can also drop folders onto the window.'}</p>
        </div>

        <div className="card">
          <SizeField value={form.size} onChange={(size) => onChange({ size })} />
        </div>

        <div className="card">
          <ModeField value={form.mode} onChange={(mode) => onChange({ mode })} />
        </div>

        <div className="card options">
          <h2>Options</h2>
          <div className="options-grid">
            <WorkersField value={form.workers} cores={cores} onChange={(workers) => onChange({ workers })} />
            <div className="field check">
              <input
                id={`${id}-recursive`}
                type="checkbox"
                checked={form.recursive}
                onChange={(event) => onChange({ recursive: event.target.checked })}
                aria-describedby={`${id}-recursive-hint`}
              />
              <label htmlFor={`${id}-recursive`}>Include sub-folders</label>
              <p id={`${id}-recursive-hint`} className="hint">
                The target mirrors the source's folder tree.
              </p>
            </div>
            <ExistingField value={form.existing} onChange={(existing) => onChange({ existing })} />
          </div>
        </div>

        <div className="start-bar">
          {error && (
            <div role="alert" className="form-error">
              <p>{error.message}</p>
              {error.code === START_BUSY && (
                <button type="button" className="danger" onClick={onCancelOther}>
                  Cancel the running batch
                </button>
              )}
            </div>
          )}
          <p id={`${id}-start`} className="hint">
            {hint ?? `Scale to ${formatCount(parseSize(form.size) ?? 0)} px, ${form.mode}, on ${form.workers} worker threads.`}
          </p>
          <button ref={startRef} type="submit" className="primary" disabled={!ready || starting} aria-describedby={`${id}-start`}>
            Start
          </button>
        </div>
      </form>
    </main>
  )
}
