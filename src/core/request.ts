import { availableParallelism } from 'node:os'
import { DEFAULT_SIZE, LIMITS, batchRequestSchema, firstProblem, singleOutput, type BatchRequest } from '../shared/recipe'
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

/** Validates a request from any front end; the first problem becomes a sentence. */
export function parseBatchRequest(input: unknown): BatchRequest {
  const parsed = batchRequestSchema.safeParse(input)
  if (parsed.success) return parsed.data
  throw new ScaleError('bad-request', firstProblem(parsed.error, 'invalid request'))
}
