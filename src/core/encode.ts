import sharp, { type Sharp } from 'sharp'
import type { Dimensions, ImageFormat, SourceFormat, SourceInfo } from '../shared/batch'
import { DEFAULT_QUALITY, SHARPEN, type OutputSpec } from '../shared/recipe'
import { applyMetadata, type SourceMetadata } from './metadata'

/**
 * One output's libvips pipeline: decode (strictly or leniently), orient, resize, flatten when the
 * format has no transparency, apply the metadata policy, encode. Pure of any file system.
 */

/** Formats whose encoder keeps every frame of an animation. */
const ANIMATED: ReadonlySet<SourceFormat> = new Set(['gif', 'webp'])
const LOSSY = new Set<ImageFormat>(['jpeg', 'webp', 'avif'])

export interface Encoding {
  format: ImageFormat
  size: Dimensions
  /** Overrides the recipe's quality (the byte-budget search). */
  quality?: number
}

export interface Shape {
  /** The source's frames are all kept (an animation into a format that animates). */
  keepFrames: boolean
  /** Transparency is flattened onto the recipe's background (into JPEG). */
  flatten: boolean
}

export function shapeOf(info: SourceInfo, format: ImageFormat): Shape {
  return { keepFrames: info.frames > 1 && (format === info.format || (ANIMATED.has(format) && ANIMATED.has(info.format))), flatten: info.alpha && format === 'jpeg' }
}

/** What the recipe did that a person should be told. */
export function shapeNotes(info: SourceInfo, format: ImageFormat, spec: OutputSpec): string[] {
  const shape = shapeOf(info, format)
  const notes: string[] = []
  if (info.frames > 1 && !shape.keepFrames) notes.push(`only the first of ${info.frames} frames: ${format.toUpperCase()} here has no animation`)
  if (shape.flatten) notes.push(`transparent areas flattened onto ${spec.background}`)
  return notes
}

export const qualityOf = (spec: OutputSpec, format: ImageFormat): number | null =>
  LOSSY.has(format) && !(format === 'webp' && spec.lossless) ? (spec.quality ?? DEFAULT_QUALITY[format as keyof typeof DEFAULT_QUALITY]) : null

function encoder(pipeline: Sharp, spec: OutputSpec, format: ImageFormat, quality: number | null): Sharp {
  const q = quality ?? undefined
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality: q, progressive: spec.progressive, chromaSubsampling: spec.chroma })
    case 'webp':
      return pipeline.webp(spec.lossless ? { lossless: true } : { quality: q })
    case 'avif':
      return pipeline.avif({ quality: q, effort: spec.effort, chromaSubsampling: spec.chroma })
    case 'png':
      return pipeline.png()
    case 'tiff':
      // Lossless and widely read; a TIFF is an archive format, not a place for JPEG artefacts.
      return pipeline.tiff({ compression: 'lzw' })
    case 'gif':
      // libvips' default effort took 40 s for a 3-frame photo GIF at 1920; effort 1 took 4 s
      // for an output that differs little (measured: see the README's Reliability section).
      return pipeline.gif({ effort: 1 })
  }
}

export interface PipelineInput {
  data: Uint8Array
  info: SourceInfo
  spec: OutputSpec
  metadata: SourceMetadata
  maxPixels: number
  strict: boolean
}

/** The output's pixels: decoded, oriented, resized, sharpened and flattened, before metadata and encoding. */
export function pixelsFor({ data, info, spec, maxPixels, strict }: PipelineInput, encoding: Encoding): Sharp {
  const shape = shapeOf(info, encoding.format)
  let pipeline = sharp(data, {
    // The lenient pass still refuses truncation, judged by libvips per image: the error text
    // cannot be trusted for that, as libvips' error buffer is shared by every worker thread.
    failOn: strict ? 'warning' : 'truncated',
    limitInputPixels: maxPixels,
    animated: shape.keepFrames
  }).autoOrient()
  const { width, height } = encoding.size
  pipeline = pipeline.resize(width, height, { fit: 'fill', kernel: spec.mode === 'stride' ? 'nearest' : 'lanczos3' })
  const downscaled = width < info.shown.width || height < info.shown.height
  if (spec.sharpen && downscaled) pipeline = pipeline.sharpen(SHARPEN)
  if (shape.flatten) pipeline = pipeline.flatten({ background: spec.background })
  return pipeline
}

/** Encodes pixels as the output's format and quality asks. */
export const encodeAs = (pixels: Sharp, spec: OutputSpec, encoding: Encoding): Sharp => encoder(pixels, spec, encoding.format, encoding.quality ?? qualityOf(spec, encoding.format))

export function pipelineFor(input: PipelineInput, encoding: Encoding): Sharp {
  return encodeAs(applyMetadata(pixelsFor(input, encoding), input.spec, encoding.format, input.metadata), input.spec, encoding)
}
