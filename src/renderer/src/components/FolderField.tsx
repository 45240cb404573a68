import { useId } from 'react'
import type { FolderPurpose } from '../../../shared/ipc'
import { useApi } from '../api-context'

interface Props {
  purpose: FolderPurpose
  label: string
  value: string
  onChange: (path: string) => void
}

/**
 * A folder by dialog, by drop (the element is a drop target, see useFolderDrop) or by typing:
 * the path is only a suggestion until main has checked it.
 */
export function FolderField({ purpose, label, value, onChange }: Props) {
  const api = useApi()
  const id = useId()

  const pick = async (): Promise<void> => {
    const chosen = await api.pickFolder(purpose, value || undefined)
    if (chosen !== null) onChange(chosen)
  }

  return (
    <div className="field folder-field" data-drop={purpose}>
      <label htmlFor={id}>{label}</label>
      <div className="folder-row">
        <input
          id={id}
          type="text"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          placeholder="Choose or drop a folder"
          spellCheck={false}
          autoComplete="off"
        />
        <button type="button" onClick={() => void pick()}>
          Choose {purpose} folder…
        </button>
      </div>
    </div>
  )
}
