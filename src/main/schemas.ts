import { isAbsolute } from 'node:path'
import { z } from 'zod'
import { LIMITS, batchRequestSchema } from '../shared/recipe'
import type { InvokeChannel } from '../shared/ipc'

/** Paths from the renderer are untrusted: absolute, bounded, and free of NUL bytes. Never trimmed. */
const absolutePath = (what: string) =>
  z
    .string()
    .min(1, `choose a ${what} folder`)
    .max(LIMITS.path.max)
    .refine((path) => !path.includes('\0'), 'a path may not contain NUL')
    .refine((path) => isAbsolute(path), `the ${what} folder must be a full path, starting from the top of a disk`)

const nothing = z.undefined()

/** One runtime schema per channel; a channel without one cannot be registered. */
export const requestSchemas = {
  'app:info': nothing,
  'dialog:pick-folder': z.strictObject({
    purpose: z.enum(['source', 'target']),
    current: absolutePath('current').optional()
  }),
  'batch:start': batchRequestSchema.extend({ source: absolutePath('source'), target: absolutePath('target') }),
  'batch:cancel': nothing,
  'batch:stop-now': nothing,
  'shell:show-target': nothing,
  'shell:show-output': z.strictObject({
    file: z
      .string()
      .min(1)
      .max(LIMITS.path.max)
      .refine((path) => !path.includes('\0'), 'a path may not contain NUL')
  })
} satisfies Record<InvokeChannel, z.ZodType>
