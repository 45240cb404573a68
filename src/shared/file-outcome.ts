import type { FileResult, Outcome } from './batch'
import { EXPECTED_SKIPS } from './reasons'

/**
 * One word for a whole file, for lists and icons: the outcome of its outputs taken together.
 * A failure anywhere is the file's failure; otherwise what was made says most about it.
 */
export function fileOutcome(result: FileResult): Outcome {
  if (result.outcome !== 'done') return result.outcome
  const outcomes = new Set(result.outputs.map((output) => output.outcome))
  for (const outcome of ['failed', 'canceled', 'scaled', 'copied'] as const) if (outcomes.has(outcome)) return outcome
  return 'skipped'
}

/** Bytes of what was made of a file: its copied and scaled outputs together. */
export const bytesMade = (result: FileResult): number =>
  result.outcome === 'done' ? result.outputs.reduce((sum, output) => sum + (output.outcome === 'copied' || output.outcome === 'scaled' ? output.bytes : 0), 0) : 0

/** The decoder's complaint when an output was made from a damaged source, else null. */
export function fileWarning(result: FileResult): string | null {
  if (result.outcome !== 'done') return null
  for (const output of result.outputs) if ((output.outcome === 'scaled' || output.outcome === 'copied') && output.warning) return output.warning
  return null
}

/**
 * What a person reviewing a batch must look at: anything not made as asked (failed, canceled,
 * skipped for a reason other than "already there"), and pictures that came out of a damaged file.
 */
export function isProblem(result: FileResult): boolean {
  if (result.outcome === 'skipped') return !EXPECTED_SKIPS.includes(result.reason)
  if (result.outcome !== 'done') return true
  if (fileWarning(result) !== null) return true
  return result.outputs.some((output) => output.outcome === 'failed' || output.outcome === 'canceled' || (output.outcome === 'skipped' && !EXPECTED_SKIPS.includes(output.reason)))
}
