import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { plural } from '../../../shared/format'
import { commandLineOf, commandLineProblem } from '../../../shared/command-line'
import { START_BUSY } from '../../../shared/ipc'
import type { Problem } from '../../../shared/reasons'
import { FILE_ORDERS, type FileOrder } from '../../../shared/recipe'
import { draftsOf, recipeOf } from '../state/outputs'
import { formProblem, pickFiles, toRequest, type FormValues } from '../state/settings'
import { useApi } from '../api-context'
import { messageOf } from '../format'
import { ExistingField } from './ExistingField'
import { FolderField } from './FolderField'
import { OutputsEditor } from './OutputsEditor'
import { PresetBar } from './PresetBar'
import { PreviewPanel } from './PreviewPanel'
import { WorkersField } from './WorkersField'
import { Choice } from './Choice'

interface Props {
  form: FormValues
  onChange: (patch: Partial<FormValues>) => void
  /** Starts the batch; `dryRun` plans it and writes nothing. */
  onStart: (dryRun: boolean) => void
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

/** Everything a batch needs, with Start last; Enter in any field starts too. */
const ORDER_LABELS: Record<FileOrder, string> = { found: 'As found (a file manager’s order)', largest: 'Largest first' }

export function SetupForm({ form, onChange, onStart, starting, error, onCancelOther, cores, dragging, focusStart }: Props) {
  const api = useApi()
  const id = useId()
  const startRef = useRef<HTMLButtonElement>(null)
  const [copied, setCopied] = useState<string | null>(null)
  const request = toRequest(form)
  const hint = formProblem(form)
  const recipe = recipeOf(form.outputs)

  useEffect(() => {
    if (focusStart) startRef.current?.focus()
  }, [focusStart])

  const submit = (event: FormEvent): void => {
    event.preventDefault()
    if (request && !starting) onStart(false)
  }

  const chooseFiles = async (): Promise<void> => {
    const picked = pickFiles(await api.pickFiles('images', form.source || undefined))
    if (picked) onChange({ source: picked.source, files: picked.files, leftOut: picked.leftOut })
  }

  const commandProblem = request ? commandLineProblem(request) : null
  const copyCommand = async (): Promise<void> => {
    if (!request || commandProblem) return
    const { command, preset } = commandLineOf(request, { defaultWorkers: cores })
    const text = preset ? `# save as ${preset.fileName}:\n${preset.json}\n${command}` : command
    try {
      await api.copyText(text)
      setCopied(text)
    } catch (failure) {
      setCopied(`Could not copy: ${messageOf(failure)}`)
    }
  }

  const outputCount = recipe.ok ? recipe.recipe.outputs.length : form.outputs.length

  return (
    <main className="setup">
      <form className={dragging ? 'setup-form dragging' : 'setup-form'} onSubmit={submit} noValidate aria-label="New batch">
        <div className="card folders">
          <h2>Folders</h2>
          {/* One grid for both fields, so their labels, inputs and buttons line up. */}
          <div className="folder-grid">
            <FolderField purpose="source" label="Source folder" value={form.source} onChange={(source) => onChange({ source, files: null, leftOut: 0 })} />
            <FolderField purpose="target" label="Target folder" value={form.target} onChange={(target) => onChange({ target })} />
          </div>
          <div className="picked-files">
            {form.files ? (
              <>
                <p className="hint" data-testid="picked-files">
                  Only {plural(form.files.length, 'picked file')} of the source folder, into the target itself (no sub-folders).
                  {form.leftOut ? ` ${plural(form.leftOut, 'file')} from other folders left out: a batch reads one folder.` : ''}
                </p>
                <button type="button" className="link" onClick={() => onChange({ files: null, leftOut: 0 })}>
                  Use the whole folder
                </button>
              </>
            ) : (
              <button type="button" onClick={() => void chooseFiles()}>
                Choose files instead…
              </button>
            )}
          </div>
          <p className="drop-hint">
            {dragging ? 'Drop on a field to choose it, or anywhere to fill the empty one.' : 'You can also drop folders, or photos of one folder, onto the window.'}
          </p>
        </div>

        <PresetBar recipe={recipe.ok ? recipe.recipe : null} onApply={(entry) => onChange({ outputs: draftsOf({ outputs: entry.preset.outputs }) })} />

        <OutputsEditor drafts={form.outputs} onChange={(outputs) => onChange({ outputs })} />

        <PreviewPanel form={form} />

        <div className="card options">
          <h2>Options</h2>
          <div className="options-grid">
            <WorkersField value={form.workers} cores={cores} onChange={(workers) => onChange({ workers })} />
            <div className="field check">
              <input
                id={`${id}-recursive`}
                type="checkbox"
                checked={form.files ? false : form.recursive}
                disabled={form.files !== null}
                onChange={(event) => onChange({ recursive: event.target.checked })}
                aria-describedby={`${id}-recursive-hint`}
              />
              <label htmlFor={`${id}-recursive`}>Include sub-folders</label>
              <p id={`${id}-recursive-hint`} className="hint">
                The target mirrors the source's folder tree.
              </p>
            </div>
            <div className="field check">
              <input id={`${id}-dates`} type="checkbox" checked={form.keepDates} onChange={(event) => onChange({ keepDates: event.target.checked })} />
              <label htmlFor={`${id}-dates`}>Give outputs their original's date</label>
            </div>
            <div className="field">
              <label htmlFor={`${id}-order`}>Order files go to the workers</label>
              <Choice id={`${id}-order`} value={form.order ?? 'found'} choices={FILE_ORDERS} label={(order) => ORDER_LABELS[order]} onChange={(order) => onChange({ order })} />
              <p className="hint">Largest first waits for the whole folder to be listed, then leaves no big file to run alone at the end.</p>
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
            {hint ?? `${plural(outputCount, 'output')} per photo, on ${plural(Number(form.workers), 'worker thread')}.`}
          </p>
          {copied !== null && (
            <pre className="command-line" data-testid="command-line" aria-label="Command line (copied)">
              {copied}
            </pre>
          )}
          <div className="start-actions">
            <button type="button" onClick={() => void copyCommand()} disabled={!request || commandProblem !== null} title={commandProblem ?? undefined}>
              Copy as command line
            </button>
            <button type="button" onClick={() => onStart(true)} disabled={!request || starting}>
              Preview plan
            </button>
            <button ref={startRef} type="submit" className="primary" disabled={!request || starting} aria-describedby={`${id}-start`}>
              Start
            </button>
          </div>
        </div>
      </form>
    </main>
  )
}
