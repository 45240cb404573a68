import { z } from 'zod'
import { outputSchema, recipeSchema, type Recipe } from './recipe'

/**
 * A preset is a recipe with a description, saved as JSON: the built-ins below, or a file of the
 * user's in their config folder (src/core/presets.ts). Every field an output leaves out takes
 * the schema's default, so a preset says only what it changes.
 */

export const presetSchema = z.strictObject({
  description: z.string().max(200).default(''),
  outputs: recipeSchema.shape.outputs
})
export type Preset = z.infer<typeof presetSchema>

const preset = (description: string, ...outputs: z.input<typeof outputSchema>[]): Preset => presetSchema.parse({ description, outputs })

export const BUILT_IN_PRESETS = {
  web: preset('long side 2048, JPEG 82 progressive, sRGB, no location', {
    resize: { kind: 'long', size: 2048 },
    format: 'jpeg',
    quality: 82,
    progressive: true,
    srgb: true,
    metadata: 'strip-gps'
  }),
  email: preset('long side 1280, JPEG 75, at most 500 KB, no metadata', {
    resize: { kind: 'long', size: 1280 },
    format: 'jpeg',
    quality: 75,
    maxBytes: 500_000,
    metadata: 'strip'
  }),
  social: preset('within 1080×1350, JPEG 85, sRGB, no metadata', {
    resize: { kind: 'box', width: 1080, height: 1350 },
    format: 'jpeg',
    quality: 85,
    srgb: true,
    metadata: 'strip'
  }),
  'archive-preview': preset('long side 3840, WebP 85, all metadata kept', {
    resize: { kind: 'long', size: 3840 },
    format: 'webp',
    quality: 85,
    metadata: 'keep'
  }),
  thumbs: preset("longest side 400 by the book's fast stride", {
    resize: { kind: 'long', size: 400 },
    mode: 'stride'
  })
} as const satisfies Record<string, Preset>

export type BuiltInPreset = keyof typeof BUILT_IN_PRESETS
export const BUILT_IN_NAMES = Object.keys(BUILT_IN_PRESETS) as BuiltInPreset[]

/** Only the object's own names: `constructor` or `toString` is not a built-in preset. */
export const isBuiltIn = (name: string): name is BuiltInPreset => Object.hasOwn(BUILT_IN_PRESETS, name)

export const builtInPreset = (name: string): Preset | null => (isBuiltIn(name) ? BUILT_IN_PRESETS[name] : null)

export const recipeOf = (preset: Preset): Recipe => ({ outputs: preset.outputs })

/**
 * A preset's name is its file's name in the config folder (`web.json`), so it is written the
 * same on every system: letters, digits, spaces, `-`, `_` and `.`, not starting with a dot.
 */
export const PRESET_NAME = { pattern: /^[\p{L}\p{N}_-][\p{L}\p{N} _.-]{0,63}$/u, max: 64 } as const
export const presetNameSchema = z
  .string()
  .max(PRESET_NAME.max, `a preset name has at most ${PRESET_NAME.max} characters`)
  .regex(PRESET_NAME.pattern, 'a preset name uses letters, digits, spaces, "-", "_" and "." and does not start with a dot or a space')
  .refine((name) => !name.endsWith(' ') && !name.toLowerCase().endsWith('.json'), 'a preset name does not end with a space or ".json"')
export type PresetName = string

/** One preset as a front end lists it. */
export interface PresetEntry {
  name: PresetName
  description: string
  /** 'built-in', or the file it comes from. */
  from: string
  builtIn: boolean
  /** Null when the file cannot be used; `problem` says why. */
  preset: Preset | null
  problem?: string
}
