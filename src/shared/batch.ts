import type { FailReason, SkipReason } from './reasons'

/**
 * The batch contract every front end shares: what a source is found to be, what is planned
 * for it, what became of it, and the events that say so. Plain data, so it crosses every
 * process boundary (fork's JSON, Electron's structured clone) unchanged.
 *
 * Names are strings in which every byte of a file name that is not valid UTF-8 is carried as
 * one lone surrogate U+DC80–U+DCFF (Python's "surrogateescape"): nothing is lost, and the
 * exact bytes are written back (see src/core/paths.ts).
 */

/** Formats read and written: recognised by their first bytes, never by their names. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif'] as const
export type ImageFormat = (typeof IMAGE_FORMATS)[number]

/**
 * What sources may be: the formats above, and HEIC (phone photos), which is read but never
 * written (libvips here has no HEVC codec): a HEIC becomes a JPEG unless a format is asked.
 */
export const SOURCE_FORMATS = [...IMAGE_FORMATS, 'heic'] as const
export type SourceFormat = (typeof SOURCE_FORMATS)[number]

export interface Dimensions {
  width: number
  height: number
}

/** What a source file is, found by reading it once, before anything is planned. */
export interface SourceInfo {
  format: SourceFormat
  /** As a person sees it: after EXIF orientation, one frame of an animation. */
  shown: Dimensions
  /** Frames of an animation (GIF, WebP), else 1. */
  frames: number
  /** Has an alpha channel: a JPEG output is flattened onto the recipe's background. */
  alpha: boolean
  bytes: number
}

/** A source's identity when it was read: a file that changes afterwards is not trusted. */
export interface SourceStamp {
  size: number
  /** Nanoseconds, as a decimal string: numbers would round it. */
  mtimeNs: string
}

export type PlanAction = 'copy' | 'scale'

/**
 * An output that could not have its natural name: another file of this batch wanted it first
 * (`a.jpg` and `a.JPG` on a target that ignores case), or a file not made by ImageScale is
 * there and the policy is to rename.
 */
export interface Renamed {
  from: string
  because: 'batch' | 'existing'
}

/** How an output path relates to what is already in the target, decided before writing. */
export type Existing =
  /** Nothing there. */
  | { kind: 'none' }
  /** An output this batch's journal says ImageScale made, from another source or recipe: re-made. */
  | { kind: 'stale'; stamp: SourceStamp }
  /** Something else, which the policy replaces. */
  | { kind: 'replace' }

/** One output of one file, as planned. */
export type OutputPlan = {
  /** Index of the output in the recipe. */
  output: number
  /** Below the target, '/'-separated. */
  path: string
  renamed?: Renamed
} & (
  | {
      action: PlanAction
      size: Dimensions
      format: ImageFormat
      existing: Existing
      /** A dry run's estimate of the output's bytes, from a small sample encode (exact for a copy). */
      estimatedBytes?: number
    }
  | { action: 'skip'; reason: SkipReason; message: string }
)

/** Everything decided for a file before a byte is written. */
export interface FilePlan {
  file: string
  info: SourceInfo
  outputs: OutputPlan[]
}

/** Milliseconds a worker spent on each stage of one file. */
export interface StageTimes {
  /** Reading the file and its header (in the pool host, before a worker takes it). */
  read: number
  /** Decoding, resizing and encoding: libvips streams them through one pipeline. */
  scale: number
  /** Writing the temporary file, flushing it and moving it into place. */
  write: number
}

export const OUTCOMES = ['copied', 'scaled', 'skipped', 'failed', 'canceled'] as const
export type Outcome = (typeof OUTCOMES)[number]

/** What became of one output. */
export type OutputResult = {
  output: number
  path: string
  renamed?: Renamed
} & (
  | {
      outcome: 'copied' | 'scaled'
      size: Dimensions
      format: ImageFormat
      bytes: number
      /** The decoder had to be lenient: the picture may be partly damaged. */
      warning?: string
      /** What the recipe changed that a person should know: quality chosen for a budget, flattened alpha, first frame only. */
      note?: string
      /** What replaced what was there: a stale output of ours, or a file the policy overwrote. */
      replaced?: 'stale' | 'existing'
    }
  | { outcome: 'skipped'; reason: SkipReason; message: string }
  | { outcome: 'failed'; reason: FailReason; message: string }
  | { outcome: 'canceled'; message: string }
)

/** What became of one source file: either each of its outputs, or one reason for the whole file. */
export type FileResult = {
  /** Path below the source, '/'-separated. */
  file: string
  /** Bytes read from the source (0 when it did not need to be read). */
  bytesIn: number
  times: StageTimes
} & (
  /** `info` is missing only when the journal showed every output done and the file was not read. */
  | { outcome: 'done'; info?: SourceInfo; outputs: OutputResult[] }
  | { outcome: 'skipped'; reason: SkipReason; message: string; info?: SourceInfo }
  | { outcome: 'failed'; reason: FailReason; message: string }
  /** Stopped while it was being worked on (Stop now): no half-written file was left; outputs finished before the stop are kept. */
  | { outcome: 'canceled'; message: string }
)

export interface Progress {
  /** Files finished (every output of them). */
  done: number
  /** Files found so far; final once `scanning` is false. */
  total: number
  scanning: boolean
  /** Files on a worker right now. */
  inFlight: number
  /** The summary's counts so far (units, see Summary): a front end never counts a second time. */
  counts: Record<Outcome, number>
  warnings: number
  bytesIn: number
  bytesOut: number
  elapsedMs: number
  imagesPerSecond: number
  /** null until there is a rate and a known total. */
  etaMs: number | null
}

/**
 * What a batch did, counted in units: one per output of each file, or one for a file skipped or
 * failed as a whole. `copied + scaled + skipped + failed + canceled = todo`, always.
 */
export interface Summary {
  /** Source files considered. */
  files: number
  /** Outputs per image in the recipe. */
  outputs: number
  todo: number
  counts: Record<Outcome, number>
  skippedBy: Partial<Record<SkipReason, number>>
  failedBy: Partial<Record<FailReason, number>>
  /** Units made only by a lenient decode (damaged pictures), among copied + scaled. */
  warnings: number
  /** Units that replaced a stale output of an earlier run. */
  remade: number
  /** Files canceled before they started. */
  notStarted: number
  /** Sub-folders not entered because the batch was flat (a hint when nothing was found). */
  foldersNotEntered: number
  canceled: boolean
  dryRun: boolean
  workers: number
  /** Most images libvips was working on at one moment: the parallelism that really happened. */
  peakParallel: number
  /** Times the pool host died (or stopped answering) and was started again. */
  hostRestarts: number
  elapsedMs: number
  bytesIn: number
  bytesOut: number
}

export type BatchEvent =
  | { type: 'started'; file: string; worker: number }
  | { type: 'finished'; worker: number | null; result: FileResult }
  /** Dry run only: what would be done, in place of doing it. */
  | { type: 'planned'; plan: FilePlan }
  | { type: 'progress'; progress: Progress }
  | { type: 'summary'; summary: Summary }
