import { availableParallelism, tmpdir } from 'node:os'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { SpawnHost } from '../core/host-protocol'
import { defaultRequest } from '../core/request'
import { runBatch } from '../core/runner'
import { measureCeiling } from '../core/ceiling'
import { amdahl, fitAmdahl, karpFlatt, median } from '../core/speedup'
import { aboutThisRun } from '../core/trace'
import { FILE_ORDERS, singleOutput, type FileOrder } from '../shared/recipe'
import { formatCount, plural } from '../shared/format'
import { timelineRecorder } from '../shared/timeline'
import type { Writer } from './reporters'

/**
 * `imagescale bench`: the speedup lab. The same sample is made at each worker count, rounds
 * alternated (forwards, then backwards, so a machine warming up or throttling favours no count),
 * medians kept; beside it the machine's ceiling, measured the same way in the same session.
 * Nothing is written but temporary folders, removed as soon as each run is measured.
 */

export interface BenchOptions {
  /** A folder of the user's, or null for the built-in demo set. */
  source: string | null
  workers: number[]
  rounds: number
  size: number
  json: boolean
  /** Where to save the result as a PNG card. */
  card?: string
}

export interface BenchPaths {
  spawnHost: SpawnHost
  workerPath: string
  ceilingPath: string
  version: string
}

interface Measured {
  /** Files a worker copied (they already fit): in the time, not in the count. */
  copied: number
  /** From the first file on a worker to the last one finished: the pool's start-up is left out, as the ceiling's process start-ups are. */
  ms: number
  /** From the moment the first lane had no file left to the end: the time some workers idled while the last files ran. */
  tailMs: number
  /** The files a worker scaled (the count the rate is of), as full paths for the ceiling. */
  made: string[]
}

async function timedRun(source: string, workers: number, size: number, paths: BenchPaths, signal: AbortSignal, order: FileOrder = 'found'): Promise<Measured> {
  signal.throwIfAborted()
  const target = await mkdtemp(join(tmpdir(), 'imagescale-bench-'))
  try {
    const timeline = timelineRecorder()
    const origin = performance.now()
    await runBatch(
      { ...defaultRequest(source, join(target, 'out')), recipe: { outputs: [singleOutput(size, 'smooth')] }, workers, order },
      // Ctrl-C stops at once: the files on a worker too, so the temporary folder can go.
      { spawnHost: paths.spawnHost, workerPath: paths.workerPath, signal, stopNow: signal, onEvent: (event) => timeline.observe(event, performance.now() - origin) }
    )
    signal.throwIfAborted()
    const worked = timeline.timings().filter((timing) => timing.lane !== null && (timing.outcome === 'scaled' || timing.outcome === 'copied'))
    const end = Math.max(...worked.map((timing) => timing.endMs))
    const ms = end - Math.min(...worked.map((timing) => timing.startMs))
    const laneEnds = [...new Set(worked.map((timing) => timing.lane))].map((lane) => Math.max(...worked.filter((timing) => timing.lane === lane).map((timing) => timing.endMs)))
    // A lane that never got a file idled from the start of the work.
    const firstIdle = laneEnds.length < workers ? end - ms : Math.min(...laneEnds)
    const scaled = worked.filter((timing) => timing.outcome === 'scaled')
    // The rate counts the files the ceiling makes too: the scaled ones (a copy is no decode).
    return { copied: worked.length - scaled.length, ms, tailMs: end - firstIdle, made: scaled.map((timing) => join(source, timing.file)) }
  } finally {
    await rm(target, { recursive: true, force: true })
  }
}

export interface BenchPoint {
  workers: number
  imagesPerSecond: number
  speedup: number
  efficiency: number
  karpFlatt: number | null
  ceilingImagesPerSecond: number
  ceilingSpeedup: number
  /** Our images per second as a share of the ceiling's at the same count. */
  reached: number
}

/** The same sample at one worker count, as found and largest first: medians of the rounds. */
export type Scheduling = { workers: number } & Record<FileOrder, { ms: number; tailMs: number }>

type AmdahlFit = ReturnType<typeof fitAmdahl>

export interface BenchResult {
  machine: Record<string, unknown>
  settings: { source: string; files: number; copied: number; size: number; rounds: number; workers: number[] }
  points: BenchPoint[]
  scheduling: Scheduling
  /** Null without two worker counts up to the core count to fit. */
  amdahl: AmdahlFit | null
  ceilingAmdahl: AmdahlFit | null
}

export async function runBench(options: BenchOptions, paths: BenchPaths, err: Writer, signal: AbortSignal): Promise<BenchResult> {
  let source = options.source
  let demoRoot: string | null = null
  if (source === null) {
    err.write('making the demo images…\n')
    const { makeDemoFolders } = await import('./demo')
    const demo = await makeDemoFolders()
    source = demo.source
    demoRoot = join(demo.source, '..')
  }
  try {
    // A first run finds the files to make (and warms the disk cache for every measured one).
    const warm = await timedRun(source, options.workers.at(-1)!, options.size, paths, signal)
    if (warm.made.length === 0) throw new Error(`nothing in ${source} needs scaling at ${options.size} px: choose a smaller --size or other photos`)
    const ours = new Map(options.workers.map((n) => [n, [] as number[]]))
    const ceiling = new Map(options.workers.map((n) => [n, [] as number[]]))
    for (let round = 0; round < options.rounds; round += 1) {
      const order = round % 2 === 0 ? options.workers : [...options.workers].reverse()
      for (const n of order) {
        err.write(`round ${round + 1}/${options.rounds}: ${plural(n, 'worker')}…\n`)
        const run = await timedRun(source, n, options.size, paths, signal)
        ours.get(n)!.push(run.made.length / (run.ms / 1000))
        ceiling.get(n)!.push(warm.made.length / ((await measureCeiling(paths.ceilingPath, warm.made, options.size, n, signal)) / 1000))
      }
    }
    const rate = (rates: Map<number, number[]>, n: number): number => median(rates.get(n)!)
    const one = rate(ours, options.workers[0]!)
    const ceilingOne = rate(ceiling, options.workers[0]!)
    const points = options.workers.map((n): BenchPoint => {
      const speedup = rate(ours, n) / one
      return {
        workers: n,
        imagesPerSecond: rate(ours, n),
        speedup,
        efficiency: speedup / n,
        karpFlatt: karpFlatt(speedup, n),
        ceilingImagesPerSecond: rate(ceiling, n),
        ceilingSpeedup: rate(ceiling, n) / ceilingOne,
        reached: rate(ours, n) / rate(ceiling, n)
      }
    })
    const cores = availableParallelism()
    // Scheduling at the core count (or the most workers asked for below it), orders alternated too.
    const atCores = Math.max(...options.workers.filter((n) => n <= cores))
    const byOrder = { found: [] as Measured[], largest: [] as Measured[] }
    for (let round = 0; round < options.rounds; round += 1) {
      for (const order of round % 2 === 0 ? FILE_ORDERS : [...FILE_ORDERS].reverse()) {
        err.write(`round ${round + 1}/${options.rounds}: ${plural(atCores, 'worker')}, ${order === 'found' ? 'as found' : 'largest first'}…\n`)
        byOrder[order].push(await timedRun(source, atCores, options.size, paths, signal, order))
      }
    }
    const medians = (runs: Measured[]): { ms: number; tailMs: number } => ({ ms: median(runs.map((run) => run.ms)), tailMs: median(runs.map((run) => run.tailMs)) })
    // Past the core count more workers cannot add speed: Amdahl is fitted to the counts the cores can run.
    const fitted = points.filter((point) => point.workers <= cores)
    return {
      machine: aboutThisRun(paths.version),
      settings: { source: options.source ?? 'the built-in demo set', files: warm.made.length, copied: warm.copied, size: options.size, rounds: options.rounds, workers: options.workers },
      points,
      scheduling: { workers: atCores, found: medians(byOrder.found), largest: medians(byOrder.largest) },
      amdahl: fitted.length < 2 ? null : fitAmdahl(fitted),
      ceilingAmdahl: fitted.length < 2 ? null : fitAmdahl(fitted.map((point) => ({ workers: point.workers, speedup: point.ceilingSpeedup })))
    }
  } finally {
    if (demoRoot) await rm(demoRoot, { recursive: true, force: true })
  }
}

const fixed = (value: number, digits: number): string => value.toFixed(digits)
const millis = (ms: number): string => `${formatCount(Math.round(ms))} ms`
const percent = (value: number): string => `${Math.round(value * 100)}%`
const fitText = (fit: AmdahlFit | null): string =>
  fit === null
    ? 'needs two worker counts up to the core count'
    : `serial fraction ${fixed(fit.serialFraction, 3)}, ${Number.isFinite(fit.maxSpeedup) ? `at most ${fixed(fit.maxSpeedup, 1)}× on any number of cores` : 'no serial part measured'}`

export function benchTable(result: BenchResult): string {
  const head = ['workers', 'images/s', 'speedup', 'efficiency', 'Karp–Flatt', 'ceiling images/s', 'ceiling speedup', 'reached']
  const rows = result.points.map((point) => [
    String(point.workers),
    fixed(point.imagesPerSecond, 1),
    `${fixed(point.speedup, 2)}×`,
    percent(point.efficiency),
    point.karpFlatt === null ? '—' : fixed(point.karpFlatt, 3),
    fixed(point.ceilingImagesPerSecond, 1),
    `${fixed(point.ceilingSpeedup, 2)}×`,
    percent(point.reached)
  ])
  const widths = head.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ')
  const { machine, settings } = result
  return [
    `${settings.files} photos of ${settings.source}, longest side ${settings.size} px, median of ${settings.rounds} alternated rounds`,
    ...(settings.copied > 0 ? [`(${settings.copied} more already fit and were copied: in imagescale's time, not in its count nor the ceiling's; a smaller -s scales them too)`] : []),
    `${machine.cpu as string}, ${machine.cores as number} cores`,
    '',
    line(head),
    ...rows.map(line),
    '',
    `Amdahl fit, imagescale: ${fitText(result.amdahl)}`,
    `Amdahl fit, the ceiling (independent processes sharing nothing): ${fitText(result.ceilingAmdahl)}`,
    ...(result.amdahl ? [`Predicted by the fit at ${machine.cores as number} cores: ${fixed(amdahl(result.amdahl.serialFraction, machine.cores as number), 2)}×`] : []),
    '',
    `Scheduling at ${plural(result.scheduling.workers, 'worker')}: as found ${millis(result.scheduling.found.ms)} (idle tail ${millis(result.scheduling.found.tailMs)}), largest first ${millis(result.scheduling.largest.ms)} (idle tail ${millis(result.scheduling.largest.tailMs)})`
  ].join('\n')
}
