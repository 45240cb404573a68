import type { Dimensions, ImageFormat, SourceInfo } from './batch'
import type { FailReason, SkipReason } from './reasons'

/**
 * A before/after preview of one source file: the original and what each output of the recipe
 * would be, encoded exactly as a run would encode it, written nowhere. Plain data with images
 * as base64 text, so it crosses Node's JSON IPC and Electron's structured clone alike.
 */

/** What the renderer can show through a data: URL. */
export type PreviewMime = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/avif' | 'image/gif'

export interface PreviewImage {
  mime: PreviewMime
  base64: string
}

/** One output as a run would make it; `bytes` are always the real output's, whatever `image` shows. */
export type OutputPreview = { output: number } & (
  | {
      action: 'copy' | 'scale'
      size: Dimensions
      format: ImageFormat
      bytes: number
      /** Decoding, resizing, encoding (and any byte-budget search): 0 for a copy. */
      encodeMs: number
      /** The decoder had to be lenient: the picture may be partly damaged. */
      warning?: string
      /** What the recipe changed that a person should know: quality chosen for a budget, flattened alpha, first frame only. */
      note?: string
      /** The encoded output itself, or (a TIFF) the same pixels as PNG, since browsers show no TIFF. */
      image: PreviewImage
    }
  | { action: 'skip'; reason: SkipReason; message: string }
  | { action: 'fail'; reason: FailReason; message: string }
)

export interface Preview {
  /** The source's file name. */
  file: string
  original: {
    info: SourceInfo
    /** Upright as a person sees it: the file itself, or (TIFF, HEIC, a turned photo) a PNG or JPEG made for display only. */
    image: PreviewImage
  }
  /** By the recipe's order of outputs. */
  outputs: OutputPreview[]
}
