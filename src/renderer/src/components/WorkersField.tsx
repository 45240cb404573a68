import { useId } from 'react'
import { LIMITS } from '../../../shared/recipe'
import { parseWorkers } from '../state/settings'

interface Props {
  value: string
  cores: number
  onChange: (workers: string) => void
}

/** How many images are worked on at once; one per core is the sweet spot for decoding. */
export function WorkersField({ value, cores, onChange }: Props) {
  const id = useId()
  const invalid = parseWorkers(value) === null
  const allCores = String(Math.min(cores, LIMITS.workers.max))
  return (
    <div className="field workers-field">
      <label htmlFor={id}>Worker threads</label>
      <div className="inline">
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={LIMITS.workers.min}
          max={LIMITS.workers.max}
          step={1}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-invalid={invalid}
          aria-describedby={`${id}-hint${invalid ? ` ${id}-error` : ''}`}
        />
        <span id={`${id}-hint`} className="hint">
          This computer has {cores} {cores === 1 ? 'core' : 'cores'}.
        </span>
        {value !== allCores && (
          <button type="button" className="link" onClick={() => onChange(allCores)}>
            Use {allCores}
          </button>
        )}
      </div>
      {invalid && (
        <p id={`${id}-error`} className="field-error">
          Enter a whole number from {LIMITS.workers.min} to {LIMITS.workers.max}.
        </p>
      )}
    </div>
  )
}
