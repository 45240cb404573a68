import { useEffect, useId, useState } from 'react'
import type { PresetList } from '../../../shared/ipc'
import { presetNameSchema, type PresetEntry } from '../../../shared/presets'
import { firstProblem, type Recipe } from '../../../shared/recipe'
import { useApi } from '../api-context'
import { messageOf } from '../format'

interface Props {
  /** The editor's recipe, or null while it has a problem (nothing to save then). */
  recipe: Recipe | null
  onApply: (entry: PresetEntry & { preset: NonNullable<PresetEntry['preset']> }) => void
}

const nameProblem = (name: string): string | null => {
  const parsed = presetNameSchema.safeParse(name)
  return parsed.success ? null : firstProblem(parsed.error, 'not a preset name')
}

/**
 * Presets are the files the CLI's `--preset NAME` reads (the config folder): chosen, saved,
 * renamed, deleted, imported and exported here, by main, which owns the files.
 */
export function PresetBar({ recipe, onApply }: Props) {
  const api = useApi()
  const id = useId()
  const [presets, setPresets] = useState<PresetList>([])
  const [chosen, setChosen] = useState('')
  const [name, setName] = useState('')
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null)

  useEffect(() => {
    api.presets.list().then(setPresets, (error: unknown) => setMessage({ text: messageOf(error), error: true }))
  }, [api])

  const entry = presets.find((preset) => preset.name === chosen) ?? null

  /** Runs a change in main and shows the list it answers with; a refusal is said, not thrown. */
  const act = async (work: () => Promise<PresetList>, done: string, select?: string): Promise<void> => {
    try {
      setPresets(await work())
      if (select !== undefined) setChosen(select)
      setMessage({ text: done, error: false })
    } catch (error) {
      setMessage({ text: messageOf(error), error: true })
    }
  }

  const apply = (): void => {
    if (!entry) return
    if (!entry.preset) {
      setMessage({ text: `"${entry.name}" cannot be used: ${entry.problem ?? 'it is not a preset'}`, error: true })
      return
    }
    onApply({ ...entry, preset: entry.preset })
    setName(entry.builtIn ? '' : entry.name)
    setMessage({ text: `Applied "${entry.name}".`, error: false })
  }

  const save = (): void => {
    const problem = nameProblem(name)
    if (problem || !recipe) {
      setMessage({ text: problem ?? 'Fix the outputs first: there is nothing valid to save.', error: true })
      return
    }
    void act(() => api.presets.save(name, entry?.name === name ? entry.description : '', recipe), `Saved "${name}".`, name)
  }

  const rename = (): void => {
    const problem = nameProblem(name)
    if (!entry || problem) {
      setMessage({ text: problem ?? 'Choose a preset to rename.', error: true })
      return
    }
    void act(() => api.presets.rename(entry.name, name), `Renamed "${entry.name}" to "${name}".`, name)
  }

  const remove = (): void => {
    if (entry) void act(() => api.presets.remove(entry.name), `Deleted "${entry.name}".`, '')
  }

  const importPreset = async (): Promise<void> => {
    try {
      const { imported, presets: list } = await api.presets.import()
      setPresets(list)
      if (imported !== null) {
        setChosen(imported)
        setMessage({ text: `Imported "${imported}": choose Apply to use it.`, error: false })
      }
    } catch (error) {
      setMessage({ text: messageOf(error), error: true })
    }
  }

  const exportPreset = async (): Promise<void> => {
    if (!entry) return
    try {
      if (await api.presets.export(entry.name)) setMessage({ text: `Exported "${entry.name}".`, error: false })
    } catch (error) {
      setMessage({ text: messageOf(error), error: true })
    }
  }

  return (
    <div className="card presets" role="group" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Presets</h2>
      <div className="preset-row">
        <label htmlFor={`${id}-choose`} className="visually-hidden">
          Preset
        </label>
        <select id={`${id}-choose`} value={chosen} onChange={(event) => setChosen(event.target.value)}>
          <option value="">Choose a preset…</option>
          {presets.map((preset) => (
            <option key={preset.name} value={preset.name}>
              {preset.name}
              {preset.builtIn ? ' (built in)' : ''} — {preset.description || 'no description'}
            </option>
          ))}
        </select>
        <button type="button" onClick={apply} disabled={!entry}>
          Apply
        </button>
        <button type="button" onClick={() => void exportPreset()} disabled={!entry?.preset}>
          Export…
        </button>
        <button type="button" onClick={remove} disabled={!entry || entry.builtIn}>
          Delete
        </button>
        <button type="button" onClick={() => void importPreset()}>
          Import…
        </button>
      </div>
      <div className="preset-row">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} type="text" value={name} onChange={(event) => setName(event.target.value)} placeholder="my-web" spellCheck={false} />
        <button type="button" onClick={save}>
          Save recipe as preset
        </button>
        <button type="button" onClick={rename} disabled={!entry || entry.builtIn}>
          Rename chosen
        </button>
      </div>
      <p role="status" className={message?.error ? 'field-error' : 'hint'}>
        {message?.text ?? 'The same presets as the command line’s --preset NAME.'}
      </p>
    </div>
  )
}
