import { extname } from 'node:path'
import { ScaleError, messageOf } from '../core/errors'
import { forkHost } from '../core/pool-client'
import { runBatch } from '../core/runner'
import { displayName } from '../shared/display'
import type { BatchRequest } from '../shared/recipe'
import { RunRecorder } from '../core/run-record'
import type { ReportFile } from '../core/report-path'
import type { RunRecord } from '../core/trace'
import { isRequestError } from '../shared/reasons'
import { USAGE, UsageError, parseCommand, type Reports } from './args'
import { jsonReporter, lineReporter, terminalReporter, type Reporter, type Writer } from './reporters'

export const EXIT = { ok: 0, someFailed: 1, usage: 2, canceled: 130 } as const

export interface CliContext {
  hostPath: string
  workerPath: string
  /** The built process of the speedup lab's ceiling (`imagescale bench`). */
  ceilingPath: string
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

/** The report files, checked before anything runs: never among the originals or the outputs, never one file twice. */
async function checkReports(reports: Reports, request: BatchRequest): Promise<{ trace?: ReportFile; timings?: ReportFile }> {
  const { checkReportFile } = await import('../core/report-path')
  const keepOut = [
    { folder: request.source, what: 'source folder' },
    { folder: request.target, what: 'target folder' }
  ]
  const trace = reports.trace === undefined ? undefined : await checkReportFile(reports.trace, keepOut)
  const timings = reports.timings === undefined ? undefined : await checkReportFile(reports.timings, keepOut)
  if (trace && timings && trace.path === timings.path && !trace.inPlace) throw new UsageError('--trace and --timings name the same file')
  return { ...(trace ? { trace } : {}), ...(timings ? { timings } : {}) }
}

async function writeReports(reports: { trace?: ReportFile; timings?: ReportFile }, run: RunRecord, version: string, err: Writer): Promise<void> {
  const { writeReport } = await import('../core/report-path')
  const { reportText } = await import('../core/trace')
  if (reports.trace) {
    await writeReport(reports.trace, reportText('trace', run, version))
    err.write(`trace: ${displayName(reports.trace.path)} (open it in ui.perfetto.dev or chrome://tracing)\n`)
  }
  if (reports.timings) {
    await writeReport(reports.timings, reportText(extname(reports.timings.path).toLowerCase() === '.csv' ? 'csv' : 'json', run, version))
    err.write(`timings: ${displayName(reports.timings.path)}\n`)
  }
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
    // Names and descriptions come from files of the user's: escaped like every name printed.
    for (const preset of await listPresets()) {
      out.write(`${displayName(`${preset.name.padEnd(16)} ${preset.description}${preset.from === 'built-in' ? '' : `  (${preset.from})`}`)}\n`)
    }
    out.write(`\nyour own: ${displayName(presetsFolder())}/NAME.json (a recipe's outputs; see the README)\n`)
    return EXIT.ok
  }

  if (command.kind === 'bench') {
    // A bench is measurements only: Ctrl-C stops it and removes its temporary folders; a second leaves at once.
    const stop = new AbortController()
    context.onInterrupt(() => {
      if (stop.signal.aborted) context.exitNow(EXIT.canceled)
      err.write('\nstopping the bench…\n')
      stop.abort()
    })
    const { benchTable, runBench } = await import('./bench')
    try {
      const { checkReportFile, writeReport } = await import('../core/report-path')
      // Checked before the measuring, as every report is: never among the sample's originals.
      const card = command.options.card === undefined ? null : await checkReportFile(command.options.card, command.options.source ? [{ folder: command.options.source, what: 'source folder' }] : [])
      const result = await runBench(command.options, { spawnHost: forkHost(context.hostPath, (text) => err.write(text)), workerPath: context.workerPath, ceilingPath: context.ceilingPath, version: context.version }, err, stop.signal)
      out.write(command.options.json ? `${JSON.stringify(result)}\n` : `${benchTable(result)}\n`)
      if (card) {
        const [{ default: sharp }, { benchCardSvg }] = await Promise.all([import('sharp'), import('./bench-card')])
        await writeReport(card, await sharp(Buffer.from(benchCardSvg(result))).png().toBuffer())
        err.write(`card: ${displayName(card.path)}\n`)
      }
      return EXIT.ok
    } catch (error) {
      if (stop.signal.aborted) return EXIT.canceled
      err.write(`imagescale bench: ${messageOf(error)}\n`)
      return error instanceof ScaleError && isRequestError(error.code) ? EXIT.usage : EXIT.someFailed
    }
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

  let reports: Awaited<ReturnType<typeof checkReports>>
  try {
    reports = await checkReports(command.reports, request)
  } catch (error) {
    err.write(`imagescale: ${messageOf(error)}\n`)
    return EXIT.usage
  }
  reporter = chooseReporter(command.json, request, context, out, err)
  if (cancel.signal.aborted) reporter.canceling()
  const recorder = reports.trace || reports.timings ? new RunRecorder() : null
  try {
    const summary = await runBatch(request, {
      spawnHost: forkHost(context.hostPath, (text) => err.write(text)),
      workerPath: context.workerPath,
      signal: cancel.signal,
      stopNow: stopNow.signal,
      ...(context.hostTimeoutMs ? { hostTimeoutMs: context.hostTimeoutMs } : {}),
      onEvent: (event) => {
        recorder?.observe(event)
        reporter?.event(event)
      }
    })
    reporter.close(summary)
    // Written even after a cancel: how a stopped run spent its time is worth seeing too.
    if (recorder) {
      try {
        await writeReports(reports, recorder.record(summary), context.version, err)
      } catch (error) {
        err.write(`imagescale: ${messageOf(error)}\n`)
        return EXIT.someFailed
      }
    }
    if (summary.canceled || closed) return EXIT.canceled
    return summary.counts.failed > 0 ? EXIT.someFailed : EXIT.ok
  } catch (error) {
    err.write(`imagescale: ${messageOf(error)}\n`)
    // Only a request that could not start is bad usage; anything else that stops a batch is a failure.
    return error instanceof UsageError || (error instanceof ScaleError && isRequestError(error.code)) ? EXIT.usage : EXIT.someFailed
  } finally {
    recorder?.dispose()
  }
}
