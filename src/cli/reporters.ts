import type { BatchEvent, Progress, Summary } from '../shared/batch'
import { reasonBreakdown, summaryLine } from '../shared/reasons'
import { formatBytes, formatDuration } from '../shared/format'
import { resultLine } from './format'

export interface Writer {
  write(text: string): unknown
}

export interface Reporter {
  event(event: BatchEvent): void
  /** Ctrl-C was pressed: say so at once, the summary follows when running files settle. */
  canceling(): void
  close(summary: Summary): void
}

function closingLines(summary: Summary): string {
  const lines = [summaryLine(summary), ...reasonBreakdown(summary).map((line) => `  ${line}`)]
  lines.push(
    `  ${formatDuration(summary.elapsedMs)}, ${formatBytes(summary.bytesIn)} → ${formatBytes(summary.bytesOut)}, ` +
      `at most ${summary.peakParallel} images in flight at once`
  )
  return `${lines.join('\n')}\n`
}

/** `--json`: one object a line, the event itself; stable field names documented in the README. */
export function jsonReporter(out: Writer): Reporter {
  return {
    event: (event) => out.write(`${JSON.stringify(event)}\n`),
    canceling: () => undefined,
    close: () => undefined
  }
}

/** Not a terminal: one line a file, then the summary. */
export function lineReporter(out: Writer, err: Writer): Reporter {
  return {
    event: (event) => {
      if (event.type === 'finished') out.write(`${resultLine(event.result)}\n`)
    },
    canceling: () => err.write('canceling: running files finish, the rest are not started\n'),
    close: (summary) => out.write(closingLines(summary))
  }
}

const BAR_WIDTH = 30

function bar(progress: Progress): string {
  const fraction = progress.total > 0 ? progress.done / progress.total : 0
  const filled = Math.round(fraction * BAR_WIDTH)
  const total = progress.scanning ? `${progress.total}+` : String(progress.total)
  const eta = progress.etaMs === null ? '' : `, ETA ${formatDuration(progress.etaMs)}`
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${progress.done}/${total} ${progress.imagesPerSecond.toFixed(1)} img/s${eta}`
}

/** A terminal: a live block of a bar and one line per worker, redrawn in place; problems scroll above it. */
export function terminalReporter(out: Writer, workers: number, columns: () => number): Reporter {
  const onWorker = new Map<number, string>()
  let progress: Progress | null = null
  let drawn = 0
  let status = ''
  const clip = (line: string): string => (line.length > columns() - 1 ? `${line.slice(0, columns() - 2)}…` : line)
  const erase = (): void => {
    if (drawn > 0) out.write(`\x1b[${drawn}F\x1b[J`)
    drawn = 0
  }
  const draw = (): void => {
    erase()
    const lines = [progress ? bar(progress) : 'scanning…']
    for (let lane = 1; lane <= workers; lane += 1) lines.push(`  worker ${lane}: ${onWorker.get(lane) ?? 'idle'}`)
    if (status) lines.push(status)
    out.write(`${lines.map(clip).join('\n')}\n`)
    drawn = lines.length
  }
  return {
    event: (event) => {
      switch (event.type) {
        case 'started':
          onWorker.set(event.worker, event.file)
          return
        case 'finished':
          if (event.worker !== null) onWorker.delete(event.worker)
          if (event.result.action === 'skipped' || event.result.action === 'failed') {
            erase()
            out.write(`${resultLine(event.result)}\n`)
            draw()
          }
          return
        case 'progress':
          progress = event.progress
          draw()
          return
        case 'summary':
          return
      }
    },
    canceling: () => {
      status = 'canceling: running files finish, the rest are not started'
      draw()
    },
    close: (summary) => {
      erase()
      out.write(closingLines(summary))
    }
  }
}
