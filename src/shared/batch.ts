/**
 * The batch contract every front end shares: options in, events out.
 * Zero dependencies so main, preload, renderer, CLI and workers can all import it.
 */

export type ScaleMode = 'smooth' | 'stride'

/** What to do when the output file already exists. */
export type ExistingPolicy = 'skip' | 'overwrite'

export interface BatchOptions {
  source: string
  target: string
  /** Longest side of the box every output must fit in, in pixels. */
  size: number
  mode: ScaleMode
  /** Worker threads, 1–64. */
  workers: number
  /** Walk sub-folders and mirror them in the target (false: top level only, like the book). */
  recursive: boolean
  existing: ExistingPolicy
  /** Images with more pixels than this are skipped as too large (decompression bombs). */
  maxPixels: number
}

export const SIZE_MIN = 1
export const SIZE_MAX = 65_535
export const WORKERS_MIN = 1
export const WORKERS_MAX = 64
export const DEFAULT_SIZE = 400
/** libvips' own default input limit (0x3FFF²): well beyond any camera, well below a bomb. */
export const DEFAULT_MAX_PIXELS = 268_402_689

export type SkipReason =
  | 'not-an-image'
  | 'unsupported-format'
  | 'corrupt'
  | 'too-large'
  | 'target-exists'

export type FailReason = 'no-space' | 'not-writable' | 'write-error' | 'internal'

export type FileAction = 'copied' | 'scaled' | 'skipped' | 'failed' | 'canceled'

export interface Dimensions {
  width: number
  height: number
}

/** Milliseconds spent in each stage; libvips streams decode, resize and encode as one pass. */
export interface StageTimes {
  /** Opening the file and reading its header. */
  read: number
  /** Decoding, resizing and encoding (one streamed libvips pipeline). */
  scale: number
  /** Writing the temporary file, flushing it and renaming it into place. */
  write: number
}

export interface FileResult {
  /** Path relative to the source folder, with '/' separators. */
  file: string
  action: FileAction
  /** Set for skipped and failed files. */
  reason?: SkipReason | FailReason
  /** A human sentence, for skipped and failed files and for warnings on done ones. */
  message?: string
  /** Detected input format (jpeg, png, webp, avif, tiff, gif, or what was recognised). */
  format?: string
  /** Displayed size of the input, after EXIF orientation. */
  input?: Dimensions
  output?: Dimensions
  bytesIn: number
  bytesOut: number
  times: StageTimes
}

/** What a worker is asked to do with one file. Paths are absolute. */
export interface FileTask {
  sourcePath: string
  targetPath: string
  /** Reported back unchanged, so results need no lookup. */
  file: string
  size: number
  mode: ScaleMode
  existing: ExistingPolicy
  maxPixels: number
}

export interface Progress {
  done: number
  /** Files found so far; final once `scanning` is false. */
  total: number
  scanning: boolean
  inFlight: number
  bytesIn: number
  bytesOut: number
  elapsedMs: number
  imagesPerSecond: number
  /** null until there is a rate and a known total. */
  etaMs: number | null
}

export interface Summary {
  todo: number
  copied: number
  scaled: number
  skipped: number
  skippedBy: Partial<Record<SkipReason, number>>
  failed: number
  failedBy: Partial<Record<FailReason, number>>
  canceled: boolean
  canceledFiles: number
  workers: number
  /** Most images libvips was working on at one moment: the parallelism that really happened. */
  peakParallel: number
  elapsedMs: number
  bytesIn: number
  bytesOut: number
}

export type BatchEvent =
  | { type: 'started'; file: string; worker: number }
  | { type: 'finished'; worker: number | null; result: FileResult }
  | { type: 'progress'; progress: Progress }
  | { type: 'summary'; summary: Summary }
