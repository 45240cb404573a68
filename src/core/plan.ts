import type { OutputPlan, SourceStamp } from '../shared/batch'
import type { ExistingPolicy } from '../shared/recipe'
import type { NaturalOutput } from '../shared/natural-plan'
import type { Journal } from './journal'
import { numbered, type NameClaims } from './names'

/**
 * The plan of one file: what each output will be (copy or scale, its size, format and path),
 * decided from the source's header alone, before anything is written. The dry run prints it;
 * the real run makes exactly it.
 */

export const ALREADY_DONE = 'made by an earlier run from this file with these settings'


export interface Resolution {
  file: string
  stamp: SourceStamp
  /** recipeHash of each output, by index. */
  recipes: readonly string[]
  existing: ExistingPolicy
  claims: NameClaims
  journal: Journal
}

/** Alternatives tried for one name before the batch gives up on it. */
const MAX_ALTERNATIVES = 10_000

/**
 * Gives each output its final path and decides what happens to what is already there. Must be
 * called in scan order: the first file to want a name gets it, the next gets `name (1).ext`.
 */
export async function resolveOutputs(natural: readonly NaturalOutput[], context: Resolution): Promise<OutputPlan[]> {
  const plans: OutputPlan[] = []
  for (const wanted of natural) {
    let path = wanted.path
    let because: 'batch' | 'existing' | null = null
    for (let n = 1; ; n += 1) {
      if (n > MAX_ALTERNATIVES) throw new Error(`no free name near ${wanted.path} after ${MAX_ALTERNATIVES} tries`)
      const renamed = because ? { renamed: { from: wanted.path, because } } : {}
      if (context.claims.isTaken(path)) {
        because ??= 'batch'
        path = numbered(wanted.path, n)
        continue
      }
      const own = await context.journal.ownership(path, context.file, context.stamp, context.recipes[wanted.output]!)
      if (own.kind === 'foreign' && context.existing === 'rename') {
        because ??= 'existing'
        path = numbered(wanted.path, n)
        continue
      }
      context.claims.claim(path)
      const base = { output: wanted.output, path, ...renamed }
      const make = { ...base, action: wanted.action, size: wanted.size, format: wanted.format }
      switch (own.kind) {
        case 'none':
          plans.push({ ...make, existing: { kind: 'none' } })
          break
        case 'stale':
          plans.push({ ...make, existing: { kind: 'stale', stamp: own.made } })
          break
        case 'done':
          plans.push({ ...base, action: 'skip', reason: 'already-done', message: ALREADY_DONE })
          break
        case 'foreign':
          if (context.existing === 'overwrite') plans.push({ ...make, existing: { kind: 'replace' } })
          else plans.push({ ...base, action: 'skip', reason: 'target-exists', message: 'a file of that name is already there, not made by ImageScale from this file; it is kept' })
          break
      }
      break
    }
  }
  return plans
}
