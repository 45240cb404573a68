import { useId } from 'react'
import { MODES, type Mode } from '../../../shared/recipe'

const MODE_CHOICES: Record<Mode, { label: string; explanation: string }> = {
  smooth: {
    label: 'Smooth',
    explanation: 'High-quality resampling for photos you will show. Recommended.'
  },
  stride: {
    label: 'Stride',
    explanation:
      'Keeps every n-th pixel, like the book: rougher edges, and the result can be much smaller than the size asked (2560 px wide at 1920 gives 1280).'
  }
}

interface Props {
  value: Mode
  onChange: (mode: Mode) => void
}

export function ModeField({ value, onChange }: Props) {
  const id = useId()
  return (
    <fieldset className="mode-field">
      <legend>Method</legend>
      {MODES.map((mode) => {
        const { label, explanation } = MODE_CHOICES[mode]
        return (
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
        )
      })}
    </fieldset>
  )
}
