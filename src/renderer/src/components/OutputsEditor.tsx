import { LIMITS } from '../../../shared/recipe'
import { duplicateDraft, newDraft, type OutputDraft } from '../state/outputs'
import { EXAMPLE_SOURCE, OutputCard } from './OutputCard'

interface Props {
  drafts: OutputDraft[]
  onChange: (drafts: OutputDraft[]) => void
}

/** The recipe's outputs: each its own card, added, duplicated, removed and reordered here. */
export function OutputsEditor({ drafts, onChange }: Props) {
  const replace = (index: number, ...with_: OutputDraft[]): OutputDraft[] => [...drafts.slice(0, index), ...with_, ...drafts.slice(index + 1)]
  const move = (index: number, by: -1 | 1): void => {
    const other = index + by
    if (other < 0 || other >= drafts.length) return
    const next = drafts.slice()
    ;[next[index], next[other]] = [next[other]!, next[index]!]
    onChange(next)
  }
  return (
    <section className="outputs" aria-label="Outputs">
      {drafts.map((draft, index) => (
        <OutputCard
          key={draft.key}
          draft={draft}
          index={index}
          count={drafts.length}
          example={EXAMPLE_SOURCE}
          onChange={(changed) => onChange(replace(index, changed))}
          onDuplicate={() => onChange(replace(index, draft, duplicateDraft(draft)))}
          onRemove={() => onChange(replace(index))}
          onMove={(by) => move(index, by)}
        />
      ))}
      <button type="button" className="add-output" onClick={() => onChange([...drafts, newDraft()])} disabled={drafts.length >= LIMITS.outputs.max}>
        Add output
      </button>
    </section>
  )
}
