import { execFileSync } from 'node:child_process'
import { constants } from 'node:fs'
import { access, chmod, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { expect } from 'vitest'
import type { BatchEvent, FileResult, Summary } from '../../src/shared/batch'
import { resultsOf } from '../helpers/run'

/** Shared by the core tests: raw pixel pictures, file listings and the invariants every run must keep. */

export type Rgb = readonly [number, number, number]

export const RED: Rgb = [255, 0, 0]
export const GREEN: Rgb = [0, 200, 0]
export const BLUE: Rgb = [0, 0, 255]
export const WHITE: Rgb = [255, 255, 255]

export interface RawImage {
  width: number
  height: number
  data: Buffer
}

export const colourDistance = (a: Rgb, b: Rgb): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])

/** A picture whose four quadrants are red, green (top right), blue (bottom left) and white. */
export function quadrants(width: number, height: number): RawImage {
  const data = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const top = y < height / 2
      const left = x < width / 2
      const colour = top ? (left ? RED : GREEN) : left ? BLUE : WHITE
      data.set(colour, (y * width + x) * 3)
    }
  }
  return { width, height, data }
}

/**
 * Where a stored pixel appears once a viewer applies EXIF orientation `o` (the EXIF 2.3
 * definitions, written out by hand so the test does not trust libvips to check libvips).
 */
function displayedAt(o: number, x: number, y: number, sw: number, sh: number): [number, number] {
  switch (o) {
    case 1:
      return [x, y]
    case 2:
      return [sw - 1 - x, y]
    case 3:
      return [sw - 1 - x, sh - 1 - y]
    case 4:
      return [x, sh - 1 - y]
    case 5:
      return [y, x]
    case 6:
      return [sh - 1 - y, x]
    case 7:
      return [sh - 1 - y, sw - 1 - x]
    case 8:
      return [y, sw - 1 - x]
    default:
      throw new Error(`no EXIF orientation ${o}`)
  }
}

/** The pixels a camera would store so that, shown with orientation `o`, the picture is `upright`. */
export function storedFor(upright: RawImage, o: number): RawImage {
  const swapped = o >= 5
  const width = swapped ? upright.height : upright.width
  const height = swapped ? upright.width : upright.height
  const data = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const [dx, dy] = displayedAt(o, x, y, width, height)
      upright.data.copy(data, (y * width + x) * 3, (dy * upright.width + dx) * 3, (dy * upright.width + dx + 1) * 3)
    }
  }
  return { width, height, data }
}

export async function writeRawJpeg(path: string, image: RawImage, orientation?: number): Promise<void> {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
  if (orientation !== undefined) pipeline = pipeline.withMetadata({ orientation })
  await pipeline.jpeg({ quality: 95 }).toFile(path)
}

/** Decodes an image fully (strictly: a truncated file throws) to 3-channel pixels, as stored. */
export async function decodeStrict(path: string): Promise<RawImage> {
  const { data, info } = await sharp(path, { failOn: 'truncated' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data }
}

/** Mean red, green and blue of an image as a viewer shows it (8-bit sRGB, whatever it is stored as). */
export async function meanColour(path: string): Promise<Rgb> {
  const { data, info } = await sharp(path).toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
  const sums = [0, 0, 0]
  for (let at = 0; at < data.length; at += info.channels) for (let c = 0; c < 3; c += 1) sums[c]! += data[at + c]!
  const pixels = data.length / info.channels
  return [sums[0]! / pixels, sums[1]! / pixels, sums[2]! / pixels]
}

export function pixel(image: RawImage, x: number, y: number): Rgb {
  const at = (y * image.width + x) * 3
  return [image.data[at]!, image.data[at + 1]!, image.data[at + 2]!]
}

/** Every file below `root` (hidden ones included), '/'-separated and sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1).split('\\').join('/'))
    .sort()
}

export const isTempName = (name: string): boolean => name.includes('.imagescale-') || name.endsWith('.tmp')

/**
 * A real, valid PNG bomb: 1-bit grey, one colour, so a huge claimed size compresses to a few
 * kilobytes. Built by hand because making it with libvips means decoding what we must refuse.
 */
export async function writePngBomb(path: string, width: number, height: number): Promise<void> {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc32 = (bytes: Buffer): number => {
    let c = 0xffffffff
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, body: Buffer): Buffer => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body])
    const length = Buffer.alloc(4)
    length.writeUInt32BE(body.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(typed))
    return Buffer.concat([length, typed, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([1, 0, 0, 0, 0], 8) // bit depth 1, greyscale, deflate, no filter, no interlace
  const row = Buffer.alloc(1 + Math.ceil(width / 8)) // filter byte 0, then all-black pixels
  const raw = Buffer.alloc(row.length * height)
  const idat = deflateSync(raw, { level: 9 })
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  await writeFile(path, Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]))
}

/**
 * Makes a folder unwritable even for root (who ignores permission bits): the immutable
 * attribute when running as root, plain permissions otherwise. Returns the undo.
 */
export async function makeUnwritable(folder: string): Promise<() => Promise<void>> {
  const root = process.getuid?.() === 0
  if (root) {
    try {
      execFileSync('chattr', ['+i', folder], { stdio: 'pipe' })
    } catch (error) {
      throw new Error(`as root, ${folder} can only be made unwritable with chattr +i (CAP_LINUX_IMMUTABLE, ext4/xfs/btrfs): ${String(error)}`)
    }
  } else await chmod(folder, 0o555)
  const undo = async (): Promise<void> => {
    if (root) execFileSync('chattr', ['-i', folder])
    else await chmod(folder, 0o755)
  }
  const writable = await access(folder, constants.W_OK).then(
    () => true,
    () => false
  )
  if (writable) {
    await undo()
    throw new Error(`cannot make ${folder} unwritable on this machine`)
  }
  return undo
}

/** The invariant of every run: each file is in exactly one bucket, and the summary agrees with the events. */
export function expectBalanced(summary: Summary, events: BatchEvent[]): FileResult[] {
  const results = resultsOf(events)
  expect(summary.copied + summary.scaled + summary.skipped + summary.failed + summary.canceledFiles).toBe(summary.todo)
  expect(results).toHaveLength(summary.todo)
  const count = (action: FileResult['action']): number => results.filter((r) => r.action === action).length
  expect({
    copied: count('copied'),
    scaled: count('scaled'),
    skipped: count('skipped'),
    failed: count('failed'),
    canceled: count('canceled')
  }).toEqual({
    copied: summary.copied,
    scaled: summary.scaled,
    skipped: summary.skipped,
    failed: summary.failed,
    canceled: summary.canceledFiles
  })
  const skippedBy: Record<string, number> = {}
  for (const r of results) if (r.action === 'skipped' && r.reason) skippedBy[r.reason] = (skippedBy[r.reason] ?? 0) + 1
  expect(summary.skippedBy).toEqual(skippedBy)
  expect(new Set(results.map((r) => r.file)).size).toBe(results.length)
  return results
}

export function resultFor(results: FileResult[], file: string): FileResult {
  const result = results.find((r) => r.file === file)
  if (!result) throw new Error(`no result for ${file}; got ${results.map((r) => r.file).join(', ')}`)
  return result
}
