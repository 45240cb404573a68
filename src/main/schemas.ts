import { isAbsolute } from 'node:path'
import { z } from 'zod'
import { batchOptionsSchema } from '../core/options'
import type { InvokeChannel } from '../shared/ipc'

/** Paths from the renderer are untrusted: absolute, bounded, and free of NUL bytes. */
const folderPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !path.includes('\0'), 'a path may not contain NUL')
  .refine((path) => isAbsolute(path), 'a folder must be an absolute path')

const nothing = z.undefined()

/** One runtime schema per channel; a channel without one cannot be registered. */
export const requestSchemas = {
  'app:info': nothing,
  'dialog:pick-folder': z.strictObject({
    purpose: z.enum(['source', 'target']),
    current: folderPath.optional()
  }),
  'batch:start': batchOptionsSchema.extend({ source: folderPath, target: folderPath }),
  'batch:cancel': nothing,
  'shell:show-target': nothing,
  'shell:show-output': z.strictObject({
    file: z
      .string()
      .min(1)
      .max(4096)
      .refine((path) => !path.includes('\0'), 'a path may not contain NUL')
  })
} satisfies Record<InvokeChannel, z.ZodType>
