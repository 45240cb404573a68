import { useId } from 'react'
import { LIMITS } from '../../../shared/recipe'
import { formatCount } from '../format'
import { parseSize, SIZE_PRESETS } from '../state/settings'

const PRESET_NAMES: Partial<Record<(typeof SIZE_PRESETS)[number], string>> = {
  400: 'thumbnail',
  1280: 'HD',
  1920: 'Full HD',
  2560: 'QHD',
  3840: '4K'
}

interface Props {
  value: string
  onChange: (size: string) => void
}

/** The box every output must fit in: a preset in one click, or any value. */
export function SizeField({ value, onChange }: Props) {
  const id = useId()
  const invalid = parseSize(value) === null
  return (
    <fieldset className="size-field">
      <legend>Size</legend>
      <p className="hint" id={`${id}-hint`}>
        The longest side of every output, in pixels. Smaller images are copied unchanged.
      </p>
      <div className="chips">
        {SIZE_PRESETS.map((preset) => (
          <label key={preset} className="chip">
            <input type="radio" name={`${id}-preset`} value={preset} checked={value === String(preset)} onChange={() => onChange(String(preset))} />
            <span className="chip-value">{preset}</span>
            {PRESET_NAMES[preset] && <span className="chip-note">{PRESET_NAMES[preset]}</span>}
          </label>
        ))}
      </div>
      <div className="field inline">
        <label htmlFor={id}>Longest side in pixels</label>
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={LIMITS.size.min}
          max={LIMITS.size.max}
          step={1}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-invalid={invalid}
          aria-describedby={invalid ? `${id}-error` : `${id}-hint`}
        />
      </div>
      {invalid && (
        <p id={`${id}-error`} className="field-error">
          Enter a whole number from {formatCount(LIMITS.size.min)} to {formatCount(LIMITS.size.max)}.
        </p>
      )}
    </fieldset>
  )
}
