import { extname } from 'node:path'
import sharp, { type Metadata } from 'sharp'
import type { SourceInfo, SourceStamp } from '../shared/batch'
import type { SkipReason } from '../shared/reasons'
import { decoderMessageOf } from './errors'
import { gifScreen, sniffFormat } from './formats'
import { undecodable } from './heic'
import { readSource } from './read-source'

/**
 * What a source is, found before anything is planned: read whole (see read-source.ts),
 * recognised by its first bytes, and its header parsed. Runs in the pool host's main thread,
 * so headers never wait behind the images the workers are decoding.
 */

export type Probed =
  | { ok: true; info: SourceInfo; stamp: SourceStamp; data: Buffer }
  | { ok: false; reason: SkipReason; message: string; info?: SourceInfo; bytesRead: number }

const count = (n: number): string => n.toLocaleString('en')

export async function probeSource(path: string, maxPixels: number): Promise<Probed> {
  const read = await readSource(path)
  if (!read.ok) return read
  const { data, stamp } = read
  const skip = (reason: SkipReason, message: string, info?: SourceInfo): Probed => ({
    ok: false,
    reason,
    message,
    bytesRead: data.length,
    ...(info ? { info } : {})
  })

  const sniffed = sniffFormat(data.subarray(0, 64), extname(path))
  if (sniffed.kind === 'unknown') return skip('not-an-image', 'not an image')
  if (sniffed.kind === 'unsupported') return skip('unsupported-format', `${sniffed.format} images are not supported`)
  const format = sniffed.format

  const screen = gifScreen(data)
  if (screen && screen.width * screen.height > maxPixels) {
    return skip('too-large', `the GIF's canvas is ${screen.width}×${screen.height}, over the limit of ${count(maxPixels)} pixels`)
  }

  let meta: Metadata
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata()
  } catch (error) {
    const decoder = decoderMessageOf(error)
    if (format === 'heic' || format === 'avif') {
      const why = undecodable(data, format, decoder)
      if (why.reason === 'unsupported-format') return skip(why.reason, why.message)
    }
    return skip('corrupt', `damaged ${format.toUpperCase()}, its header cannot be read (${decoder})`)
  }
  // Frames of an animation or pages of a TIFF are all kept, each the size of the first.
  const frames = meta.pages ?? 1
  // libheif reports a HEIC's size with its rotation applied, and the EXIF orientation of a HEIC
  // is not to be applied again (the HEIF rule); everything else is turned by its EXIF tag.
  const shown = format === 'heic' ? { width: meta.width, height: meta.height } : meta.autoOrient
  const info: SourceInfo = { format, shown: { width: shown.width, height: shown.height }, frames, alpha: meta.hasAlpha, bytes: data.length }
  const pixels = meta.width * meta.height * frames
  if (pixels > maxPixels) {
    const what = frames > 1 ? `${frames} frames of ${meta.width}×${meta.height}` : `${meta.width}×${meta.height}`
    return skip('too-large', `${what} is ${count(pixels)} pixels, over the limit of ${count(maxPixels)}`, info)
  }
  return { ok: true, info, stamp, data }
}
