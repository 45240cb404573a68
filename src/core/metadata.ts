import { crc32 } from 'node:zlib'
import exifr from 'exifr'
import sharp, { type Sharp } from 'sharp'
import type { ImageFormat } from '../shared/batch'
import type { OutputSpec } from '../shared/recipe'
import { withoutIptcLocation } from './iptc'

/**
 * The metadata policies, applied by libvips where it can (keep everything, keep only the
 * colour profile, convert to sRGB) and here where it cannot: libvips has no way to drop one
 * EXIF directory, so `strip-gps` erases the GPS directory from the encoded output's EXIF in
 * place, bytes and pointer, and removes location from its XMP before it is written.
 */

/** What of the source's metadata a policy needs beyond what libvips carries over by itself. */
export interface SourceMetadata {
  /** Whether the source has EXIF, as far as the TIFF note needs to know (false when not read). */
  hasExif: boolean
  xmp?: string
  copyright?: { Copyright?: string; Artist?: string }
}

/** libvips reports EXIF with JPEG's `Exif\0\0` in front; what follows is a TIFF structure. */
export const tiffOf = (exif: Buffer): Buffer => (exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif)

export async function readSourceMetadata(data: Uint8Array, spec: OutputSpec, format: ImageFormat): Promise<SourceMetadata> {
  // Keeping everything needs nothing read here (libvips carries it), but for the TIFF note.
  if (spec.metadata === 'keep' && format !== 'tiff') return { hasExif: false }
  const meta = await sharp(data).metadata()
  const found: SourceMetadata = { hasExif: meta.exif !== undefined }
  if (spec.metadata === 'strip-gps' && meta.xmp) found.xmp = withoutLocation(meta.xmp.toString('utf8'))
  if (spec.metadata === 'strip' && spec.keepCopyright && meta.exif) {
    const ifd0 = (await exifr.parse(tiffOf(meta.exif), { ifd0: { pick: ['Copyright', 'Artist'] }, exif: false, gps: false, mergeOutput: false }).catch(() => null)) as {
      ifd0?: Record<string, unknown>
    } | null
    const pick = (key: 'Copyright' | 'Artist'): Record<string, string> => {
      const value = ifd0?.ifd0?.[key]
      return typeof value === 'string' && value.trim() !== '' ? { [key]: value } : {}
    }
    const copyright = { ...pick('Copyright'), ...pick('Artist') }
    if (Object.keys(copyright).length > 0) found.copyright = copyright
  }
  return found
}

/** Puts the policy's metadata on a pipeline; orientation has already been applied and reset. */
export function applyMetadata(pipeline: Sharp, spec: OutputSpec, format: ImageFormat, source: SourceMetadata): Sharp {
  let out = pipeline
  switch (spec.metadata) {
    case 'keep':
      out = out.keepMetadata()
      break
    case 'strip-gps':
      // EXIF with its GPS erased after encoding and XMP without location (removeLocation). The
      // legacy IPTC-IIM block is kept, its location removed, where ImageScale can edit it (JPEG);
      // elsewhere libvips could only keep it whole, City and Country with it, so it is not kept.
      out = format === 'jpeg' ? out.keepMetadata() : out.keepExif().keepIccProfile()
      if (source.xmp) out = out.withXmp(source.xmp)
      break
    case 'strip':
      out = out.keepIccProfile()
      if (source.copyright) out = out.withExif({ IFD0: source.copyright })
      break
  }
  // Convert to sRGB and embed it; without it, the source's own profile is kept untouched.
  return spec.srgb ? out.withIccProfile('srgb') : out
}

/** XMP properties that say where: exif:GPS…, and the IPTC Core / Photoshop location fields. */
const LOCATION = '(?:exif:GPS\\w+|photoshop:(?:City|State|Country)|Iptc4xmpCore:(?:Location|CountryCode)|Iptc4xmpExt:Location\\w*)'

/** Removes location properties from an XMP packet, as attributes and as elements. */
export function withoutLocation(xmp: string): string {
  return xmp
    .replace(new RegExp(`\\s${LOCATION}="[^"]*"`, 'g'), '')
    .replace(new RegExp(`\\s${LOCATION}='[^']*'`, 'g'), '')
    .replace(new RegExp(`<(${LOCATION})\\b[^>]*/>`, 'g'), '')
    .replace(new RegExp(`<(${LOCATION})\\b[^>]*>[\\s\\S]*?</\\1>`, 'g'), '')
}

const GPS_POINTER = 0x8825
/** Bytes per value of each TIFF field type (1 BYTE … 13 IFD). */
const TYPE_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 }

/** Reads a TIFF-structured block: its byte order, and where IFD0 and its entries are. */
function tiffOfBlock(block: Buffer) {
  if (block.length < 8) return null
  const little = block.toString('latin1', 0, 2) === 'II'
  if (!little && block.toString('latin1', 0, 2) !== 'MM') return null
  const u16 = (at: number): number => (little ? block.readUInt16LE(at) : block.readUInt16BE(at))
  const u32 = (at: number): number => (little ? block.readUInt32LE(at) : block.readUInt32BE(at))
  const inside = (at: number, length: number): boolean => at >= 0 && length >= 0 && at + length <= block.length
  if (u16(2) !== 42) return null
  const ifd0 = u32(4)
  if (!inside(ifd0, 2)) return null
  const entries = u16(ifd0)
  if (!inside(ifd0 + 2, entries * 12 + 4)) return null
  /** Where IFD0's entry for `tag` is, or -1. */
  const entryOf = (tag: number): number => {
    for (let i = 0; i < entries; i += 1) if (u16(ifd0 + 2 + i * 12) === tag) return ifd0 + 2 + i * 12
    return -1
  }
  return { little, u16, u32, inside, ifd0, entries, entryOf }
}

const ORIENTATION = 0x0112

/** Sets IFD0's orientation to 1 (upright) in place, for pixels that are already turned. */
export function resetOrientationIn(block: Buffer): void {
  const tiff = tiffOfBlock(block)
  const at = tiff?.entryOf(ORIENTATION) ?? -1
  if (!tiff || at < 0 || tiff.u16(at + 2) !== 3) return
  if (tiff.little) block.writeUInt16LE(1, at + 8)
  else block.writeUInt16BE(1, at + 8)
}

/**
 * Erases the GPS directory of a TIFF-structured EXIF block in place: every value and entry of
 * it zeroed, and its pointer removed from IFD0 (the entries after it moved up). The block keeps
 * its length, so the container around it stays valid. False when the block is not well formed
 * enough to be sure; the caller must then not publish it.
 */
export function eraseGpsIn(block: Buffer): boolean {
  const tiff = tiffOfBlock(block)
  if (!tiff) return false
  const { little, u16, u32, inside, ifd0, entries } = tiff
  const pointerAt = tiff.entryOf(GPS_POINTER)
  if (pointerAt < 0) return true
  const gps = u32(pointerAt + 8)
  if (inside(gps, 2)) {
    const count = u16(gps)
    if (!inside(gps + 2, count * 12 + 4)) return false
    for (let i = 0; i < count; i += 1) {
      const entry = gps + 2 + i * 12
      const length = (TYPE_BYTES[u16(entry + 2)] ?? 1) * u32(entry + 4)
      if (length > 4) {
        const at = u32(entry + 8)
        if (!inside(at, length)) return false
        block.fill(0, at, at + length)
      }
    }
    block.fill(0, gps, gps + 2 + count * 12 + 4)
  }
  // Remove the pointer: the later entries and the next-IFD offset move up one entry.
  const end = ifd0 + 2 + entries * 12 + 4
  block.copy(block, pointerAt, pointerAt + 12, end)
  block.fill(0, end - 12, end)
  if (little) block.writeUInt16LE(entries - 1, ifd0)
  else block.writeUInt16BE(entries - 1, ifd0)
  return true
}

/** The TIFF-structured part of the EXIF libvips reports for an encoded image. */
async function exifOf(encoded: Buffer): Promise<Buffer | null> {
  const { exif } = await sharp(encoded).metadata()
  return exif ? tiffOf(exif) : null
}

/** PNG chunks carry a CRC: the one holding the edited bytes is re-checksummed. */
function fixPngCrc(png: Buffer, editedAt: number): void {
  for (let at = 8; at + 12 <= png.length; ) {
    const length = png.readUInt32BE(at)
    const dataStart = at + 8
    if (editedAt >= dataStart && editedAt < dataStart + length) {
      png.writeUInt32BE(crc32(png.subarray(at + 4, dataStart + length)), dataStart + length)
      return
    }
    at = dataStart + length + 4
  }
}

/** Erases GPS from an encoded output, found by the bytes libvips reports as its EXIF; null when it cannot. */
async function eraseGps(encoded: Buffer, format: ImageFormat): Promise<Buffer | null> {
  const tiff = await exifOf(encoded)
  if (!tiff) return encoded
  const at = encoded.indexOf(tiff)
  if (at < 0 || !eraseGpsIn(encoded.subarray(at, at + tiff.length))) return null
  if (format === 'png') fixPngCrc(encoded, at)
  return encoded
}

const IPTC_LOCATION = ['City', 'Sublocation', 'State', 'Country', 'CountryCode'] as const

/**
 * Whether an output still says where, read back as libvips sees it: GPS in its EXIF, or
 * location in its IPTC (from the JPEG; any IPTC at all elsewhere).
 */
async function saysWhere(encoded: Buffer, format: ImageFormat): Promise<boolean> {
  const { exif, iptc } = await sharp(encoded).metadata()
  if (exif && (await exifr.gps(tiffOf(exif)).catch(() => undefined)) !== undefined) return true
  if (!iptc) return false
  if (format !== 'jpeg') return true
  const parsed = (await exifr.parse(encoded, { iptc: true, tiff: false, xmp: false, icc: false, mergeOutput: false }).catch(() => null)) as {
    iptc?: Record<string, unknown>
  } | null
  // A block exifr cannot read is not known to be free of location.
  return !parsed || IPTC_LOCATION.some((field) => parsed.iptc?.[field] !== undefined)
}

/**
 * `strip-gps` on an encoded output: the EXIF GPS directory erased, the IPTC location datasets
 * removed (JPEG), and the result read back to be sure; null when that cannot be made certain,
 * and then the output must not be published.
 */
export async function removeLocation(encoded: Buffer, format: ImageFormat): Promise<Buffer | null> {
  const erased = await eraseGps(encoded, format)
  if (!erased) return null
  const edited = format === 'jpeg' ? withoutIptcLocation(erased) : erased
  return (await saysWhere(edited, format)) ? null : edited
}
