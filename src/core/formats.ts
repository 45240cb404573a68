/**
 * Recognises a file's format from its first bytes, before libvips sees it: only the
 * allow-listed formats are handed to the decoder (libvips would also render SVG, PDF and
 * its own untrusted .v format), and formats we know but cannot scale are named in the reason.
 */

import type { Dimensions, SourceFormat } from '../shared/batch'

export type Sniffed =
  | { kind: 'supported'; format: SourceFormat }
  | { kind: 'unsupported'; format: string }
  | { kind: 'unknown' }

/** Enough bytes for every signature below. */
export const SNIFF_BYTES = 64

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, end))

const startsWith = (bytes: Uint8Array, signature: readonly number[]): boolean =>
  signature.every((byte, i) => bytes[i] === byte)

/** ISO-BMFF brands: AVIF is AV1 in HEIF, which libvips decodes; HEIC (phones) is HEVC, decoded by src/core/heic.ts. */
const AVIF_BRANDS = new Set(['avif', 'avis'])
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'])

/** Camera raw files are TIFF-shaped; libvips would only find an embedded preview in them. */
const RAW_EXTENSIONS = new Set(['.cr2', '.nef', '.arw', '.dng', '.orf', '.rw2', '.pef', '.srw', '.raf'])

function sniffIsoBmff(bytes: Uint8Array): Sniffed | null {
  if (ascii(bytes, 4, 8) !== 'ftyp') return null
  const boxSize = Math.min((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!, bytes.length)
  const brands = [ascii(bytes, 8, 12)]
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(bytes, at, at + 4))
  if (brands.some((b) => AVIF_BRANDS.has(b))) return { kind: 'supported', format: 'avif' }
  if (brands.some((b) => HEIC_BRANDS.has(b))) return { kind: 'supported', format: 'heic' }
  return null
}

/**
 * Whether an ISO-BMFF file (HEIC, AVIF) is all there: its top-level boxes, ftyp, meta and mdat
 * among them, laid end to end to the last byte. A whole file its decoder refuses is of a kind
 * that decoder cannot read; one whose boxes run past its end was cut short.
 */
export function isoBmffIsWhole(data: Uint8Array): boolean {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const types = new Set<string>()
  let at = 0
  while (at < data.length) {
    if (data.length - at < 8) return false
    let size = view.getUint32(at)
    let header = 8
    types.add(ascii(data, at + 4, at + 8))
    if (size === 1) {
      if (data.length - at < 16) return false
      size = Number(view.getBigUint64(at + 8))
      header = 16
    }
    // Size 0: the last box, to the end of the file.
    if (size === 0) break
    if (size < header || size > data.length - at) return false
    at += size
  }
  return ['ftyp', 'meta', 'mdat'].every((type) => types.has(type))
}

export function sniffFormat(bytes: Uint8Array, extension: string): Sniffed {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'supported', format: 'jpeg' }
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'supported', format: 'png' }
  if (ascii(bytes, 0, 4) === 'GIF8') return { kind: 'supported', format: 'gif' }
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { kind: 'supported', format: 'webp' }
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return RAW_EXTENSIONS.has(extension.toLowerCase())
      ? { kind: 'unsupported', format: `camera raw (${extension.slice(1).toUpperCase()})` }
      : { kind: 'supported', format: 'tiff' }
  }
  const bmff = sniffIsoBmff(bytes)
  if (bmff) return bmff
  if (ascii(bytes, 0, 2) === 'BM') return { kind: 'unsupported', format: 'BMP' }
  if (ascii(bytes, 0, 4) === '8BPS') return { kind: 'unsupported', format: 'Photoshop PSD' }
  if (startsWith(bytes, [0xff, 0x0a]) || ascii(bytes, 4, 8) === 'JXL ') return { kind: 'unsupported', format: 'JPEG XL' }
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return { kind: 'unsupported', format: 'ICO' }
  if (ascii(bytes, 0, 5) === '%PDF-') return { kind: 'unsupported', format: 'PDF' }
  if (startsWith(bytes, [0x08, 0xf2, 0xa6, 0xb6]) || startsWith(bytes, [0xb6, 0xa6, 0xf2, 0x08])) {
    return { kind: 'unsupported', format: 'VIPS' }
  }
  const text = ascii(bytes, 0, bytes.length).trimStart().toLowerCase()
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && extension.toLowerCase() === '.svg')) {
    return { kind: 'unsupported', format: 'SVG' }
  }
  return { kind: 'unknown' }
}

/**
 * A GIF's logical screen: the canvas every frame is drawn on. A 1×1 frame on a 65535×65535
 * screen is a decompression bomb however small its frame, and libvips reports only the frame.
 */
export function gifScreen(bytes: Uint8Array): Dimensions | null {
  if (bytes.length < 10 || ascii(bytes, 0, 4) !== 'GIF8') return null
  return { width: bytes[6]! | (bytes[7]! << 8), height: bytes[8]! | (bytes[9]! << 8) }
}
