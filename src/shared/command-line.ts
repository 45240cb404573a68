import { folderForRule } from './names'
import { presetSchema } from './presets'
import { DEFAULT_SIZE, LIMITS, OUTPUT_DEFAULTS, formatResizeRule, outputSchema, type BatchRequest, type OutputSpec } from './recipe'

/**
 * "Copy as command line": the `imagescale …` command that asks the CLI for exactly the batch a
 * request describes. The renderer runs this too, so it may use nothing outside src/shared; what
 * it knows of the CLI (src/cli/args.ts) is checked against it by a round trip through a real
 * shell in tests/cli/command-line.test.ts.
 */

/** A recipe the flags cannot say, to be saved where the command's `--preset` names it. */
export interface PresetFile {
  /** The path exactly as the command names it: relative to where the command runs, or absolute. */
  fileName: string
  /** A preset file (presetSchema): `{ description, outputs }`. */
  json: string
}

export interface CommandLine {
  /** One line for a POSIX shell (sh, bash, zsh), starting `imagescale`. */
  command: string
  /** Null when the flags say the whole recipe. */
  preset: PresetFile | null
}

export interface CommandLineOptions {
  /**
   * The CLI's `-c` default where the command will run (that machine's core count, capped), which
   * src/shared cannot know; without it `-c` is always written, so the command is exact anywhere.
   */
  defaultWorkers?: number
  /** Where the caller will save the preset if one is needed (default `recipe.json`, beside the command). */
  presetPath?: string
}

export const DEFAULT_PRESET_PATH = 'recipe.json'

/**
 * What the CLI assumes of a run when no flag says otherwise (defaultRequest in src/core/request.ts,
 * which src/shared cannot import; the test holds the two together). Workers are left out: see
 * CommandLineOptions.defaultWorkers.
 */
export const CLI_RUN_DEFAULTS = {
  recursive: true,
  existing: 'skip',
  maxPixels: LIMITS.maxPixels.default,
  dryRun: false,
  keepDates: false
} as const satisfies Omit<BatchRequest, 'source' | 'target' | 'recipe' | 'workers'>

/**
 * How the CLI spells each output setting that one flag sets on every output. The flag is the
 * setting's name in kebab case (`maxBytes` is `--max-bytes`); `switch` settings can only be
 * turned on. Typed over every field of OutputSpec, so a new setting does not compile here until
 * someone says how the CLI takes it. resize and folder are where outputs differ (--resize,
 * --sizes); mode is `--stride`/`--smooth`, a flag per mode.
 */
type Setting = Exclude<keyof OutputSpec, 'resize' | 'folder' | 'mode'>
const SETTINGS = {
  name: 'value',
  format: 'value',
  quality: 'value',
  maxBytes: 'bytes',
  metadata: 'value',
  keepCopyright: 'switch',
  srgb: 'switch',
  sharpen: 'switch',
  progressive: 'switch',
  chroma: 'value',
  lossless: 'switch',
  effort: 'value',
  background: 'value'
} as const satisfies Record<Setting, 'value' | 'bytes' | 'switch'>

const kebab = (field: string): string => field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)

/** The flags of every setting, in the schema's order (which is the CLI help's), for the test. */
export const SETTING_FLAGS: readonly string[] = Object.keys(outputSchema.shape)
  .filter((field): field is Setting => field in SETTINGS)
  .map((field) => `--${kebab(field)}`)

/** Sizes in the units people type (`500k`, `2M`), exact: parseByteSize reads them back to the byte. */
function byteText(bytes: number): string {
  if (bytes % 1e6 === 0) return `${bytes / 1e6}M`
  if (bytes % 1e3 === 0) return `${bytes / 1e3}k`
  return String(bytes)
}

const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/

/**
 * One argument as a POSIX shell reads back exactly: bare when every character is inert in sh,
 * bash and zsh alike (a leading `=` is not: zsh expands it), else in single quotes, inside which
 * only the quote itself needs saying (`'\''`); newlines and any other bytes pass through.
 */
export function quoteForShell(arg: string): string {
  return SAFE_WORD.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`
}

/**
 * `--flag value`, except that node's parseArgs refuses a value that starts with '-' as a likely
 * forgotten one; joined with '=' it is taken as given.
 */
const valueFlag = (flag: string, value: string): string[] => (value.startsWith('-') ? [`${flag}=${value}`] : [flag, value])

/** The flags that set one output's settings, or null if one of them has no flag that says it. */
function settingFlags(output: OutputSpec): string[] | null {
  const args: string[] = []
  if (output.mode !== OUTPUT_DEFAULTS.mode) args.push(`--${output.mode}`)
  for (const field of Object.keys(outputSchema.shape)) {
    if (!(field in SETTINGS)) continue
    const setting = field as Setting
    const value = output[setting]
    if (value === OUTPUT_DEFAULTS[setting]) continue
    const flag = `--${kebab(setting)}`
    const kind = SETTINGS[setting]
    if (kind === 'switch') {
      if (value !== true) return null
      args.push(flag)
    } else if (value === undefined) {
      // An optional setting given by default (none is today) cannot be unset by a flag.
      return null
    } else {
      args.push(...valueFlag(flag, kind === 'bytes' && typeof value === 'number' ? byteText(value) : String(value)))
    }
  }
  return args
}

/** Everything of an output but where it goes and how it is resized: what one set of flags sets on all. */
function sameSettings(a: OutputSpec, b: OutputSpec): boolean {
  return (Object.keys(outputSchema.shape) as (keyof OutputSpec)[]).every((field) => field === 'resize' || field === 'folder' || a[field] === b[field])
}

/**
 * The recipe in flags, as parseCommand builds it from the book's one output: `--resize` for one
 * output in the target itself; `--sizes` for outputs that differ only in their rule and are each
 * in the folder --sizes names for it, or all in the target itself (which --sizes gives them only
 * when --name is given). Null when the flags cannot say it.
 */
function recipeFlags(outputs: readonly OutputSpec[]): string[] | null {
  const first = outputs[0]
  if (!first || !outputs.every((output) => sameSettings(output, first))) return null
  const settings = settingFlags(first)
  if (!settings) return null
  const rules = outputs.map((output) => output.resize)
  const book = rules.length === 1 && first.folder === '' && first.resize.kind === 'long' && first.resize.size === DEFAULT_SIZE
  if (book) return settings
  if (rules.length === 1 && first.folder === '') return ['--resize', formatResizeRule(first.resize), ...settings]

  const folders = rules.map(folderForRule)
  // --sizes refuses two rules with one folder, even when --name keeps them in the target.
  if (new Set(folders).size !== folders.length) return null
  const sizes = ['--sizes', rules.map(formatResizeRule).join(',')]
  if (outputs.every((output, i) => output.folder === folders[i])) {
    // --name, even the default one, keeps every size in the target.
    return first.name === OUTPUT_DEFAULTS.name ? [...sizes, ...settings] : null
  }
  if (!outputs.every((output) => output.folder === '')) return null
  return first.name === OUTPUT_DEFAULTS.name ? [...sizes, ...settings, '--name', first.name] : [...sizes, ...settings]
}

/**
 * Every setting written out, as the app saves presets (presetJson in src/core/presets.ts): the
 * file makes the same outputs whatever a later version's defaults.
 */
function presetJson(outputs: readonly OutputSpec[]): string {
  const listed = `copied from ImageScale: ${outputs.map((output) => formatResizeRule(output.resize)).join(', ')}`
  // Eight percentages of 17 digits are longer than a description may be.
  const description = presetSchema.shape.description.safeParse(listed).success ? listed : `copied from ImageScale: ${outputs.length} outputs`
  return `${JSON.stringify(presetSchema.parse({ description, outputs }), null, 2)}\n`
}

/**
 * The flag of each of a run's settings, null where the CLI has none. Typed over every field of
 * BatchRequest, so a new one does not compile here until someone says how the CLI takes it.
 */
export const RUN_FLAGS = {
  workers: '-c',
  recursive: '--flat',
  existing: '--existing',
  keepDates: '--keep-dates',
  maxPixels: '--max-pixels',
  dryRun: '--dry-run',
  order: '--order',
  // The CLI scales whole folders; files picked one by one in the app have no flag.
  files: null
} as const satisfies Record<Exclude<keyof BatchRequest, 'source' | 'target' | 'recipe'>, string | null>

/** The run's own flags, in the CLI help's order. */
function runFlags(request: BatchRequest, defaultWorkers: number | undefined): string[] {
  const args: string[] = []
  if (request.workers !== defaultWorkers) args.push(RUN_FLAGS.workers, String(request.workers))
  if (request.recursive !== CLI_RUN_DEFAULTS.recursive) args.push(RUN_FLAGS.recursive)
  if (request.existing !== CLI_RUN_DEFAULTS.existing) args.push(RUN_FLAGS.existing, request.existing)
  if (request.keepDates !== CLI_RUN_DEFAULTS.keepDates) args.push(RUN_FLAGS.keepDates)
  if (request.maxPixels !== CLI_RUN_DEFAULTS.maxPixels) args.push(RUN_FLAGS.maxPixels, String(request.maxPixels))
  if (request.dryRun !== CLI_RUN_DEFAULTS.dryRun) args.push(RUN_FLAGS.dryRun)
  if (request.order !== undefined && request.order !== 'found') args.push(RUN_FLAGS.order, request.order)
  return args
}

/**
 * Why no command can ask for this batch, or null when one can. A command that scaled more than
 * was asked would not be harmless (with `--existing overwrite` it replaces files), so there is
 * no near miss: the app should not offer the copy.
 */
export function commandLineProblem(request: BatchRequest): string | null {
  if (request.files !== undefined) return 'the command line scales whole folders, not files picked one by one'
  return null
}

/**
 * loadPreset takes a name without '/' or '.json' for a built-in or the user's own preset; any
 * other path is made to look like the file it is.
 */
const asPresetFile = (path: string): string => (path.includes('/') || path.includes('\\') || path.endsWith('.json') ? path : `./${path}`)

/**
 * The arguments after `imagescale`, in a fixed order (the recipe, the run, then the folders),
 * with only what differs from the CLI's defaults.
 */
export function commandArgsOf(request: BatchRequest, options: CommandLineOptions = {}): { args: string[]; preset: PresetFile | null } {
  const problem = commandLineProblem(request)
  if (problem) throw new Error(`no command can ask for this batch: ${problem}`)
  const outputs = request.recipe.outputs
  const flags = recipeFlags(outputs)
  let preset: PresetFile | null = null
  const args: string[] = []
  if (flags) {
    args.push(...flags)
  } else {
    const fileName = asPresetFile(options.presetPath ?? DEFAULT_PRESET_PATH)
    preset = { fileName, json: presetJson(outputs) }
    args.push(...valueFlag('--preset', fileName))
  }
  args.push(...runFlags(request, options.defaultWorkers))
  // After `--` a folder that starts with '-' is a folder, not an option.
  if (request.source.startsWith('-') || request.target.startsWith('-')) args.push('--')
  args.push(request.source, request.target)
  return { args, preset }
}

/** The command for a batch; throws when commandLineProblem names why there is none. */
export function commandLineOf(request: BatchRequest, options: CommandLineOptions = {}): CommandLine {
  const { args, preset } = commandArgsOf(request, options)
  return { command: ['imagescale', ...args].map(quoteForShell).join(' '), preset }
}
