import type { Dimensions, ImageFormat, OutputResult, PlanAction, Renamed, SourceInfo, SourceStamp } from '../shared/batch'
import type { OutputPreview, PreviewImage } from '../shared/preview'
import type { OutputSpec } from '../shared/recipe'
import type { SkipReason } from '../shared/reasons'
import type { Replace } from './safe-write'

/**
 * Messages between a batch (in the CLI, or the app's main process) and the process hosting the
 * worker pool. The host only executes: it reads and probes files, and makes outputs as told.
 * Everything a batch must not lose — the scan, the plan, the counts, the journal — stays on
 * the batch's side, so a host that dies can be replaced and the batch goes on.
 */

export interface ProbeTask {
  id: number
  /** Absolute path of the source. */
  path: string
  maxPixels: number
  /** Keep the bytes read for the make that follows (not in a dry run). */
  keep: boolean
}

export type ProbeReply = (
  | { ok: true; info: SourceInfo; stamp: SourceStamp }
  | { ok: false; reason: SkipReason; message: string; info?: SourceInfo; bytesRead: number }
) & { readMs: number }

/** One output to make, exactly as planned. */
export interface MakeOutput {
  output: number
  /** Absolute path of the output. */
  path: string
  /** The same path below the target, as reported. */
  relative: string
  renamed?: Renamed
  action: PlanAction
  size: Dimensions
  format: ImageFormat
  /** The recipe's output: how to encode it and what metadata it keeps. */
  spec: OutputSpec
  /** `dev:ino` of the folder prepared for it: nothing is published anywhere else. */
  folderId: string
  replace: Replace
}

export interface MakeTask {
  id: number
  file: string
  path: string
  /** The source as probed: bytes read again (after a host restart) must be the same file. */
  stamp: SourceStamp
  info: SourceInfo
  maxPixels: number
  /** Outputs get the source's modification time. */
  keepDates: boolean
  /** A dry run: nothing is written; each output's bytes are estimated from a sample encode. */
  estimateOnly: boolean
  outputs: MakeOutput[]
}

export interface MakeReply {
  outputs: OutputResult[]
  /** The published file of each output in `outputs` (null when none was published), for the journal. */
  made: (SourceStamp | null)[]
  times: { scale: number; write: number }
  /** Bytes read by this make itself (only when the host no longer held the probed bytes). */
  bytesRead: number
  /** With estimateOnly: each output's estimated bytes, by its place in the task (null: cannot tell). */
  estimates?: (number | null)[]
}

/** What a worker thread is given: the task and the source's bytes, moved to it, not copied. */
export interface WorkerInput {
  task: MakeTask
  data: Uint8Array
}

/** One output to preview, as planned: made in memory only, so it needs no path, folder or policy. */
export type PreviewOutput = Pick<MakeOutput, 'output' | 'action' | 'size' | 'format' | 'spec'>

/** A probed file's outputs made as a run would make them, and shown, but never written. */
export interface PreviewTask {
  /** The probe's id: the host holds its bytes for this task. */
  id: number
  path: string
  stamp: SourceStamp
  info: SourceInfo
  maxPixels: number
  outputs: PreviewOutput[]
}

export type PreviewReply =
  | { ok: true; original: PreviewImage; outputs: OutputPreview[] }
  /** The source cannot be shown: it changed since the probe, or its pixels cannot be decoded. */
  | { ok: false; reason: SkipReason; message: string }

export interface PreviewInput {
  task: PreviewTask
  data: Uint8Array
}

/** The worker file's named export that makes previews (its default export makes files). */
export const PREVIEW_EXPORT = 'preview'

export type ToHost =
  | { type: 'probe'; task: ProbeTask }
  | { type: 'make'; task: MakeTask }
  | { type: 'preview'; task: PreviewTask }
  | { type: 'drop'; id: number }
  | { type: 'stop' }

export type FromHost =
  | { type: 'probed'; id: number; reply: ProbeReply }
  | { type: 'made'; id: number; reply: MakeReply }
  | { type: 'previewed'; id: number; reply: PreviewReply }
  /** Sent every second: proof of life, and the most images libvips had in flight so far. */
  | { type: 'heartbeat'; peakParallel: number }
  | { type: 'task-error'; id: number; message: string }

/** What either kind of child process (Node's fork, Electron's utilityProcess) must offer. */
export interface HostProcess {
  readonly pid: number | undefined
  /** Kills it at once, even before it has a pid (Electron's utilityProcess has none until spawned). */
  kill(): void
  send(message: ToHost): void
  onMessage(listener: (message: FromHost) => void): void
  /** The process ended; `signal` is set when it was killed by one (SIGBUS, SIGKILL…). */
  onExit(listener: (code: number | null, signal: string | null) => void): void
}

/** Starts a host with `args` (the worker's path and the worker count) and `env` added to its environment. */
export type SpawnHost = (args: string[], env: Record<string, string>) => HostProcess

export const HEARTBEAT_MS = 1000

/**
 * Enough native threads for every worker's image plus file I/O beside them; libuv's default of
 * 4 would silently cap a pool of 8 at 4 images at a time. The size must be in the environment
 * before the host starts: it cannot be raised from inside a running process.
 */
export function hostEnvironment(workers: number): Record<string, string> {
  return {
    UV_THREADPOOL_SIZE: String(Math.max(4, workers + 2)),
    // glibc's per-thread arenas fragment badly under many decoding threads.
    MALLOC_ARENA_MAX: '2'
  }
}
