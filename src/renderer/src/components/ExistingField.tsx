import { useId } from 'react'
import type { ExistingPolicy } from '../../../shared/batch'

const POLICIES: { policy: ExistingPolicy; label: string }[] = [
  { policy: 'skip', label: 'Skip it and keep what is there' },
  { policy: 'overwrite', label: 'Overwrite it' }
]

interface Props {
  value: ExistingPolicy
  onChange: (policy: ExistingPolicy) => void
}

export function ExistingField({ value, onChange }: Props) {
  const id = useId()
  return (
    <fieldset className="existing-field">
      <legend>When an output file already exists</legend>
      {POLICIES.map(({ policy, label }) => (
        <div key={policy} className="choice">
          <input id={`${id}-${policy}`} type="radio" name={`${id}-existing`} value={policy} checked={value === policy} onChange={() => onChange(policy)} />
          <label htmlFor={`${id}-${policy}`}>{label}</label>
        </div>
      ))}
    </fieldset>
  )
}
