/** A <select> of one of the `as const` lists, each choice in its own words: the list is the one definition. */
export function Choice<T extends string>({ id, value, choices, label, onChange }: { id: string; value: T; choices: readonly T[]; label: (choice: T) => string; onChange: (value: T) => void }) {
  return (
    <select id={id} value={value} onChange={(event) => onChange(event.target.value as T)}>
      {choices.map((choice) => (
        <option key={choice} value={choice}>
          {label(choice)}
        </option>
      ))}
    </select>
  )
}
