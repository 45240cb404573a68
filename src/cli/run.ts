import { ScaleError, messageOf } from '../core/errors'
import { forkHost } from '../core/pool-client'
import { runBatch } from '../core/runner'
import type { BatchRequest } from '../shared/recipe'
import { isRequestError } from '../shared/reasons'
import { USAGE, UsageError, parseCommand } from './args'
import { jsonReporter, lineReporter, terminalReporter, type Reporter, type Writer } from './reporters'

export const EXIT = { ok: 0, someFailed: 1, usage: 2, canceled: 130 } as const

export interface CliContext {
  hostPath: string
  workerPath: string
  version: string
  /** How long a pool host may hold files without a sign of life (IMAGESCALE_HOST_TIMEOUT_MS). */
  hostTimeoutMs?: number
  stdout: Writer & { isTTY?: boolean; columns?: number }
  stderr: Writer
  /** Registers the Ctrl-C handler; presses before it was registered are delivered at once. */
  onInterrupt(handler: () => void): void
  /** Registers what to do when stdout or stderr can no longer be written. */
  onOutputClosed(handler: () => void): void
  /** Leaves at once (a third Ctrl-C). */
  exitNow(code: number): void
}

function chooseReporter(json: boolean, request: BatchRequest, context: CliContext, out: Writer, err: Writer): Reporter {
  if (json) return jsonReporter(out, err, request.source)
  // A terminal of unknown size (a pty nobody sized, as in CI) reports 0 columns, not undefined.
  if (context.stdout.isTTY) return terminalReporter(out, request.workers, () => context.stdout.columns || 80, request.source)
  return lineReporter(out, err, request.source)
}

export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const cancel = new AbortController()
  const stopNow = new AbortController()
  let closed = false
  const out: Writer = { write: (text) => closed || context.stdout.write(text) }
  const err: Writer = { write: (text) => closed || context.stderr.write(text) }
  let reporter: Reporter | null = null
  let presses = 0

  // A reader that went away (a pipe into `head`) is told to stop like Ctrl-C: no stack trace,
  // running files finish, the rest are not started, and nothing more is written to anyone.
  context.onOutputClosed(() => {
    closed = true
    cancel.abort()
  })
  context.onInterrupt(() => {
    presses += 1
    if (presses === 1) {
      cancel.abort()
      reporter?.canceling()
    } else if (presses === 2) {
      stopNow.abort()
      reporter?.stoppingNow()
    } else {
      err.write('\nleft without waiting\n')
      context.exitNow(EXIT.canceled)
    }
  })

  let command
  try {
    command = await parseCommand(argv)
  } catch (error) {
    err.write(`imagescale: ${messageOf(error)}\ntry 'imagescale --help'\n`)
    return EXIT.usage
  }
  if (command.kind === 'help') {
    out.write(`${USAGE}\n`)
    return EXIT.ok
  }
  if (command.kind === 'version') {
    out.write(`imagescale ${context.version}\n`)
    return EXIT.ok
  }
  if (command.kind === 'presets') {
    const { listPresets, presetsFolder } = await import('../core/presets')
    const { displayName } = await import('../shared/display')
    // Names and descriptions come from files of the user's: escaped like every name printed.
    for (const preset of await listPresets()) {
      out.write(`${displayName(`${preset.name.padEnd(16)} ${preset.description}${preset.from === 'built-in' ? '' : `  (${preset.from})`}`)}\n`)
    }
    out.write(`\nyour own: ${displayName(presetsFolder())}/NAME.json (a recipe's outputs; see the README)\n`)
    return EXIT.ok
  }

  let request = command.request
  if (command.demo) {
    // Drawing the demo photos takes several seconds: say so, or it looks hung.
    err.write('making the demo images…\n')
    // Loaded only here: drawing demo photos needs sharp, which the CLI's own process never loads otherwise.
    const { makeDemoFolders } = await import('./demo')
    const folders = await makeDemoFolders()
    request = { ...request, ...folders }
    err.write(`demo images in ${folders.source}\nscaling into ${folders.target}\n`)
  }

  reporter = chooseReporter(command.json, request, context, out, err)
  if (cancel.signal.aborted) reporter.canceling()
  try {
    const summary = await runBatch(request, {
      spawnHost: forkHost(context.hostPath, (text) => err.write(text)),
      workerPath: context.workerPath,
      signal: cancel.signal,
      stopNow: stopNow.signal,
      ...(context.hostTimeoutMs ? { hostTimeoutMs: context.hostTimeoutMs } : {}),
      onEvent: (event) => reporter?.event(event)
    })
    reporter.close(summary)
    if (summary.canceled || closed) return EXIT.canceled
    return summary.counts.failed > 0 ? EXIT.someFailed : EXIT.ok
  } catch (error) {
    err.write(`imagescale: ${messageOf(error)}\n`)
    // Only a request that could not start is bad usage; anything else that stops a batch is a failure.
    return error instanceof UsageError || (error instanceof ScaleError && isRequestError(error.code)) ? EXIT.usage : EXIT.someFailed
  }
}
