import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { z } from 'zod'
import { ScaleError, messageOf } from '../core/errors'
import { folderForRule, joinRelative } from '../shared/names'
import { workerSteps } from '../core/speedup'
import type { BenchOptions } from './bench'
import { loadPreset } from '../core/presets'
import { defaultRequest, defaultWorkers, parseBatchRequest } from '../core/request'
import { parseByteSize, parseWholeNumber } from '../shared/numbers'
import {
  CHROMA_SUBSAMPLING,
  DEFAULT_NAME,
  DEFAULT_QUALITY,
  DEFAULT_SIZE,
  EXISTING_POLICIES,
  FILE_ORDERS,
  LIMITS,
  METADATA_POLICIES,
  NAME_FIELDS,
  OUTPUT_FORMATS,
  RESIZE_KINDS,
  parseResizeRule,
  ruleHint,
  singleOutput,
  type BatchRequest,
  type ExistingPolicy,
  type OutputSpec,
  type Recipe,
  type ResizeRule,
  outputSchema
} from '../shared/recipe'

/** Smaller than most photos, so that every one of a sample is decoded and scaled. */
export const BENCH_SIZE = 800

export const USAGE = `usage: imagescale [options] SOURCE TARGET
       imagescale --demo [options]
       imagescale presets
       imagescale bench [FOLDER] [--workers LIST] [--rounds N] [-s N] [--json] [--card FILE.png]

Copies every image in SOURCE that already fits, makes every larger one smaller into TARGET
(same name, same format unless asked), and skips the rest with a reason. Never enlarges.

What to make (a recipe; see the README for the exact rules):
  -s, --size N          longest side at most N pixels (default ${DEFAULT_SIZE}); the same as --resize long:N
      --resize RULE     ${RESIZE_KINDS.map(ruleHint).join(', ')}
      --sizes LIST      several outputs from one run, e.g. 3840,1920,800 or width:1200,width:600;
                        each goes to a sub-folder named for it (1920, width-600) unless --name says
  -S, --smooth          smooth, high-quality resize (the default)
      --stride          the book's fast stride subsample instead of smooth
      --format F        ${OUTPUT_FORMATS.join(', ')} (default same: each source's own)
      --quality Q       JPEG, WebP, AVIF quality ${LIMITS.quality.min}-${LIMITS.quality.max} (default JPEG ${DEFAULT_QUALITY.jpeg}, WebP ${DEFAULT_QUALITY.webp}, AVIF ${DEFAULT_QUALITY.avif})
      --max-bytes SIZE  each output at most SIZE (300k, 1.5M): the best quality that fits, then
                        smaller if it must; one that cannot fit is skipped as over-budget
      --metadata P      ${METADATA_POLICIES.join(', ')} (default keep): keep all; all but location; only the
                        colour profile. Orientation is always applied.
      --keep-copyright  with --metadata strip: keep the EXIF copyright and artist
      --srgb            convert to sRGB and embed it (otherwise the colour profile is kept)
      --sharpen         a mild unsharp mask on what was made smaller
      --progressive     progressive JPEG
      --chroma C        JPEG/AVIF chroma subsampling: ${CHROMA_SUBSAMPLING.join(', ')} (default 4:2:0)
      --lossless        lossless WebP
      --effort N        AVIF encoder effort ${LIMITS.effort.min}-${LIMITS.effort.max} (default 4)
      --background C    what transparency becomes in JPEG, #rrggbb (default #ffffff)
      --name TEMPLATE   output names from ${NAME_FIELDS.map((field) => `{${field}}`).join(' ')}
                        (default ${DEFAULT_NAME}; {ext} follows the output format)
      --preset NAME     start from a preset (a built-in, one of yours, or a .json file);
                        options given with it change every one of its outputs

How to run:
  -c, --concurrency N   worker threads, ${LIMITS.workers.min}-${LIMITS.workers.max} (default: ${defaultWorkers()}, the core count)
      --flat            only SOURCE's top level (default: all sub-folders, mirrored in TARGET)
      --existing POLICY what to do with a file already at an output's name that an earlier
                        run did not make from the same source and settings: ${EXISTING_POLICIES.join(', ')}
                        (default skip; rename writes "name (1).ext")
      --overwrite       the same as --existing overwrite
      --keep-dates      give each output its source's modification time
      --order ORDER     ${FILE_ORDERS.join(' or ')}: the order files go to the workers (default found,
                        a file manager's order; largest first leaves no big file for the end)
      --max-pixels N    skip images with more pixels than N (default ${LIMITS.maxPixels.default})
      --dry-run         print what would be done to each file, and the summary it would end
                        with; nothing at all is written (not even TARGET)
      --json            one JSON object per event on stdout; the last is the summary
      --trace FILE      write the run's timeline in the Chrome Trace Event format: one track per
                        worker lane, each file and its stages; open it in ui.perfetto.dev
      --timings FILE    write each file's lane, times, bytes and outcome as CSV (FILE.csv) or
                        JSON (any other name)
      --demo            generate a demo folder in a temporary folder and scale it
  -h, --help            show this help
  -v, --version         print the version

Ctrl-C cancels (files on a worker finish); a second Ctrl-C stops at once (nothing partial is
left); a third leaves without a summary.

imagescale bench measures the speedup: FOLDER (or the demo set) made at 1, 2, 4… workers up to
the core count and one beyond (--workers 1,2,3 to choose), median of --rounds N (default 3)
alternated rounds, beside the machine's ceiling (independent processes sharing nothing), with
Amdahl's law fitted; -s sets the longest side (default ${BENCH_SIZE}); --card writes the chart and
figures as a PNG. Nothing else is written but temporary folders, removed at once.

Exit status: 0 all done, 1 some file failed, 2 bad usage, 130 canceled.`

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'presets' }
  | { kind: 'bench'; options: BenchOptions }
  | { kind: 'run'; request: BatchRequest; json: boolean; demo: boolean; reports: Reports }

/** Files about the run itself, asked for with --trace and --timings: absolute paths. */
export interface Reports {
  trace?: string
  timings?: string
}

export const DEMO_FOLDER = '<demo>'

export class UsageError extends ScaleError {
  constructor(message: string) {
    super('bad-request', message)
  }
}

function wholeNumber(name: string, raw: string | undefined, limits: { min: number; max: number }): number | undefined {
  if (raw === undefined) return undefined
  const value = parseWholeNumber(raw)
  if (value === null || value < limits.min) throw new UsageError(`${name} must be a positive whole number, not "${raw}"`)
  if (value > limits.max) throw new UsageError(`${name} must be at most ${limits.max}, not ${raw}`)
  return value
}

const VALUE_OPTIONS = new Map([
  ['-s', '--size'],
  ['--size', '--size'],
  ['-c', '--concurrency'],
  ['--concurrency', '--concurrency'],
  ['--max-pixels', '--max-pixels'],
  ['--quality', '--quality'],
  ['--effort', '--effort']
])

/**
 * `-s -3` is a size typed wrong, not a forgotten value: parseArgs would refuse it as an
 * ambiguous option, so it is joined as `--size=-3` and told what a size must be.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const joined: string[] = []
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!
    // After `--` every word is a folder, even `-c` or `-1`.
    if (arg === '--') {
      joined.push(...argv.slice(i))
      break
    }
    const long = VALUE_OPTIONS.get(arg)
    const next = argv[i + 1]
    if (long && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${long}=${next}`)
      i += 1
    } else {
      joined.push(arg)
    }
  }
  return joined
}

function existingPolicy(raw: string | undefined, overwrite: boolean | undefined): ExistingPolicy {
  if (raw !== undefined && !(EXISTING_POLICIES as readonly string[]).includes(raw)) {
    throw new UsageError(`--existing must be one of ${EXISTING_POLICIES.join(', ')}, not "${raw}"`)
  }
  if (overwrite && raw !== undefined && raw !== 'overwrite') throw new UsageError(`--overwrite contradicts --existing ${raw}`)
  return overwrite ? 'overwrite' : ((raw as ExistingPolicy | undefined) ?? 'skip')
}

type Values = Record<string, string | boolean | undefined>
type OutputInput = z.input<typeof outputSchema>

const text = (values: Values, key: string): string | undefined => {
  const value = values[key]
  return typeof value === 'string' ? value : undefined
}

function oneOf<T extends string>(flag: string, raw: string | undefined, choices: readonly T[]): T | undefined {
  if (raw === undefined) return undefined
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`${flag} must be one of ${choices.join(', ')}, not "${raw}"`)
  return raw as T
}

function ruleOf(flag: string, raw: string): ResizeRule {
  const rule = parseResizeRule(raw)
  if (typeof rule === 'string') throw new UsageError(`${flag}: ${rule}`)
  return rule
}


/** What the flags change in every output (of the default recipe, or of a preset). */
function overridesOf(values: Values): Partial<OutputInput> {
  const maxBytes = text(values, 'max-bytes')
  const bytes = maxBytes === undefined ? undefined : parseByteSize(maxBytes)
  if (bytes === null) throw new UsageError(`--max-bytes must be a size such as 300k, 1.5M or 250000, not "${maxBytes}"`)
  const picked: Partial<OutputInput> = {
    mode: values.stride ? 'stride' : values.smooth ? 'smooth' : undefined,
    format: oneOf('--format', text(values, 'format'), OUTPUT_FORMATS),
    quality: wholeNumber('--quality', text(values, 'quality'), LIMITS.quality),
    maxBytes: bytes,
    metadata: oneOf('--metadata', text(values, 'metadata'), METADATA_POLICIES),
    keepCopyright: values['keep-copyright'] === true || undefined,
    srgb: values.srgb === true || undefined,
    progressive: values.progressive === true || undefined,
    sharpen: values.sharpen === true || undefined,
    chroma: oneOf('--chroma', text(values, 'chroma'), CHROMA_SUBSAMPLING),
    lossless: values.lossless === true || undefined,
    effort: wholeNumber('--effort', text(values, 'effort'), LIMITS.effort),
    background: text(values, 'background'),
    name: text(values, 'name')
  }
  return Object.fromEntries(Object.entries(picked).filter(([, value]) => value !== undefined))
}

/** One output as the schema completes it; what is wrong is said in the flags' words. */
function outputOf(input: OutputInput): OutputSpec {
  const parsed = outputSchema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const flag = FLAG_OF[String(issue?.path[0])] ?? String(issue?.path[0] ?? '')
  throw new UsageError(`${flag}: ${issue?.message ?? 'not valid'}`)
}

const FLAG_OF: Record<string, string> = { name: '--name', background: '--background', resize: '--resize', quality: '--quality', maxBytes: '--max-bytes', effort: '--effort' }

/** The recipe the flags ask for: a preset or the book's one output, resized and changed as given. */
async function recipeFrom(values: Values): Promise<Recipe> {
  const size = text(values, 'size')
  const resize = text(values, 'resize')
  const sizes = text(values, 'sizes')
  const given = [size !== undefined && '--size', resize !== undefined && '--resize', sizes !== undefined && '--sizes'].filter((flag) => flag !== false)
  if (given.length > 1) throw new UsageError(`choose one of ${given.join(' and ')}`)
  const preset = text(values, 'preset')
  const base: OutputInput[] = preset === undefined ? [singleOutput(DEFAULT_SIZE, 'smooth')] : (await loadPreset(preset)).outputs
  const first = base[0]!
  let outputs = base
  if (sizes !== undefined) {
    const rules = sizes.split(',').map((raw) => ruleOf('--sizes', raw))
    const folders = rules.map(folderForRule)
    const twice = folders.find((folder, i) => folders.indexOf(folder) !== i)
    if (twice) throw new UsageError(`--sizes lists ${twice} twice`)
    if (rules.length > LIMITS.outputs.max) throw new UsageError(`--sizes can list at most ${LIMITS.outputs.max} sizes`)
    // With a name template of their own, people decide where each size goes; else a folder each.
    const ownNames = text(values, 'name') !== undefined
    outputs = rules.map((rule) => ({ ...first, resize: rule, folder: ownNames ? (first.folder ?? '') : joinRelative(first.folder ?? '', folderForRule(rule)) }))
  } else if (resize !== undefined || size !== undefined) {
    const rule: ResizeRule = resize !== undefined ? ruleOf('--resize', resize) : { kind: 'long', size: wholeNumber('--size', size, LIMITS.size)! }
    outputs = base.map((output) => ({ ...output, resize: rule }))
  }
  const overrides = overridesOf(values)
  return { outputs: outputs.map((output) => outputOf({ ...output, ...overrides })) }
}

/** --trace and --timings as absolute paths; where they may go is checked before the run (checkReportFile). */
function reportsOf(values: Values, request: BatchRequest): Reports {
  const reports: Reports = {}
  for (const key of ['trace', 'timings'] as const) {
    const raw = text(values, key)
    if (raw === undefined) continue
    if (request.dryRun) throw new UsageError(`--dry-run writes nothing at all, --${key} included`)
    reports[key] = reportPath(`--${key}`, raw)
  }
  return reports
}

/** A comma-separated list of worker counts, each within the limits, none twice, in the order given. */
function workerList(raw: string): number[] {
  const counts = raw.split(',').map((part) => wholeNumber('--workers', part.trim(), LIMITS.workers)!)
  if (new Set(counts).size < counts.length) throw new UsageError('--workers lists a count twice')
  return counts
}

/** A report file's name as given (spaces are a name too), made absolute. */
function reportPath(flag: string, raw: string): string {
  if (raw === '' || raw.includes('\0')) throw new UsageError(`${flag} needs a file name`)
  return resolve(raw)
}

function parseBench(argv: readonly string[]): Command {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { workers: { type: 'string' }, rounds: { type: 'string' }, size: { type: 'string', short: 's' }, json: { type: 'boolean' }, card: { type: 'string' } }
    })
  } catch (error) {
    throw new UsageError(messageOf(error))
  }
  const { values, positionals } = parsed
  if (positionals.length > 1) throw new UsageError('imagescale bench takes at most one FOLDER')
  const workers = values.workers === undefined ? workerSteps(defaultWorkers()) : workerList(values.workers)
  return {
    kind: 'bench',
    options: {
      source: positionals[0] === undefined ? null : resolve(positionals[0]),
      workers: workers[0] === 1 ? workers : [1, ...workers.filter((n) => n !== 1)],
      rounds: wholeNumber('--rounds', values.rounds, { min: 1, max: 50 }) ?? 3,
      size: wholeNumber('--size', values.size, LIMITS.size) ?? BENCH_SIZE,
      json: values.json === true,
      ...(values.card === undefined ? {} : { card: reportPath('--card', values.card) })
    }
  }
}

export async function parseCommand(argv: readonly string[]): Promise<Command> {
  if (argv.length === 1 && argv[0] === 'presets') return { kind: 'presets' }
  if (argv[0] === 'bench') return parseBench(argv.slice(1))
  let parsed
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      allowPositionals: true,
      options: {
        size: { type: 'string', short: 's' },
        smooth: { type: 'boolean', short: 'S' },
        stride: { type: 'boolean' },
        concurrency: { type: 'string', short: 'c' },
        flat: { type: 'boolean' },
        existing: { type: 'string' },
        overwrite: { type: 'boolean' },
        'max-pixels': { type: 'string' },
        resize: { type: 'string' },
        sizes: { type: 'string' },
        format: { type: 'string' },
        quality: { type: 'string' },
        'max-bytes': { type: 'string' },
        metadata: { type: 'string' },
        'keep-copyright': { type: 'boolean' },
        srgb: { type: 'boolean' },
        progressive: { type: 'boolean' },
        sharpen: { type: 'boolean' },
        chroma: { type: 'string' },
        lossless: { type: 'boolean' },
        effort: { type: 'string' },
        background: { type: 'string' },
        name: { type: 'string' },
        preset: { type: 'string' },
        'keep-dates': { type: 'boolean' },
        order: { type: 'string' },
        json: { type: 'boolean' },
        trace: { type: 'string' },
        timings: { type: 'string' },
        'dry-run': { type: 'boolean' },
        demo: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' }
      }
    })
  } catch (error) {
    throw new UsageError(messageOf(error))
  }
  const { values, positionals } = parsed
  if (values.help) return { kind: 'help' }
  if (values.version) return { kind: 'version' }
  if (values.smooth && values.stride) throw new UsageError('choose either --smooth or --stride, not both')

  const demo = values.demo === true
  if (demo && positionals.length > 0) throw new UsageError('--demo makes its own folders; give no SOURCE or TARGET')
  if (!demo && positionals.length !== 2) {
    throw new UsageError(positionals.length < 2 ? 'give a SOURCE and a TARGET folder' : 'too many arguments: give one SOURCE and one TARGET')
  }
  // --demo fills in its own folders once they exist; the placeholders only pass validation.
  const [source = DEMO_FOLDER, target = DEMO_FOLDER] = positionals
  const defaults = defaultRequest(source, target)
  const recipe = await recipeFrom(values)
  const request: BatchRequest = {
    ...defaults,
    recipe,
    keepDates: values['keep-dates'] === true,
    workers: wholeNumber('--concurrency', values.concurrency, LIMITS.workers) ?? defaults.workers,
    maxPixels: wholeNumber('--max-pixels', values['max-pixels'], LIMITS.maxPixels) ?? defaults.maxPixels,
    recursive: values.flat !== true,
    existing: existingPolicy(values.existing, values.overwrite),
    dryRun: values['dry-run'] === true,
    ...(values.order === undefined ? {} : { order: oneOf('--order', values.order, FILE_ORDERS) })
  }
  try {
    const parsedRequest = parseBatchRequest(request)
    return { kind: 'run', request: parsedRequest, json: values.json === true, demo, reports: reportsOf(values, parsedRequest) }
  } catch (error) {
    throw new UsageError(messageOf(error))
  }
}
