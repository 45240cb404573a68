import type { BatchEvent, FilePlan, FileResult, OutputResult, Summary } from '../../src/shared/batch'
import type { BatchRequest, OutputSpec } from '../../src/shared/recipe'
import { singleOutput } from '../../src/shared/recipe'
import { forkHost } from '../../src/core/pool-client'
import { defaultRequest } from '../../src/core/request'
import { runBatch, type BatchContext } from '../../src/core/runner'
import { HOST_PATH, WORKER_PATH } from './built'

export interface Recorded {
  summary: Summary
  events: BatchEvent[]
}

/** Test-only shorthands over the real request: `size` and `mode` make the book's one output. */
export type RunOverrides = Partial<BatchRequest> & { size?: number; mode?: OutputSpec['mode'] }

export interface RunControl {
  signal?: AbortSignal
  stopNow?: AbortSignal
  hostTimeoutMs?: number
  onEvent?: (event: BatchEvent) => void
  /** Extra environment for the pool host (fault injection is done from outside, never inside src). */
  hostEnv?: Record<string, string>
}

export function requestFor(source: string, target: string, overrides: RunOverrides = {}): BatchRequest {
  const { size, mode, ...rest } = overrides
  const base = defaultRequest(source, target)
  const recipe = size !== undefined || mode !== undefined ? { outputs: [singleOutput(size ?? 400, mode ?? 'smooth')] } : base.recipe
  return { ...base, recipe, ...rest }
}

/** Runs the real runner, with the real built pool host forked as the CLI does, recording every event. */
export async function runRecorded(source: string, target: string, overrides: RunOverrides = {}, control: RunControl = {}): Promise<Recorded> {
  const events: BatchEvent[] = []
  const fork = forkHost(HOST_PATH, () => undefined)
  const spawnHost: BatchContext['spawnHost'] = (args, env) => fork(args, { ...env, ...control.hostEnv })
  const summary = await runBatch(requestFor(source, target, overrides), {
    spawnHost,
    workerPath: WORKER_PATH,
    signal: control.signal,
    stopNow: control.stopNow,
    hostTimeoutMs: control.hostTimeoutMs,
    onEvent: (event) => {
      events.push(event)
      control.onEvent?.(event)
    }
  })
  return { summary, events }
}

export const resultsOf = (events: BatchEvent[]): FileResult[] => events.flatMap((event) => (event.type === 'finished' ? [event.result] : []))

export const plansOf = (events: BatchEvent[]): FilePlan[] => events.flatMap((event) => (event.type === 'planned' ? [event.plan] : []))

/** The result of one source file, by its path below the source. */
export function resultFor(events: BatchEvent[], file: string): FileResult {
  const result = resultsOf(events).find((candidate) => candidate.file === file)
  if (!result) throw new Error(`no result for ${file}`)
  return result
}

/** Every output result of the batch, with the file it came from. */
export const outputsOf = (events: BatchEvent[]): (OutputResult & { file: string })[] =>
  resultsOf(events).flatMap((result) => (result.outcome === 'done' ? result.outputs.map((output) => ({ ...output, file: result.file })) : []))

/** The first output of a file that was done, else the file's own result: what a one-output batch did to it. */
export function outcomeOf(events: BatchEvent[], file: string): string {
  const result = resultFor(events, file)
  return result.outcome === 'done' ? (result.outputs[0]?.outcome ?? 'none') : result.outcome
}

/** `copied + scaled + skipped + failed + canceled = todo`: every summary must add up. */
export function addsUp(summary: Summary): boolean {
  const { counts } = summary
  return counts.copied + counts.scaled + counts.skipped + counts.failed + counts.canceled === summary.todo
}
