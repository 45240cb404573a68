import type { BatchEvent, Progress, Summary } from '../shared/batch'
import { displayName } from '../shared/display'
import { isProblem } from '../shared/file-outcome'
import { formatBytes, formatDuration, plural } from '../shared/format'
import { nothingFoundHint, reasonBreakdown, summaryLine } from '../shared/summary-text'
import { planLines, resultLines } from './format'

export interface Writer {
  write(text: string): unknown
}

export interface Reporter {
  event(event: BatchEvent): void
  /** Ctrl-C was pressed: say so at once, the summary follows when running files settle. */
  canceling(): void
  /** A second Ctrl-C: files on a worker are being stopped. */
  stoppingNow(): void
  close(summary: Summary): void
}

function closingLines(summary: Summary, source: string): string {
  const lines = [summaryLine(summary), ...reasonBreakdown(summary).map((line) => `  ${line}`)]
  const hint = nothingFoundHint(summary)
  if (hint) lines.push(`  ${hint}: ${displayName(source)}`)
  const outputs = summary.outputs > 1 ? `, ${summary.outputs} outputs each` : ''
  const files = `  ${formatDuration(summary.elapsedMs)}, ${plural(summary.files, 'file')}${outputs}`
  // A dry run writes nothing: its output bytes are estimates from sample encodes.
  lines.push(
    summary.dryRun
      ? `${files}, ${formatBytes(summary.bytesIn)} read, about ${formatBytes(summary.bytesOut)} would be written`
      : `${files}, ${formatBytes(summary.bytesIn)} → ${formatBytes(summary.bytesOut)}, at most ${plural(summary.peakParallel, 'image')} in flight at once`
  )
  return `${lines.join('\n')}\n`
}

const CANCELING = 'canceling: files on a worker finish, the rest are not started (Ctrl-C again to stop them now)'
const STOPPING = 'stopping now: files on a worker are abandoned, nothing partial is left'

/** `--json`: one object a line, the event itself; stable field names documented in the README. */
export function jsonReporter(out: Writer, err: Writer, source: string): Reporter {
  return {
    event: (event) => out.write(`${JSON.stringify(event)}\n`),
    canceling: () => undefined,
    stoppingNow: () => undefined,
    close: (summary) => {
      const hint = nothingFoundHint(summary)
      if (hint) err.write(`imagescale: ${hint}: ${displayName(source)}\n`)
    }
  }
}

/** Not a terminal: one line a file (a line per output), then the summary. */
export function lineReporter(out: Writer, err: Writer, source: string): Reporter {
  return {
    event: (event) => {
      if (event.type === 'finished') for (const line of resultLines(event.result)) out.write(`${line}\n`)
      if (event.type === 'planned') for (const line of planLines(event.plan)) out.write(`${line}\n`)
    },
    canceling: () => err.write(`${CANCELING}\n`),
    stoppingNow: () => err.write(`${STOPPING}\n`),
    close: (summary) => out.write(closingLines(summary, source))
  }
}

const BAR_WIDTH = 30
const REDRAW_MS = 50

function bar(progress: Progress): string {
  const fraction = progress.total > 0 ? progress.done / progress.total : 0
  const filled = Math.round(fraction * BAR_WIDTH)
  const total = progress.scanning ? `${progress.total}+` : String(progress.total)
  const eta = progress.etaMs === null ? '' : `, ETA ${formatDuration(progress.etaMs)}`
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${progress.done}/${total} ${progress.imagesPerSecond.toFixed(1)} img/s${eta}`
}

/**
 * A terminal: a live block of a bar and one line per worker, redrawn in place (at most 20
 * times a second, and always after the last change); problems scroll above it.
 */
export function terminalReporter(out: Writer, workers: number, columns: () => number, source: string): Reporter {
  const onWorker = new Map<number, string>()
  let progress: Progress | null = null
  let drawn = 0
  let status = ''
  let lastDraw = -Infinity
  let pending: NodeJS.Timeout | null = null
  const clip = (line: string): string => (line.length > columns() - 1 ? `${line.slice(0, columns() - 2)}…` : line)
  const erase = (): void => {
    if (drawn > 0) out.write(`\x1b[${drawn}F\x1b[J`)
    drawn = 0
  }
  const draw = (): void => {
    if (pending) clearTimeout(pending)
    pending = null
    lastDraw = Date.now()
    erase()
    const lines = [progress ? bar(progress) : 'scanning…']
    for (let lane = 1; lane <= workers; lane += 1) lines.push(`  worker ${lane}: ${onWorker.get(lane) ?? 'idle'}`)
    if (status) lines.push(status)
    out.write(`${lines.map(clip).join('\n')}\n`)
    drawn = lines.length
  }
  const redraw = (): void => {
    const wait = lastDraw + REDRAW_MS - Date.now()
    if (wait <= 0) draw()
    else pending ??= setTimeout(draw, wait)
  }
  return {
    event: (event) => {
      switch (event.type) {
        case 'started':
          onWorker.set(event.worker, displayName(event.file))
          redraw()
          return
        case 'finished':
          if (event.worker !== null) onWorker.delete(event.worker)
          if (isProblem(event.result)) {
            erase()
            for (const line of resultLines(event.result)) out.write(`${line}\n`)
            draw()
          } else {
            redraw()
          }
          return
        case 'planned':
          erase()
          for (const line of planLines(event.plan)) out.write(`${line}\n`)
          draw()
          return
        case 'progress':
          progress = event.progress
          redraw()
          return
        case 'summary':
          return
      }
    },
    canceling: () => {
      status = CANCELING
      draw()
    },
    stoppingNow: () => {
      status = STOPPING
      draw()
    },
    close: (summary) => {
      if (pending) clearTimeout(pending)
      erase()
      out.write(closingLines(summary, source))
    }
  }
}
