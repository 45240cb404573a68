import { useId } from 'react'
import type { ScaleMode } from '../../../shared/batch'

const MODES: { mode: ScaleMode; label: string; explanation: string }[] = [
  {
    mode: 'smooth',
    label: 'Smooth',
    explanation: 'High-quality resampling for photos you will show. Recommended.'
  },
  {
    mode: 'stride',
    label: 'Stride',
    explanation: 'Keeps every n-th pixel, like the book: rougher edges and only a little faster, since decoding takes most of the time.'
  }
]

interface Props {
  value: ScaleMode
  onChange: (mode: ScaleMode) => void
}

export function ModeField({ value, onChange }: Props) {
  const id = useId()
  return (
    <fieldset className="mode-field">
      <legend>Method</legend>
      {MODES.map(({ mode, label, explanation }) => (
        <div key={mode} className="choice">
          <input
            id={`${id}-${mode}`}
            type="radio"
            name={`${id}-mode`}
            value={mode}
            checked={value === mode}
            onChange={() => onChange(mode)}
            aria-describedby={`${id}-${mode}-hint`}
          />
          <label htmlFor={`${id}-${mode}`}>{label}</label>
          <p id={`${id}-${mode}-hint`} className="hint">
            {explanation}
          </p>
        </div>
      ))}
    </fieldset>
  )
}
