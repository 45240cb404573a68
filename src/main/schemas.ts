import { isAbsolute } from 'node:path'
import { z } from 'zod'
import { presetNameSchema, presetSchema } from '../shared/presets'
import { LIMITS, batchRequestSchema, recipeSchema } from '../shared/recipe'
import { REPORT_FORMATS, type InvokeChannel } from '../shared/ipc'

/** Paths from the renderer are untrusted: absolute, bounded, and free of NUL bytes. Never trimmed. */
const absolutePath = (what: string, kind: 'folder' | 'file' = 'folder') =>
  z
    .string()
    .min(1, `choose a ${what} ${kind}`)
    .max(LIMITS.path.max)
    .refine((path) => !path.includes('\0'), 'a path may not contain NUL')
    .refine((path) => isAbsolute(path), `the ${what} ${kind} must be a full path, starting from the top of a disk`)

const nothing = z.undefined()

const relativePath = z
  .string()
  .min(1)
  .max(LIMITS.path.max)
  .refine((path) => !path.includes('\0'), 'a path may not contain NUL')

/** One runtime schema per channel; a channel without one cannot be registered. */
export const requestSchemas = {
  'app:info': nothing,
  'dialog:pick-folder': z.strictObject({
    purpose: z.enum(['source', 'target']),
    current: absolutePath('current').optional()
  }),
  'dialog:pick-files': z.strictObject({
    purpose: z.enum(['images', 'preset']),
    current: absolutePath('current').optional()
  }),
  'batch:start': z.strictObject({
    batchId: z.string().min(1).max(100),
    request: batchRequestSchema.extend({ source: absolutePath('source'), target: absolutePath('target') })
  }),
  'batch:cancel': nothing,
  'batch:stop-now': nothing,
  'shell:show-target': nothing,
  'shell:show-output': z.strictObject({ file: relativePath }),
  'clipboard:write': z.strictObject({ text: z.string().max(1024 ** 2) }),
  'source:files': z.strictObject({ source: absolutePath('source'), recursive: z.boolean() }),
  'preview:make': z.strictObject({
    path: absolutePath('preview', 'file'),
    recipe: recipeSchema,
    maxPixels: batchRequestSchema.shape.maxPixels
  }),
  'presets:list': nothing,
  'presets:save': z.strictObject({ name: presetNameSchema, description: presetSchema.shape.description, recipe: recipeSchema }),
  'presets:rename': z.strictObject({ from: presetNameSchema, to: presetNameSchema }),
  'presets:delete': z.strictObject({ name: presetNameSchema }),
  'presets:import': nothing,
  'presets:export': z.strictObject({ name: presetNameSchema }),
  'report:export': z.strictObject({ format: z.enum(REPORT_FORMATS) })
} satisfies Record<InvokeChannel, z.ZodType>
