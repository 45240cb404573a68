import { folderForRule, joinRelative } from '../../../shared/names'
import { parseByteSize } from '../../../shared/numbers'
import {
  LIMITS,
  OUTPUT_DEFAULTS,
  firstProblem,
  formatResizeRule,
  outputSchema,
  parseResizeRule,
  type OutputSpec,
  type Recipe,
  type ResizeKind,
  type ResizeRule
} from '../../../shared/recipe'

/**
 * One output as the editor holds it: the recipe's own OutputSpec for every choice, and the
 * three things typed as text (the size, the quality, the byte budget) kept as typed, so a
 * half-written value is shown as it is. What it means is decided by the shared schema alone.
 */
export interface OutputDraft {
  /** Stable across reorders, for React's lists. */
  key: string
  spec: OutputSpec
  kind: ResizeKind
  /** `1920`, `1920, 800` (several sizes, each into its own sub-folder), `1080x1350` for a box, `50` for percent. */
  size: string
  /** Empty: the format's default quality. */
  quality: string
  /** Empty: no budget. `500k`, `1.5MB`, `250000`. */
  budget: string
}

let keys = 0
const nextKey = (): string => `output-${(keys += 1)}`

/** The number part of a rule, as formatResizeRule writes it: `1920`, `1080x1350`, `50`. */
const sizeTextOf = (rule: ResizeRule): string => formatResizeRule(rule).replace(/^[a-z]+:/, '')

export function draftOf(spec: OutputSpec): OutputDraft {
  return {
    key: nextKey(),
    spec,
    kind: spec.resize.kind,
    size: sizeTextOf(spec.resize),
    quality: spec.quality === undefined ? '' : String(spec.quality),
    budget: spec.maxBytes === undefined ? '' : String(spec.maxBytes)
  }
}

export const draftsOf = (recipe: Recipe): OutputDraft[] => recipe.outputs.map(draftOf)

export const duplicateDraft = (draft: OutputDraft): OutputDraft => ({ ...draft, key: nextKey() })

export const newDraft = (): OutputDraft => draftOf(OUTPUT_DEFAULTS)

/** PNG and lossless WebP take no quality: the field is hidden for them, so what it held is ignored. */
export const isLossless = (spec: OutputSpec): boolean => spec.format === 'png' || (spec.format === 'webp' && spec.lossless)

/** The outputs a draft stands for, or what is wrong with it in words. */
export function specsOf(draft: OutputDraft): { ok: true; specs: OutputSpec[] } | { ok: false; problem: string } {
  const parts = draft.size.split(',').map((part) => part.trim())
  if (parts.some((part) => part === '')) return { ok: false, problem: 'enter a size' }
  const rules: ResizeRule[] = []
  for (const part of parts) {
    const rule = parseResizeRule(`${draft.kind}:${part}`)
    if (typeof rule === 'string') return { ok: false, problem: rule.replace(/^"[^"]*": /, '') }
    rules.push(rule)
  }
  if (new Set(rules.map(formatResizeRule)).size < rules.length) return { ok: false, problem: 'a size is listed twice' }
  const quality = isLossless(draft.spec) || draft.quality.trim() === '' ? undefined : /^\d+$/.test(draft.quality.trim()) ? Number(draft.quality.trim()) : Number.NaN
  const budget = draft.budget.trim() === '' ? undefined : (parseByteSize(draft.budget.trim()) ?? Number.NaN)
  if (Number.isNaN(quality)) return { ok: false, problem: 'quality must be a whole number' }
  if (Number.isNaN(budget)) return { ok: false, problem: 'write a byte budget as 500k, 1.5MB or 250000' }
  const specs: OutputSpec[] = []
  for (const rule of rules) {
    // Several sizes of one output: each into its own sub-folder, as the CLI's --sizes does.
    const folder = rules.length > 1 ? joinRelative(draft.spec.folder, folderForRule(rule)) : draft.spec.folder
    // The typed quality and budget replace the spec's own; left empty, the spec has none.
    const parsed = outputSchema.safeParse({ ...draft.spec, resize: rule, folder, quality, maxBytes: budget })
    if (!parsed.success) return { ok: false, problem: firstProblem(parsed.error, 'not a valid output') }
    specs.push(parsed.data)
  }
  return { ok: true, specs }
}

/** The recipe the editor stands for, or the first problem, naming its output when there are several. */
export function recipeOf(drafts: readonly OutputDraft[]): { ok: true; recipe: Recipe } | { ok: false; problem: string } {
  if (drafts.length === 0) return { ok: false, problem: 'add an output' }
  const outputs: OutputSpec[] = []
  for (const [index, draft] of drafts.entries()) {
    const result = specsOf(draft)
    if (!result.ok) return { ok: false, problem: drafts.length > 1 ? `output ${index + 1}: ${result.problem}` : result.problem }
    outputs.push(...result.specs)
  }
  if (outputs.length > LIMITS.outputs.max) return { ok: false, problem: `a recipe has at most ${LIMITS.outputs.max} outputs (this one makes ${outputs.length})` }
  return { ok: true, recipe: { outputs } }
}
