import { z } from 'zod'
import { formatCount } from './format'

/**
 * The one definition of what a batch is asked to make. The CLI's flags, the app's form, the
 * presets, the IPC payloads and the journal all derive from these schemas and lists; nothing
 * else spells an option, a limit or an enum.
 */

export const MODES = ['smooth', 'stride'] as const
export type Mode = (typeof MODES)[number]

export const EXISTING_POLICIES = ['skip', 'overwrite', 'rename'] as const
export type ExistingPolicy = (typeof EXISTING_POLICIES)[number]

/** The order files go to the workers: as found (a file manager's order), or the largest files first, so no big one is left for the end. */
export const FILE_ORDERS = ['found', 'largest'] as const
export type FileOrder = (typeof FILE_ORDERS)[number]

export const RESIZE_KINDS = ['long', 'short', 'width', 'height', 'box', 'percent'] as const
export type ResizeKind = (typeof RESIZE_KINDS)[number]

/** What an output is encoded as; `same` keeps each source's own format. */
export const OUTPUT_FORMATS = ['same', 'jpeg', 'webp', 'avif', 'png', 'tiff'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/**
 * `keep`: EXIF, XMP, IPTC and the colour profile; `strip-gps`: all of that but where the photo
 * was taken; `strip`: only the colour profile. Orientation is always applied and reset.
 */
export const METADATA_POLICIES = ['keep', 'strip-gps', 'strip'] as const
export type MetadataPolicy = (typeof METADATA_POLICIES)[number]

export const CHROMA_SUBSAMPLING = ['4:2:0', '4:4:4'] as const

export const LIMITS = {
  size: { min: 1, max: 65_535 },
  percent: { min: 0.01, max: 100 },
  workers: { min: 1, max: 64 },
  outputs: { min: 1, max: 8 },
  quality: { min: 1, max: 100 },
  /** A byte budget below a few kilobytes cannot hold a photo's headers and a visible picture. */
  maxBytes: { min: 2048, max: 1024 ** 3 },
  effort: { min: 0, max: 9 },
  /** libvips' own default input limit (0x3FFF²): well beyond any camera, well below a bomb. */
  maxPixels: { min: 1, max: Number.MAX_SAFE_INTEGER, default: 268_402_689 },
  /** Sources are read whole into memory before decoding (see src/core/read-source.ts). */
  fileBytes: { max: 1024 ** 3 },
  /** Files picked one by one in a batch (more is a folder's job). */
  pickedFiles: { max: 10_000 },
  /** Longest path accepted from a front end, in UTF-16 units (Linux allows 4,096 bytes). */
  path: { max: 4096 }
} as const

export const DEFAULT_SIZE = 400

/**
 * `--sharpen`: libvips' unsharp mask on lightness, about one output pixel wide, flat areas
 * touched half as much as edges, and as much brightening as darkening allowed (libvips'
 * default darkens twice as much, which greys fine line work). Measured in `npm run bench`.
 */
export const SHARPEN = { sigma: 0.6, m1: 0.5, m2: 2, y2: 10, y3: 10 } as const

/** Quality when none is asked for: sharp's defaults, but JPEG at 90 as ImageScale always wrote. */
export const DEFAULT_QUALITY = { jpeg: 90, webp: 80, avif: 50, tiff: 80 } as const

/** A choice among listed words, refused in a sentence that names the setting and the choices. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: `${what} must be one of ${values.join(', ')}` })

/** A yes/no setting, refused in a sentence that names it. */
const yesNo = (what: string) => z.boolean({ error: `${what} is true or false` })

const pixels = (what: string) =>
  z
    .number({ error: `${what} must be a number of pixels` })
    .int(`${what} must be a whole number of pixels`)
    .min(LIMITS.size.min, `${what} must be at least ${LIMITS.size.min} pixel`)
    .max(LIMITS.size.max, `${what} must be at most ${formatCount(LIMITS.size.max)} pixels`)

/** How an output's size follows from its source; an image already within the rule is never enlarged. */
export const resizeRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('long'), size: pixels('the long side') }),
  z.strictObject({ kind: z.literal('short'), size: pixels('the short side') }),
  z.strictObject({ kind: z.literal('width'), size: pixels('the width') }),
  z.strictObject({ kind: z.literal('height'), size: pixels('the height') }),
  z.strictObject({ kind: z.literal('box'), width: pixels('the box width'), height: pixels('the box height') }),
  z.strictObject({
    kind: z.literal('percent'),
    percent: z
      .number()
      .min(LIMITS.percent.min, `a percentage must be at least ${LIMITS.percent.min}`)
      .max(LIMITS.percent.max, 'a percentage above 100 would enlarge, which ImageScale never does')
  })
])
export type ResizeRule = z.infer<typeof resizeRuleSchema>

/**
 * A path below the target, as typed by a person: '/'-separated, relative, with no '..' or
 * empty segments. Its characters are kept exactly; a path is never trimmed or normalised.
 */
const relativeFolder = z
  .string()
  .max(LIMITS.path.max)
  .refine((path) => !path.includes('\0'), 'a folder name may not contain NUL')
  .refine((path) => path === '' || path.split('/').every((part) => part !== '' && part !== '.' && part !== '..'), {
    message: "a sub-folder must be a relative path below the target, without '.', '..' or empty parts"
  })

export const NAME_FIELDS = ['name', 'ext', 'dir', 'width', 'height', 'size', 'format'] as const
export type NameField = (typeof NAME_FIELDS)[number]

/** `{dir}/{name}.{ext}`: the source's sub-folder, its name without extension, the output's extension. */
export const DEFAULT_NAME = '{dir}/{name}.{ext}'

const nameTemplate = z
  .string()
  .min(1, 'a name template cannot be empty')
  .max(LIMITS.path.max)
  .refine((template) => !template.includes('\0'), 'a name template may not contain NUL')
  .refine((template) => [...template.matchAll(/\{([^}]*)\}/g)].every((match) => (NAME_FIELDS as readonly string[]).includes(match[1] ?? '')), {
    message: `a name template may only use ${NAME_FIELDS.map((field) => `{${field}}`).join(', ')}`
  })
  .refine((template) => template.includes('{name}'), 'a name template must contain {name}, or every file would get the same name')
  // Without one, outputs open in nothing and serve as the wrong type; {ext} follows the format.
  .refine((template) => /\.[^/.]+$/.test(template), 'a name template must end with an extension, as in {name}.{ext}')
  .refine((template) => !template.startsWith('/') && template.split('/').every((part) => part !== '.' && part !== '..'), {
    message: "a name template must stay below the target: no leading '/', '.' or '..'"
  })

const quality = z
  .number({ error: 'quality must be a number' })
  .int('quality must be a whole number')
  .min(LIMITS.quality.min, `quality must be at least ${LIMITS.quality.min}`)
  .max(LIMITS.quality.max, `quality must be at most ${LIMITS.quality.max}`)

/** `#rrggbb`: what transparent pixels become in a format without transparency (JPEG). */
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is written #rrggbb')

export const outputSchema = z.strictObject({
  resize: resizeRuleSchema,
  mode: oneOf(MODES, 'the method').default('smooth'),
  /** The output's own sub-folder of the target ('' for the target itself). */
  folder: relativeFolder.default(''),
  name: nameTemplate.default(DEFAULT_NAME),
  format: oneOf(OUTPUT_FORMATS, 'the format').default('same'),
  /** JPEG, WebP, AVIF and TIFF quality (DEFAULT_QUALITY when absent); PNG is always lossless. */
  quality: quality.optional(),
  /** The largest file each output may be: the best quality that fits, then smaller sizes if need be. */
  maxBytes: z
    .number()
    .int('a byte budget is a whole number of bytes')
    .min(LIMITS.maxBytes.min, `a byte budget must be at least ${formatCount(LIMITS.maxBytes.min)} bytes`)
    .max(LIMITS.maxBytes.max)
    .optional(),
  metadata: oneOf(METADATA_POLICIES, 'the metadata policy').default('keep'),
  /** With `strip`: keep the EXIF copyright and artist. */
  keepCopyright: yesNo('keep copyright').default(false),
  /** Convert to sRGB and embed it (for the web); otherwise the source's colour profile is kept. */
  srgb: yesNo('sRGB').default(false),
  /** A mild unsharp mask after downscaling (SHARPEN), which a downscale's smoothing calls for. */
  sharpen: yesNo('sharpen').default(false),
  /** JPEG: progressive scans and chroma subsampling. */
  progressive: yesNo('progressive').default(false),
  chroma: oneOf(CHROMA_SUBSAMPLING, 'chroma subsampling').default('4:2:0'),
  /** WebP: lossless instead of quality. */
  lossless: yesNo('lossless').default(false),
  /** AVIF encoder effort (slower, smaller). */
  effort: z
    .number({ error: 'the AVIF effort must be a number' })
    .int('the AVIF effort must be a whole number')
    .min(LIMITS.effort.min, `the AVIF effort must be from ${LIMITS.effort.min} to ${LIMITS.effort.max}`)
    .max(LIMITS.effort.max, `the AVIF effort must be from ${LIMITS.effort.min} to ${LIMITS.effort.max}`)
    .default(4),
  background: colour.default('#ffffff')
})
export type OutputSpec = z.infer<typeof outputSchema>

/** Every setting of an output as the schema fills it in when left out. */
export const OUTPUT_DEFAULTS: OutputSpec = outputSchema.parse({ resize: { kind: 'long', size: DEFAULT_SIZE } })

export const recipeSchema = z.strictObject({
  outputs: z
    .array(outputSchema)
    .min(LIMITS.outputs.min, 'a recipe needs at least one output')
    .max(LIMITS.outputs.max, `a recipe has at most ${LIMITS.outputs.max} outputs`)
})
export type Recipe = z.infer<typeof recipeSchema>

/** A folder as a front end gives it: any characters but NUL, exactly as typed. */
const folderPath = (what: string) =>
  z
    .string({ error: `choose a ${what} folder` })
    .min(1, `choose a ${what} folder`)
    .max(LIMITS.path.max, `the ${what} path is longer than ${LIMITS.path.max} characters`)
    .refine((path) => !path.includes('\0'), `the ${what} path may not contain NUL`)

/** A file's own name, in a folder: no '/', not '.' or '..'. */
const fileName = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => !name.includes('\0') && !name.includes('/') && name !== '.' && name !== '..', 'a file is named without a folder')

/** Everything one batch needs: where from, where to, what to make, and how to run. */
export const batchRequestSchema = z.strictObject({
  source: folderPath('source'),
  target: folderPath('target'),
  /**
   * Only these files of the source's top level, into a flat target (files picked one by one);
   * a file not found there is reported, not silently left out.
   */
  files: z.array(fileName).min(1, 'pick at least one file').max(LIMITS.pickedFiles.max).optional(),
  recipe: recipeSchema,
  workers: z
    .number()
    .int('worker threads must be a whole number')
    .min(LIMITS.workers.min, `at least ${LIMITS.workers.min} worker thread`)
    .max(LIMITS.workers.max, `at most ${LIMITS.workers.max} worker threads`),
  /** Walk sub-folders and mirror them (false: the top level only, like the book). */
  recursive: yesNo('sub-folders'),
  existing: oneOf(EXISTING_POLICIES, 'what to do with an existing output'),
  maxPixels: z
    .number({ error: 'the pixel limit must be a number' })
    .int('the pixel limit must be a whole number')
    .min(LIMITS.maxPixels.min, `the pixel limit must be at least ${LIMITS.maxPixels.min}`)
    .max(LIMITS.maxPixels.max),
  /** Plan every file and report it, writing nothing at all. */
  dryRun: yesNo('dry run'),
  /** Give each output its source's modification time. */
  keepDates: yesNo('keep dates').default(false),
  /** Absent: as found. */
  order: oneOf(FILE_ORDERS, 'the order files are taken in').optional()
})
export type BatchRequest = z.infer<typeof batchRequestSchema>

/** The book's job: one output, the longest side at most `size`, same name and format. */
export function singleOutput(size: number, mode: Mode): OutputSpec {
  return { ...OUTPUT_DEFAULTS, resize: { kind: 'long', size }, mode }
}

/** `long:1920`, `box:1080x1350`, `percent:50`: how rules are written on a command line and shown. */
export function formatResizeRule(rule: ResizeRule): string {
  switch (rule.kind) {
    case 'box':
      return `box:${rule.width}x${rule.height}`
    case 'percent':
      return `percent:${rule.percent}`
    default:
      return `${rule.kind}:${rule.size}`
  }
}

/** How a rule of each kind is written, for help and messages: `long:N`, `box:WxH`, `percent:P`. */
export const ruleHint = (kind: ResizeKind): string => `${kind}:${kind === 'box' ? 'WxH' : kind === 'percent' ? 'P' : 'N'}`

/** Reads what formatResizeRule writes; a bare number is the book's box (`long`). */
export function parseResizeRule(text: string): ResizeRule | string {
  const match = /^(?:(long|short|width|height|box|percent):)?([0-9.x]+)$/.exec(text)
  if (!match) return `"${text}" is not a resize rule (${RESIZE_KINDS.map(ruleHint).join(', ')})`
  const kind = (match[1] ?? 'long') as ResizeKind
  const value = match[2] ?? ''
  const whole = (raw: string): number => (/^\d+$/.test(raw) ? Number(raw) : Number.NaN)
  const candidate =
    kind === 'box'
      ? (() => {
          const [width = '', height = ''] = value.split('x')
          return { kind, width: whole(width), height: whole(height) }
        })()
      : kind === 'percent'
        ? { kind, percent: /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN }
        : { kind, size: whole(value) }
  const parsed = resizeRuleSchema.safeParse(candidate)
  return parsed.success ? parsed.data : `"${text}": ${parsed.error.issues[0]?.message ?? 'not a resize rule'}`
}

/**
 * The first thing zod found wrong, as a sentence for people: the messages name their field
 * already, so only which output it is in is added (`output 2: quality must be at most 100`).
 */
export function firstProblem(error: z.ZodError, fallback: string): string {
  const issue = error.issues[0]
  if (!issue) return fallback
  const at = issue.path.indexOf('outputs')
  const index = at >= 0 ? issue.path[at + 1] : undefined
  return `${typeof index === 'number' ? `output ${index + 1}: ` : ''}${issue.message}`
}
