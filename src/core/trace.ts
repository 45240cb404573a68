import { availableParallelism, cpus, platform, release } from 'node:os'
import type { Summary } from '../shared/batch'
import type { ReportFormat } from '../shared/ipc'
import type { CpuSample, FileTiming } from '../shared/timeline'

/**
 * A batch's timings as the Chrome Trace Event format (what Perfetto and chrome://tracing open)
 * and as a table. One track per worker lane: each file a complete event, its stages inside it;
 * files that never reached a worker are instants on a track of their own; counters for the
 * files in flight and the finishing rate.
 */

/** One event of the Trace Event format; ts and dur are microseconds. */
export interface TraceEvent {
  name: string
  ph: 'X' | 'i' | 'C' | 'M'
  pid: number
  tid?: number
  ts?: number
  dur?: number
  cat?: string
  s?: 't'
  args?: Record<string, unknown>
}

export interface Trace {
  traceEvents: TraceEvent[]
  displayTimeUnit: 'ms'
  otherData: Record<string, unknown>
}

const PID = 1
/** The track of files that never reached a worker; lanes 1…N are tracks 1…N. */
const SETTLED_TID = 0
/** The finishing rate counts the files finished in the last second. */
const RATE_WINDOW_MS = 1000

const micro = (ms: number): number => Math.round(ms * 1000)

/** A file's measured span, with its worker stages laid in order inside it (never past its end). */
function fileEvents(timing: FileTiming & { lane: number }): TraceEvent[] {
  const tid = timing.lane
  const span = Math.max(0, timing.endMs - timing.startMs)
  const args = { outcome: timing.outcome, reason: timing.reason, readMs: timing.times.read, scaleMs: timing.times.scale, writeMs: timing.times.write, bytesIn: timing.bytesIn, bytesOut: timing.bytesOut }
  const events: TraceEvent[] = [{ name: timing.file, cat: timing.outcome, ph: 'X', pid: PID, tid, ts: micro(timing.startMs), dur: micro(span), args }]
  let at = timing.startMs
  for (const stage of ['scale', 'write'] as const) {
    const dur = Math.min(timing.times[stage], timing.startMs + span - at)
    if (dur <= 0) continue
    events.push({ name: stage, cat: 'stage', ph: 'X', pid: PID, tid, ts: micro(at), dur: micro(dur) })
    at += dur
  }
  return events
}

/** Files in flight after each start and end; and, at each end, how many ended in the last second. */
function counters(laned: readonly FileTiming[]): TraceEvent[] {
  const changes = laned.flatMap((timing) => [
    { at: timing.startMs, delta: 1 },
    { at: timing.endMs, delta: -1 }
  ])
  // At one moment an end comes before a start: a lane handing over is not two files in flight.
  changes.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let inFlight = 0
  const events: TraceEvent[] = changes.map((change) => {
    inFlight += change.delta
    return { name: 'in flight', ph: 'C', pid: PID, ts: micro(change.at), args: { files: inFlight } }
  })
  const ends = laned.map((timing) => timing.endMs).sort((a, b) => a - b)
  let from = 0
  ends.forEach((end, i) => {
    while (ends[from]! <= end - RATE_WINDOW_MS) from += 1
    events.push({ name: 'files finished in the last second', ph: 'C', pid: PID, ts: micro(end), args: { files: i - from + 1 } })
  })
  return events
}

/** What a batch's reports are made of: its files, the cores' busy shares while it ran, its summary. */
export interface RunRecord {
  timings: readonly FileTiming[]
  cpu: readonly CpuSample[]
  summary: Summary
}

/** One counter per core, as the operating system saw it: whether the workers had the machine. */
const cpuCounters = (cpu: readonly CpuSample[]): TraceEvent[] =>
  cpu.flatMap((sample) => sample.busy.map((busy, core): TraceEvent => ({ name: `cpu ${core + 1} busy`, ph: 'C', pid: PID, ts: micro(sample.atMs), args: { percent: Math.round(busy * 100) } })))

export function chromeTrace({ timings, cpu, summary }: RunRecord, about: Record<string, unknown>): Trace {
  const laned = timings.filter((timing): timing is FileTiming & { lane: number } => timing.lane !== null)
  const names: TraceEvent[] = [
    { name: 'process_name', ph: 'M', pid: PID, args: { name: 'imagescale' } },
    { name: 'thread_name', ph: 'M', pid: PID, tid: SETTLED_TID, args: { name: 'not on a worker' } },
    ...Array.from({ length: summary.workers }, (_, i): TraceEvent => ({ name: 'thread_name', ph: 'M', pid: PID, tid: i + 1, args: { name: `worker lane ${i + 1}` } }))
  ]
  const settled = timings
    .filter((timing) => timing.lane === null)
    .map((timing): TraceEvent => ({ name: timing.file, cat: timing.outcome, ph: 'i', s: 't', pid: PID, tid: SETTLED_TID, ts: micro(timing.endMs), args: { outcome: timing.outcome, reason: timing.reason } }))
  const events = [...laned.flatMap(fileEvents), ...settled, ...counters(laned), ...cpuCounters(cpu)].sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0))
  return { traceEvents: [...names, ...events], displayTimeUnit: 'ms', otherData: { ...about, summary } }
}

export const TIMING_COLUMNS = ['file', 'lane', 'start_ms', 'end_ms', 'read_ms', 'scale_ms', 'write_ms', 'bytes_in', 'bytes_out', 'outcome', 'reason'] as const

const rowOf = (timing: FileTiming): (string | number | null)[] => [
  timing.file,
  timing.lane,
  ...[timing.startMs, timing.endMs, timing.times.read, timing.times.scale, timing.times.write].map((ms) => Math.round(ms * 1000) / 1000),
  timing.bytesIn,
  timing.bytesOut,
  timing.outcome,
  timing.reason
]

/**
 * A CSV cell: quoted when it must be; text a spreadsheet would run as a formula (a file named
 * `=HYPERLINK(…)`) gets a leading apostrophe, the usual guard, so it is shown, never run.
 */
function cell(value: string | number | null): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

export function timingsCsv(timings: readonly FileTiming[]): string {
  return [TIMING_COLUMNS.join(','), ...timings.map((timing) => rowOf(timing).map(cell).join(','))].join('\r\n') + '\r\n'
}

export function timingsJson(timings: readonly FileTiming[]): string {
  const rows = timings.map((timing) => {
    const row = rowOf(timing)
    return Object.fromEntries(TIMING_COLUMNS.map((column, i) => [column, row[i]]))
  })
  return `${JSON.stringify(rows, null, 2)}\n`
}

/** The machine and versions a trace was made on: what a reader needs to compare two of them. */
export const aboutThisRun = (version: string): Record<string, unknown> => ({
  imagescale: version,
  node: process.versions.node,
  electron: process.versions.electron ?? null,
  platform: `${platform()} ${release()}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism()
})

/** A batch's timeline as the text of one report file. */
export function reportText(format: ReportFormat, run: RunRecord, version: string): string {
  if (format === 'csv') return timingsCsv(run.timings)
  if (format === 'json') return timingsJson(run.timings)
  return `${JSON.stringify(chromeTrace(run, aboutThisRun(version)))}\n`
}
