import type { BatchOptions } from '../shared/batch'
import { ScaleError, messageOf } from '../core/errors'
import { forkHost, runInHost } from '../core/host-client'
import { USAGE, UsageError, parseCommand } from './args'
import { jsonReporter, lineReporter, terminalReporter, type Reporter, type Writer } from './reporters'

export const EXIT = { ok: 0, someFailed: 1, usage: 2, canceled: 130 } as const

export interface CliContext {
  hostPath: string
  workerPath: string
  version: string
  stdout: Writer & { isTTY?: boolean; columns?: number }
  stderr: Writer
  /** Registers the Ctrl-C handler; the CLI decides what each press means. */
  onInterrupt(handler: () => void): void
  /** Registers what to do when stdout can no longer be written (`imagescale … | head`). */
  onOutputClosed(handler: () => void): void
  /** Leaves at once (second Ctrl-C). */
  exitNow(code: number): void
}

function chooseReporter(json: boolean, options: BatchOptions, context: CliContext, out: Writer): Reporter {
  if (json) return jsonReporter(out)
  // A terminal of unknown size (a pty nobody sized, as in CI) reports 0 columns, not undefined.
  if (context.stdout.isTTY) return terminalReporter(out, options.workers, () => context.stdout.columns || 80)
  return lineReporter(out, context.stderr)
}

export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  // A reader that went away (a pipe into `head`) is told to stop like Ctrl-C: no stack trace,
  // running files finish, the rest are not started, and nothing more is written to it.
  const controller = new AbortController()
  let outputClosed = false
  const out: Writer = { write: (text) => outputClosed || context.stdout.write(text) }
  context.onOutputClosed(() => {
    if (outputClosed) return
    outputClosed = true
    if (controller.signal.aborted) return
    controller.abort()
    context.stderr.write('imagescale: the output was closed; canceling: running files finish, the rest are not started\n')
  })

  let command
  try {
    command = parseCommand(argv)
  } catch (error) {
    context.stderr.write(`imagescale: ${messageOf(error)}\ntry 'imagescale --help'\n`)
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

  let options = command.options
  if (command.demo) {
    // Drawing the demo photos takes several seconds: say so, or it looks hung.
    context.stderr.write('making the demo images…\n')
    // Loaded only here: drawing demo photos needs sharp, which a plain run never loads in the CLI.
    const { makeDemoFolders } = await import('./demo')
    const folders = await makeDemoFolders()
    options = { ...options, ...folders }
    context.stderr.write(`demo images in ${folders.source}\nscaling into ${folders.target}\n`)
  }

  const reporter = chooseReporter(command.json, options, context, out)
  context.onInterrupt(() => {
    if (controller.signal.aborted) {
      context.stderr.write('\nstopped without waiting for running files\n')
      context.exitNow(EXIT.canceled)
      return
    }
    controller.abort()
    reporter.canceling()
  })

  try {
    const summary = await runInHost(options, {
      spawn: forkHost(context.hostPath),
      workerPath: context.workerPath,
      signal: controller.signal,
      onEvent: (event) => reporter.event(event)
    })
    reporter.close(summary)
    if (summary.canceled) return EXIT.canceled
    return summary.failed > 0 ? EXIT.someFailed : EXIT.ok
  } catch (error) {
    context.stderr.write(`imagescale: ${messageOf(error)}\n`)
    if (error instanceof UsageError) return EXIT.usage
    // Folder problems found before any file was touched are usage errors too.
    return error instanceof ScaleError && error.code !== 'host-crashed' && error.code !== 'internal' ? EXIT.usage : EXIT.someFailed
  }
}
