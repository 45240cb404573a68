import { crc32, deflateSync } from 'node:zlib'
import sharp, { type Metadata } from 'sharp'
import type { SourceInfo } from '../shared/batch'
import { cannotDecode, decoderMessageOf } from './errors'
import { isoBmffIsWhole } from './formats'
import { resetOrientationIn, tiffOf } from './metadata'

/**
 * HEIC (the HEVC-coded HEIF of phones): libvips here reads its header but has no HEVC decoder,
 * so the pixels come from libheif compiled to WebAssembly (heic-decode / libheif-js, LGPL-3.0)
 * and are handed to the usual pipeline as an uncompressed PNG that carries the HEIC's colour
 * profile, EXIF and XMP. Every recipe then treats a HEIC like any other source: the metadata
 * policies, sRGB conversion and budgets all apply. libheif has already applied the HEIC's
 * rotation, so the EXIF orientation travels reset to 1.
 */

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const tail = Buffer.alloc(4)
  tail.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, tail])
}

/** The metadata chunks, in the order PNG wants them before the pixels. */
function metadataChunks(meta: Metadata): Buffer[] {
  const chunks: Buffer[] = []
  // iCCP: a name, NUL, compression method 0 (zlib), the profile deflated.
  if (meta.icc) chunks.push(chunk('iCCP', Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(meta.icc)])))
  if (meta.exif) {
    const exif = Buffer.from(tiffOf(meta.exif))
    resetOrientationIn(exif)
    chunks.push(chunk('eXIf', exif))
  }
  // iTXt: keyword, NUL, uncompressed, method, empty language and translated keyword, the text.
  if (meta.xmp) chunks.push(chunk('iTXt', Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0', 'latin1'), meta.xmp])))
  return chunks
}

const IHDR_END = 8 + 8 + 13 + 4

/** What libvips can decode of a source, or why there is nothing: a HEIC cut short, or one of a kind libheif cannot read. */
export type Decodable = { ok: true; data: Uint8Array } | { ok: false; reason: 'corrupt' | 'unsupported-format'; message: string }

/** Why an ISO-BMFF source cannot be decoded, told by whether the file is whole. */
export function undecodable(data: Uint8Array, format: 'heic' | 'avif', decoder: string): Extract<Decodable, { ok: false }> {
  const name = format.toUpperCase()
  return isoBmffIsWhole(data)
    ? { ok: false, reason: 'unsupported-format', message: `a ${name} of a kind this decoder cannot read, though the file is whole (${decoder})` }
    : { ok: false, reason: 'corrupt', message: cannotDecode(format, decoder) }
}

/** The bytes libvips decodes: the source itself, or a HEIC decoded once for all its outputs. */
export async function decodableOf(data: Uint8Array, info: SourceInfo): Promise<Decodable> {
  if (info.format !== 'heic') return { ok: true, data }
  try {
    return { ok: true, data: await heicAsPng(data, info) }
  } catch (error) {
    return undecodable(data, 'heic', decoderMessageOf(error))
  }
}

/** The HEIC's primary image as an uncompressed PNG with its metadata; throws when it cannot be decoded. */
async function heicAsPng(data: Uint8Array, info: SourceInfo): Promise<Buffer> {
  const meta = await sharp(data).metadata()
  // Loaded at the first HEIC only: libheif's WebAssembly costs every worker thread memory.
  const { default: decodeHeic } = await import('heic-decode')
  const { width, height, data: rgba } = await decodeHeic({ buffer: data })
  let pixels = sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width, height, channels: 4 } })
  if (!info.alpha) pixels = pixels.removeAlpha()
  const png = await pixels.png({ compressionLevel: 0 }).toBuffer()
  return Buffer.concat([png.subarray(0, IHDR_END), ...metadataChunks(meta), png.subarray(IHDR_END)])
}
