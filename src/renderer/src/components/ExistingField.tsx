import { useId } from 'react'
import { EXISTING_POLICIES, type ExistingPolicy } from '../../../shared/recipe'

const LABELS: Record<ExistingPolicy, string> = {
  skip: 'Skip it and keep what is there',
  overwrite: 'Overwrite it (never a file in the source folder)',
  rename: 'Keep it and save the new one as "name (1)"'
}

interface Props {
  value: ExistingPolicy
  onChange: (policy: ExistingPolicy) => void
}

export function ExistingField({ value, onChange }: Props) {
  const id = useId()
  return (
    <fieldset className="existing-field">
      <legend>When an output file already exists</legend>
      {EXISTING_POLICIES.map((policy) => (
        <div key={policy} className="choice">
          <input id={`${id}-${policy}`} type="radio" name={`${id}-existing`} value={policy} checked={value === policy} onChange={() => onChange(policy)} />
          <label htmlFor={`${id}-${policy}`}>{LABELS[policy]}</label>
        </div>
      ))}
    </fieldset>
  )
}
