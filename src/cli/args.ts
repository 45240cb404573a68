import { parseArgs } from 'node:util'
import { EXISTING_POLICIES, LIMITS, DEFAULT_SIZE, singleOutput, type BatchRequest, type ExistingPolicy } from '../shared/recipe'
import { parseWholeNumber } from '../shared/numbers'
import { ScaleError, messageOf } from '../core/errors'
import { defaultRequest, defaultWorkers, parseBatchRequest } from '../core/request'

export const USAGE = `usage: imagescale [options] SOURCE TARGET
       imagescale --demo [options]

Copies every image in SOURCE that already fits in a SIZE×SIZE box, scales every
larger one into TARGET (same name, same format), and skips the rest with a reason.

  -s, --size N          longest side of the output box in pixels (default ${DEFAULT_SIZE})
  -S, --smooth          smooth, high-quality resize (the default; kept for the book's users)
      --stride          the book's fast stride subsample instead of smooth
  -c, --concurrency N   worker threads, ${LIMITS.workers.min}-${LIMITS.workers.max} (default: ${defaultWorkers()}, the core count)
      --flat            only SOURCE's top level (default: all sub-folders, mirrored in TARGET)
      --existing POLICY what to do with a file already at an output's name that an earlier
                        run did not make from the same source and settings: ${EXISTING_POLICIES.join(', ')}
                        (default skip; rename writes "name (1).ext")
      --overwrite       the same as --existing overwrite
      --max-pixels N    skip images with more pixels than N (default ${LIMITS.maxPixels.default})
      --dry-run         print what would be done to each file, and the summary it would end
                        with; nothing at all is written (not even TARGET)
      --json            one JSON object per event on stdout; the last is the summary
      --demo            generate a demo folder in a temporary folder and scale it
  -h, --help            show this help
  -v, --version         print the version

Ctrl-C cancels (files on a worker finish); a second Ctrl-C stops at once (nothing partial is
left); a third leaves without a summary.

Exit status: 0 all done, 1 some file failed, 2 bad usage, 130 canceled.`

export type Command = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; request: BatchRequest; json: boolean; demo: boolean }

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
        existing: { type: 'string' },
        overwrite: { type: 'boolean' },
        'max-pixels': { type: 'string' },
        json: { type: 'boolean' },
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
  const size = wholeNumber('--size', values.size, LIMITS.size) ?? DEFAULT_SIZE
  const request: BatchRequest = {
    ...defaults,
    recipe: { outputs: [singleOutput(size, values.stride ? 'stride' : 'smooth')] },
    workers: wholeNumber('--concurrency', values.concurrency, LIMITS.workers) ?? defaults.workers,
    maxPixels: wholeNumber('--max-pixels', values['max-pixels'], LIMITS.maxPixels) ?? defaults.maxPixels,
    recursive: values.flat !== true,
    existing: existingPolicy(values.existing, values.overwrite),
    dryRun: values['dry-run'] === true
  }
  try {
    return { kind: 'run', request: parseBatchRequest(request), json: values.json === true, demo }
  } catch (error) {
    throw new UsageError(messageOf(error))
  }
}
