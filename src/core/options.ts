import { availableParallelism } from 'node:os'
import { z } from 'zod'
import {
  DEFAULT_MAX_PIXELS,
  DEFAULT_SIZE,
  SIZE_MAX,
  SIZE_MIN,
  WORKERS_MAX,
  WORKERS_MIN,
  type BatchOptions
} from '../shared/batch'
import { ScaleError } from './errors'

/** One schema for every way options arrive: the command line and the desktop app's IPC. */
export const batchOptionsSchema = z.strictObject({
  source: z.string().trim().min(1, 'choose a source folder'),
  target: z.string().trim().min(1, 'choose a target folder'),
  size: z
    .number()
    .int('size must be a whole number of pixels')
    .min(SIZE_MIN, 'size must be a positive whole number')
    .max(SIZE_MAX, `size must be at most ${SIZE_MAX}`),
  mode: z.enum(['smooth', 'stride']),
  workers: z.number().int().min(WORKERS_MIN).max(WORKERS_MAX, `at most ${WORKERS_MAX} workers`),
  recursive: z.boolean(),
  existing: z.enum(['skip', 'overwrite']),
  maxPixels: z.number().int().positive()
})

export const defaultWorkers = (): number => Math.min(WORKERS_MAX, availableParallelism())

export function defaultOptions(source: string, target: string): BatchOptions {
  return {
    source,
    target,
    size: DEFAULT_SIZE,
    mode: 'smooth',
    workers: defaultWorkers(),
    recursive: true,
    existing: 'skip',
    maxPixels: DEFAULT_MAX_PIXELS
  }
}

export function parseBatchOptions(input: unknown): BatchOptions {
  const parsed = batchOptionsSchema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
  throw new ScaleError('bad-options', `${where}${issue?.message ?? 'invalid options'}`)
}
