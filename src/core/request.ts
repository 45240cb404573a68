import { availableParallelism } from 'node:os'
import type { z } from 'zod'
import { DEFAULT_SIZE, LIMITS, batchRequestSchema, singleOutput, type BatchRequest } from '../shared/recipe'
import { ScaleError } from './errors'

export const defaultWorkers = (): number => Math.min(LIMITS.workers.max, availableParallelism())

/** The book's defaults: one output at 400 px, smooth, every sub-folder, existing outputs kept. */
export function defaultRequest(source: string, target: string): BatchRequest {
  return {
    source,
    target,
    recipe: { outputs: [singleOutput(DEFAULT_SIZE, 'smooth')] },
    workers: defaultWorkers(),
    recursive: true,
    existing: 'skip',
    maxPixels: LIMITS.maxPixels.default,
    dryRun: false,
    keepDates: false
  }
}

/** The first thing zod found wrong, as a sentence: `recipe.outputs.0.quality: quality must be…`. */
export function firstProblem(error: z.ZodError, fallback: string): string {
  const issue = error.issues[0]
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
  return `${where}${issue?.message ?? fallback}`
}

/** Validates a request from any front end; the first problem becomes a sentence. */
export function parseBatchRequest(input: unknown): BatchRequest {
  const parsed = batchRequestSchema.safeParse(input)
  if (parsed.success) return parsed.data
  throw new ScaleError('bad-request', firstProblem(parsed.error, 'invalid request'))
}
