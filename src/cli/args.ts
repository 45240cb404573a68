import { parseArgs } from 'node:util'
import type { BatchOptions } from '../shared/batch'
import { DEFAULT_SIZE, SIZE_MAX, WORKERS_MAX } from '../shared/batch'
import { defaultOptions, defaultWorkers, parseBatchOptions } from '../core/options'
import { ScaleError } from '../core/errors'

export const USAGE = `usage: imagescale [options] SOURCE TARGET
       imagescale --demo [options]

Copies every image in SOURCE that already fits in a SIZE×SIZE box, scales every
larger one into TARGET (same name, same format), and skips the rest with a reason.

  -s, --size N          longest side of the output box in pixels (default ${DEFAULT_SIZE})
  -S, --smooth          smooth, high-quality resize (the default; kept for the book's users)
      --stride          the book's fast stride subsample instead of smooth
  -c, --concurrency N   worker threads, 1-${WORKERS_MAX} (default: ${defaultWorkers()}, the core count)
      --flat            only SOURCE's top level (default: all sub-folders, mirrored in TARGET)
      --overwrite       replace outputs that already exist (default: skip them)
      --max-pixels N    skip images with more pixels than N (default 268402689)
      --json            one JSON object per event on stdout; the last is the summary
      --demo            generate a demo folder in a temporary folder and scale it
  -h, --help            show this help
  -v, --version         print the version

Exit status: 0 all done, 1 some file failed, 2 bad usage, 130 canceled (Ctrl-C).`

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: BatchOptions; json: boolean; demo: boolean }

export const DEMO_FOLDER = '<demo>'

export class UsageError extends ScaleError {
  constructor(message: string) {
    super('usage', message)
  }
}

function wholeNumber(name: string, raw: string | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw new UsageError(`${name} must be a positive whole number, not "${raw}"`)
  if (Number(raw) > max) throw new UsageError(`${name} must be at most ${max}, not ${raw.trim()}`)
  return Number(raw)
}

const VALUE_OPTIONS = new Map([
  ['-s', '--size'],
  ['--size', '--size'],
  ['-c', '--concurrency'],
  ['--concurrency', '--concurrency'],
  ['--max-pixels', '--max-pixels']
])

/**
 * `-s -3` is a size typed wrong, not a forgotten value: parseArgs would refuse it as an
 * ambiguous option, so it is joined as `--size=-3` and told what a size must be.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const joined: string[] = []
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!
    if (arg === '--') return [...joined, ...argv.slice(i)]
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

export function parseCommand(argv: readonly string[]): Command {
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
        overwrite: { type: 'boolean' },
        'max-pixels': { type: 'string' },
        json: { type: 'boolean' },
        demo: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' }
      }
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
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
  const defaults = defaultOptions(source, target)
  const options = {
    ...defaults,
    size: wholeNumber('--size', values.size, SIZE_MAX) ?? defaults.size,
    workers: wholeNumber('--concurrency', values.concurrency, WORKERS_MAX) ?? defaults.workers,
    maxPixels: wholeNumber('--max-pixels', values['max-pixels'], Number.MAX_SAFE_INTEGER) ?? defaults.maxPixels,
    mode: values.stride ? 'stride' : 'smooth',
    recursive: values.flat !== true,
    existing: values.overwrite ? 'overwrite' : 'skip'
  } satisfies BatchOptions
  try {
    return { kind: 'run', options: parseBatchOptions(options), json: values.json === true, demo }
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}
