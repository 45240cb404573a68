import { lstat, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { BatchEvent, FilePlan, FileResult, OutputPlan, OutputResult, SourceStamp, StageTimes, Summary } from '../shared/batch'
import type { BatchRequest } from '../shared/recipe'
import { failureOf, messageOf } from './errors'
import { checkFolders, prepareTarget } from './folders'
import type { MakeOutput, ProbeReply, SpawnHost } from './host-protocol'
import { Journal, recipeHash } from './journal'
import { Lanes } from './lanes'
import { NameClaims, probeNameRules } from './names'
import { parentOf } from '../shared/names'
import { fsPath } from './paths'
import { naturalOutputs } from '../shared/natural-plan'
import { ALREADY_DONE, resolveOutputs } from './plan'
import { DEFAULT_HOST_TIMEOUT_MS, HostLost, PoolClient } from './pool-client'
import { ProgressTicker, type ProgressState } from './progress'
import { parseBatchRequest } from './request'
import { sweepTemps, stampOf, type Replace } from './safe-write'
import { largestFirst } from './scan-order'
import { scan, type ScanEntry } from './scan'
import { countNotStarted, countPlan, countResult, emptySummary } from './summary'
import { TargetFolders } from './target-folders'

/**
 * One batch, run where the front end is (the CLI's process, the app's main process): the scan,
 * the plan of each file, the names, the journal and the counts live here, and only reading and
 * making go to the pool host, so a host that dies loses nothing but the files it held.
 *
 * Each file: probe (in the host) → plan, in scan order (names, collisions, what is there) →
 * make (on a worker) → record. Cancel stops dispatching at once; Stop now also kills the host.
 */

export interface BatchContext {
  spawnHost: SpawnHost
  /** The built worker file (its default export makes one file); only composition roots know it. */
  workerPath: string
  /** Cancel: nothing new starts; files on a worker finish. */
  signal?: AbortSignal
  /** Stop now: files on a worker are abandoned too, and end as canceled with nothing written. */
  stopNow?: AbortSignal
  /** See DEFAULT_HOST_TIMEOUT_MS. */
  hostTimeoutMs?: number
  onEvent: (event: BatchEvent) => void
}

/** The identity of a regular file at `path` (size and time), or null when there is none. */
async function fileStamp(path: string): Promise<SourceStamp | null> {
  const stats = await lstat(fsPath(path), { bigint: true }).catch(() => null)
  return stats?.isFile() ? stampOf(stats) : null
}

const sameStamp = (a: SourceStamp | null, b: SourceStamp | null): boolean => a?.size === b?.size && a?.mtimeNs === b?.mtimeNs

const NO_TIME: StageTimes = { read: 0, scale: 0, write: 0 }

/** Files read ahead of the workers, per worker: enough that a worker never waits for a probe. */
const LOOKAHEAD_PER_WORKER = 2

/** An output plan that makes something (copy or scale), not a skip. */
type MadePlan = Extract<OutputPlan, { existing: unknown }>

const replaceOf = (plan: MadePlan): Replace =>
  plan.existing.kind === 'stale' ? { kind: 'stale', stamp: plan.existing.stamp } : plan.existing.kind === 'replace' ? { kind: 'any' } : { kind: 'never' }

/**
 * Each file's turn in scan order: plans are made one after another, in the order files were
 * found, however the probes before them finish, so the same folder always gets the same names.
 */
class Turns {
  private last: Promise<void> = Promise.resolve()

  next(): { wait: () => Promise<void>; end: () => void } {
    const previous = this.last
    let release!: () => void
    this.last = new Promise((resolve) => (release = resolve))
    let ended = false
    return {
      wait: () => previous,
      // Ending before the previous turn is over would let the next file plan too early.
      end: () => {
        if (!ended) void previous.then(release)
        ended = true
      }
    }
  }
}

export async function runBatch(input: BatchRequest, context: BatchContext): Promise<Summary> {
  const request = parseBatchRequest(input)
  const write = !request.dryRun
  const folders = await checkFolders(request.source, request.target, request.existing)
  if (write) await prepareTarget(folders.target)
  const rules = await probeNameRules(folders.target, write)
  const journal = await Journal.open(folders.target, write)
  const claims = new NameClaims(rules)
  const recipes = request.recipe.outputs.map(recipeHash)
  const targetFolders = new TargetFolders(folders.target)

  const cancel = new AbortController()
  const signal = cancel.signal
  context.signal?.addEventListener('abort', () => cancel.abort(), { once: true })
  if (context.signal?.aborted) cancel.abort()

  const pool = new PoolClient({
    spawn: context.spawnHost,
    workerPath: context.workerPath,
    workers: request.workers,
    hostTimeoutMs: context.hostTimeoutMs ?? DEFAULT_HOST_TIMEOUT_MS
  })
  const summary = emptySummary(request.workers, request.recipe.outputs.length, request.dryRun)
  const state: ProgressState = { total: 0, scanning: true, inFlight: 0, processed: 0 }
  const ticker = new ProgressTicker(state, summary, (progress) => context.onEvent({ type: 'progress', progress }))

  // A dead host's temp files are swept from every folder it may have written to, once.
  // Whoever asks second waits for the same sweep: Stop now's summary comes after it, not before.
  const sweeps = new Map<number, Promise<void>>()
  const sweepAfter = (pid: number | undefined): Promise<void> => {
    if (pid === undefined) return Promise.resolve()
    let sweep = sweeps.get(pid)
    if (!sweep) {
      sweep = Promise.all(targetFolders.folders().map((folder) => sweepTemps(folder, (owner) => owner === pid))).then(() => undefined)
      sweeps.set(pid, sweep)
    }
    return sweep
  }
  const stopping = new Promise<void>((resolve) => {
    const stopNow = (): void => {
      cancel.abort()
      void pool.stopNow().then(sweepAfter).then(resolve)
    }
    if (context.stopNow?.aborted) stopNow()
    else context.stopNow?.addEventListener('abort', stopNow, { once: true })
  })

  const record = (result: FileResult, worker: number | null): void => {
    countResult(summary, result)
    context.onEvent({ type: 'finished', worker, result })
    ticker.changed()
  }

  const lanes = new Lanes(request.workers, signal)
  const lookahead = new Lanes(request.workers * LOOKAHEAD_PER_WORKER + 2, signal)
  const turns = new Turns()
  const scanOptions = { recursive: request.recursive, realSource: folders.source, realTarget: folders.target, ...(request.files ? { only: request.files } : {}) }

  /** What became of a probe that failed or a host that went away, as the file's result. */
  const lostResult = (file: string, error: unknown, bytesIn: number): FileResult => {
    const times = NO_TIME
    if (error instanceof HostLost) {
      void sweepAfter(error.pid)
      return error.reason === 'stopped'
        ? { file, bytesIn, times, outcome: 'canceled', message: error.message }
        : { file, bytesIn, times, outcome: 'failed', reason: error.reason, message: error.message }
    }
    return { file, bytesIn, times, outcome: 'failed', reason: 'internal', message: `internal error: ${messageOf(error)}` }
  }

  /** What a worker is told of one output it is to make (or, in a dry run, to estimate). */
  const makeOutputOf = (plan: MadePlan, folderId: string, replace: Replace): MakeOutput => ({
    output: plan.output,
    path: join(folders.target, plan.path),
    relative: plan.path,
    ...(plan.renamed ? { renamed: plan.renamed } : {}),
    action: plan.action,
    size: plan.size,
    format: plan.format,
    spec: request.recipe.outputs[plan.output]!,
    folderId,
    replace
  })

  /**
   * A dry run's plans with each output's bytes estimated: a copy is the source's size; what
   * would be encoded is sampled on a worker (left without an estimate when that fails).
   */
  async function estimated(file: string, path: string, probe: Extract<ProbeReply, { ok: true }>, id: number, plans: OutputPlan[]): Promise<OutputPlan[]> {
    const bytes = new Map<number, number | null>()
    for (const plan of plans) if (plan.action === 'copy') bytes.set(plan.output, probe.info.bytes)
    // Nothing is published: no folder is prepared, and none is needed.
    const sampled = plans.flatMap((plan) => (plan.action === 'scale' ? [makeOutputOf(plan, '', { kind: 'never' })] : []))
    const lane = sampled.length > 0 ? await lanes.acquire() : null
    if (lane === null) pool.drop(id)
    else {
      try {
        const reply = await pool.make({ id, file, path, stamp: probe.stamp, info: probe.info, maxPixels: request.maxPixels, keepDates: false, estimateOnly: true, outputs: sampled })
        sampled.forEach((output, i) => bytes.set(output.output, reply.estimates?.[i] ?? null))
      } catch {
        // An estimate is a courtesy: the plan stands without it.
      } finally {
        lanes.release(lane)
      }
    }
    return plans.map((plan) => {
      const estimate = bytes.get(plan.output)
      return plan.action === 'skip' || estimate === null || estimate === undefined ? plan : { ...plan, estimatedBytes: estimate }
    })
  }

  /** Makes a planned file on a worker and records it; a file canceled before it started is only counted. */
  async function make(file: string, path: string, probe: Extract<ProbeReply, { ok: true }>, id: number, plans: OutputPlan[]): Promise<void> {
    const bytesIn = probe.info.bytes
    const lane = await lanes.acquire()
    if (lane === null) {
      pool.drop(id)
      countNotStarted(summary, 1)
      summary.bytesIn += bytesIn
      return
    }
    try {
      const results = new Map<number, OutputResult>()
      const outputs: MakeOutput[] = []
      for (const plan of plans) {
        const base = { output: plan.output, path: plan.path, ...(plan.renamed ? { renamed: plan.renamed } : {}) }
        if (plan.action === 'skip') {
          results.set(plan.output, { ...base, outcome: 'skipped', reason: plan.reason, message: plan.message })
          continue
        }
        try {
          outputs.push(makeOutputOf(plan, await targetFolders.identity(parentOf(plan.path)), replaceOf(plan)))
        } catch (error) {
          results.set(plan.output, { ...base, outcome: 'failed', ...failureOf(error) })
        }
      }
      const inOrder = (): OutputResult[] => plans.map((plan) => results.get(plan.output)!)
      const times: StageTimes = { ...NO_TIME, read: probe.readMs }
      if (outputs.length === 0) {
        pool.drop(id)
        record({ file, bytesIn, times, outcome: 'done', info: probe.info, outputs: inOrder() }, null)
        return
      }
      // What is at each output path now: a host lost mid-file may still have published some.
      const before = await Promise.all(outputs.map((output) => fileStamp(output.path)))
      context.onEvent({ type: 'started', file, worker: lane })
      state.inFlight += 1
      ticker.changed()
      try {
        const reply = await pool.make({ id, file, path, stamp: probe.stamp, info: probe.info, maxPixels: request.maxPixels, keepDates: request.keepDates, estimateOnly: false, outputs })
        state.processed += 1
        reply.outputs.forEach((result, i) => {
          results.set(result.output, result)
          const made = reply.made[i]
          if (made) journal.record({ out: result.path, src: file, stamp: probe.stamp, recipe: recipes[result.output]!, made })
        })
        state.inFlight -= 1
        record({ file, bytesIn: bytesIn + reply.bytesRead, times: { ...times, ...reply.times }, outcome: 'done', info: probe.info, outputs: inOrder() }, lane)
      } catch (error) {
        state.inFlight -= 1
        const lost = lostResult(file, error, bytesIn)
        if (!(error instanceof HostLost)) return record(lost, lane)
        // Outputs are published whole or not at all, so one that appeared while the host held
        // the file is complete: it was made, whatever became of the reply. The rest are lost.
        const after = await Promise.all(outputs.map((output) => fileStamp(output.path)))
        const made = outputs.flatMap((output, i) => (after[i] && !sameStamp(after[i] ?? null, before[i] ?? null) ? [{ output, stamp: after[i] }] : []))
        if (made.length === 0) return record(lost, lane)
        for (const { output, stamp } of made) {
          const base = { output: output.output, path: output.relative, ...(output.renamed ? { renamed: output.renamed } : {}) }
          const replaced = output.replace.kind === 'stale' ? { replaced: 'stale' as const } : output.replace.kind === 'any' ? { replaced: 'existing' as const } : {}
          results.set(output.output, { ...base, outcome: output.action === 'copy' ? 'copied' : 'scaled', size: output.size, format: output.format, bytes: stamp.size, ...replaced })
          journal.record({ out: output.relative, src: file, stamp: probe.stamp, recipe: recipes[output.output]!, made: stamp })
        }
        for (const output of outputs) {
          if (results.has(output.output)) continue
          const base = { output: output.output, path: output.relative, ...(output.renamed ? { renamed: output.renamed } : {}) }
          results.set(output.output, lost.outcome === 'failed' ? { ...base, outcome: 'failed', reason: lost.reason, message: lost.message } : { ...base, outcome: 'canceled', message: lost.outcome === 'canceled' ? lost.message : 'stopped' })
        }
        record({ file, bytesIn, times, outcome: 'done', info: probe.info, outputs: inOrder() }, lane)
      }
    } finally {
      lanes.release(lane)
    }
  }

  async function processFile(entry: Extract<ScanEntry, { kind: 'file' }>, releaseSlot: () => void): Promise<void> {
    const file = entry.relative
    const turn = turns.next()
    try {
      // A file finished by an earlier run with the same settings is not even read again.
      const stats = await stat(fsPath(entry.path), { bigint: true }).catch(() => null)
      const known: SourceStamp | null = stats ? stampOf(stats) : null
      const done = known ? await journal.doneOutputs(file, known, recipes) : null
      if (done) {
        await turn.wait()
        // Unless an earlier file of this batch now wants one of its names: then it is planned afresh.
        if (done.every((path) => !claims.isTaken(path))) {
          done.forEach((path) => claims.claim(path))
          turn.end()
          const outputs: OutputResult[] = done.map((path, output) => ({ output, path, outcome: 'skipped', reason: 'already-done', message: ALREADY_DONE }))
          record({ file, bytesIn: 0, times: NO_TIME, outcome: 'done', outputs }, null)
          return
        }
      }

      let probe: ProbeReply | null = null
      let id = 0
      // A probe only reads: one lost with its host (crashed or hung, not stopped) is asked again
      // of the next host, so a file that was only read ahead is never failed for another's crash.
      for (let attempt = 1; probe === null; attempt += 1) {
        // A dry run keeps the bytes too: its estimates are sample encodes on a worker.
        const asked = pool.probe({ path: entry.path, maxPixels: request.maxPixels, keep: true })
        id = asked.id
        try {
          probe = await asked.reply
        } catch (error) {
          const retry = attempt === 1 && error instanceof HostLost && error.reason !== 'stopped' && !signal.aborted
          if (!retry) {
            record(lostResult(file, error, 0), null)
            return
          }
          void sweepAfter(error.pid)
        }
      }
      if (!probe.ok) {
        const times = { ...NO_TIME, read: probe.readMs }
        record({ file, bytesIn: probe.bytesRead, times, outcome: 'skipped', reason: probe.reason, message: probe.message, ...(probe.info ? { info: probe.info } : {}) }, null)
        return
      }
      const natural = naturalOutputs(file, probe.info, request.recipe)
      await turn.wait()
      const plans = await resolveOutputs(natural, { file, stamp: probe.stamp, recipes, existing: request.existing, claims, journal })
      turn.end()
      if (!write) {
        const plan: FilePlan = { file, info: probe.info, outputs: await estimated(file, entry.path, probe, id, plans) }
        countPlan(summary, plan)
        summary.bytesIn += probe.info.bytes
        context.onEvent({ type: 'planned', plan })
        ticker.changed()
        return
      }
      releaseSlot()
      await make(file, entry.path, probe, id, plans)
    } catch (error) {
      record(lostResult(file, error, 0), null)
    } finally {
      turn.end()
      releaseSlot()
    }
  }

  // A second walk counts files ahead of the work, so progress has a total and an ETA early,
  // and a cancel knows how many files it leaves undone without walking the rest itself.
  let counted = 0
  const counting = (async () => {
    for await (const entry of scan(folders.source, scanOptions)) {
      void entry
      counted += 1
      state.total = Math.max(state.total, counted)
    }
  })()
    .catch(() => undefined)
    .finally(() => {
      state.scanning = false
    })

  const jobs = new Set<Promise<void>>()
  let seen = 0
  ticker.now()
  try {
    const found = scan(folders.source, { ...scanOptions, onFolderNotEntered: () => (summary.foldersNotEntered += 1) })
    for await (const entry of request.order === 'largest' ? largestFirst(found) : found) {
      if (signal.aborted) break
      seen += 1
      if (entry.kind === 'skip') {
        record({ file: entry.relative, bytesIn: 0, times: NO_TIME, outcome: 'skipped', reason: entry.reason, message: entry.message }, null)
        continue
      }
      const slot = await lookahead.acquire()
      if (slot === null) {
        countNotStarted(summary, 1)
        break
      }
      let held = true
      const releaseSlot = (): void => {
        if (held) lookahead.release(slot)
        held = false
      }
      const job = processFile(entry, releaseSlot)
      jobs.add(job)
      void job.finally(() => jobs.delete(job))
    }
    await Promise.all(jobs)
    await counting
    if (signal.aborted) countNotStarted(summary, Math.max(0, counted - seen))
  } finally {
    await journal.close().catch(() => undefined)
    if (context.stopNow?.aborted) await stopping
    else await pool.stop()
    // Temp files of every host that died are gone before the batch says it is over.
    await Promise.all(sweeps.values())
    summary.peakParallel = pool.peakParallel
    summary.hostRestarts = pool.restarts
  }

  summary.canceled = signal.aborted
  summary.elapsedMs = ticker.elapsed()
  state.total = summary.files
  state.scanning = false
  ticker.now()
  context.onEvent({ type: 'summary', summary })
  return summary
}
