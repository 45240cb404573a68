import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import type { ImageFormat, SourceFormat, SourceInfo } from '../shared/batch'
import type { OutputPreview, PreviewImage, PreviewMime } from '../shared/preview'
import { cannotDecode, decoderMessageOf } from './errors'
import type { PreviewInput, PreviewReply } from './host-protocol'
import { decodableOf } from './heic'
import { scaleOutput } from './make'

/**
 * A preview's pixels, inside a worker thread: each planned output encoded by the very code a run
 * uses (scaleOutput), kept in memory, and turned into something a browser can show. Nothing
 * here touches the file system.
 */

/** What Chromium shows as it is; anything else (TIFF, HEIC) is converted for display only. */
const SHOWN_AS_IS: Partial<Record<SourceFormat, PreviewMime>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif'
}

const imageOf = (mime: PreviewMime, data: Uint8Array): PreviewImage => ({ mime, base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') })

/**
 * The original, upright. A turned photo is turned here rather than trusting the viewer with its
 * EXIF tag; a converted original is a visually lossless JPEG (PNG when it has transparency),
 * since a lossless PNG of a 24 MP photo would be tens of megabytes to carry to the page.
 */
async function originalImage(data: Uint8Array, decodable: Uint8Array, info: SourceInfo, maxPixels: number): Promise<PreviewImage> {
  const mime = SHOWN_AS_IS[info.format]
  if (mime) {
    const { orientation = 1 } = await sharp(data).metadata()
    if (orientation === 1) return imageOf(mime, data)
  }
  // Lenient as a run's second pass is: a photo with a harmless decoder warning is still shown.
  const pixels = sharp(decodable, { failOn: 'truncated', limitInputPixels: maxPixels }).autoOrient()
  const encoded = info.alpha ? await pixels.png().toBuffer() : await pixels.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer()
  return imageOf(info.alpha ? 'image/png' : 'image/jpeg', encoded)
}

/** An output as the browser can show it: its own bytes, or a TIFF's pixels as lossless PNG. */
async function outputImage(encoded: Buffer, format: ImageFormat): Promise<PreviewImage> {
  const mime = SHOWN_AS_IS[format]
  return mime ? imageOf(mime, encoded) : imageOf('image/png', await sharp(encoded).png().toBuffer())
}

export async function previewOutputs({ task, data }: PreviewInput): Promise<PreviewReply> {
  const { info, maxPixels } = task
  // A HEIC is decoded once, for the original and every output alike, as a run does.
  const decodable = decodableOf(data, info)
  const source = await decodable
  if (!source.ok) return source
  let original: PreviewImage
  try {
    original = await originalImage(data, source.data, info, maxPixels)
  } catch (error) {
    return { ok: false, reason: 'corrupt', message: cannotDecode(info.format, decoderMessageOf(error)) }
  }
  const outputs: OutputPreview[] = []
  for (const output of task.outputs) {
    const planned = { output: output.output, size: output.size, format: output.format }
    if (output.action === 'copy') {
      // A copy is the source's bytes, unchanged: shown as the original is.
      outputs.push({ ...planned, action: 'copy', bytes: data.length, encodeMs: 0, image: original })
      continue
    }
    const started = performance.now()
    const scaled = await scaleOutput(decodable, output, info, maxPixels)
    const encodeMs = performance.now() - started
    if (!scaled.ok) {
      // A source that cannot be decoded is no preview at all, not one skipped output after another.
      if (scaled.reason === 'corrupt' || scaled.reason === 'unsupported-format') return { ok: false, reason: scaled.reason, message: scaled.message }
      outputs.push('failed' in scaled ? { output: output.output, action: 'fail', reason: scaled.reason, message: scaled.message } : { output: output.output, action: 'skip', reason: scaled.reason, message: scaled.message })
      continue
    }
    outputs.push({
      ...planned,
      action: 'scale',
      // A byte budget may have made it smaller than planned.
      size: scaled.size,
      bytes: scaled.data.length,
      encodeMs,
      ...(scaled.warning ? { warning: scaled.warning } : {}),
      ...(scaled.notes.length > 0 ? { note: scaled.notes.join('; ') } : {}),
      image: await outputImage(scaled.data, output.format)
    })
  }
  return { ok: true, original, outputs }
}
