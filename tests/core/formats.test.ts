import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sniffFormat, type Sniffed } from '../../src/core/formats'
import { syntheticPhoto } from '../../src/core/synthetic'
import type { FileResult } from '../../src/shared/batch'
import { tempFolders, writeImage, type ImageFormat, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { colourDistance, expectBalanced, listOutputs, meanColour, unitFor } from './fixtures'

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part, 'latin1')] : part)))

/** An ISO-BMFF `ftyp` box: size, 'ftyp', major brand, minor version, compatible brands. */
const ftyp = (major: string, ...compatible: string[]): Uint8Array => {
  const size = 16 + 4 * compatible.length
  return bytes([0, 0, 0, size], 'ftyp', major, [0, 0, 0, 0], ...compatible)
}

describe('sniffFormat', () => {
  const cases: [string, Uint8Array, string, Sniffed][] = [
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF'), '.jpg', { kind: 'supported', format: 'jpeg' }],
    ['PNG', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 'IHDR'), '.png', { kind: 'supported', format: 'png' }],
    ['GIF87a', bytes('GIF87a'), '.gif', { kind: 'supported', format: 'gif' }],
    ['GIF89a', bytes('GIF89a'), '.gif', { kind: 'supported', format: 'gif' }],
    ['WebP', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '), '.webp', { kind: 'supported', format: 'webp' }],
    ['TIFF little-endian', bytes([0x49, 0x49, 0x2a, 0]), '.tif', { kind: 'supported', format: 'tiff' }],
    ['TIFF big-endian', bytes([0x4d, 0x4d, 0, 0x2a]), '.tiff', { kind: 'supported', format: 'tiff' }],
    ['AVIF', ftyp('avif', 'mif1', 'avif'), '.avif', { kind: 'supported', format: 'avif' }],
    ['AVIF named only in compatible brands', ftyp('mif1', 'avif', 'miaf'), '.avif', { kind: 'supported', format: 'avif' }],
    ['HEIC', ftyp('heic', 'mif1', 'heic'), '.heic', { kind: 'supported', format: 'heic' }],
    ['HEIC with a misleading extension', ftyp('heix', 'mif1'), '.jpg', { kind: 'supported', format: 'heic' }],
    ['camera raw (TIFF-shaped)', bytes([0x49, 0x49, 0x2a, 0]), '.CR2', { kind: 'unsupported', format: 'camera raw (CR2)' }],
    ['DNG', bytes([0x4d, 0x4d, 0, 0x2a]), '.dng', { kind: 'unsupported', format: 'camera raw (DNG)' }],
    ['BMP', bytes('BM', [0x36, 0, 0, 0]), '.bmp', { kind: 'unsupported', format: 'BMP' }],
    ['PSD', bytes('8BPS'), '.psd', { kind: 'unsupported', format: 'Photoshop PSD' }],
    ['PDF', bytes('%PDF-1.7'), '.pdf', { kind: 'unsupported', format: 'PDF' }],
    ['ICO', bytes([0, 0, 1, 0, 1, 0]), '.ico', { kind: 'unsupported', format: 'ICO' }],
    ['JPEG XL codestream', bytes([0xff, 0x0a]), '.jxl', { kind: 'unsupported', format: 'JPEG XL' }],
    ['libvips .v (untrusted)', bytes([0x08, 0xf2, 0xa6, 0xb6]), '.v', { kind: 'unsupported', format: 'VIPS' }],
    ['SVG', bytes('  <svg xmlns="http://www.w3.org/2000/svg">'), '.svg', { kind: 'unsupported', format: 'SVG' }],
    ['SVG with an XML prolog', bytes('<?xml version="1.0"?><svg>'), '.svg', { kind: 'unsupported', format: 'SVG' }],
    ['plain text', bytes('hello, these are my holiday notes'), '.txt', { kind: 'unknown' }],
    ['XML that is not an SVG file', bytes('<?xml version="1.0"?><doc/>'), '.xml', { kind: 'unknown' }],
    ['an empty file', bytes(), '.jpg', { kind: 'unknown' }],
    ['a JPEG marker cut after two bytes', bytes([0xff, 0xd8]), '.jpg', { kind: 'unknown' }]
  ]
  it.each(cases)('recognises %s', (_label, head, extension, expected) => {
    expect(sniffFormat(head, extension)).toEqual(expected)
  })

  it('ignores the extension for real image signatures', () => {
    expect(sniffFormat(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]), '.jpg')).toEqual({ kind: 'supported', format: 'png' })
  })
})

const FORMATS: ImageFormat[] = ['jpeg', 'png', 'webp', 'tiff', 'gif', 'avif']
const EXTENSIONS: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', tiff: 'tif', gif: 'gif', avif: 'avif' }
/** What sharp's metadata calls each format: AVIF is AV1 inside HEIF. */
const META_FORMAT: Record<ImageFormat, string> = { jpeg: 'jpeg', png: 'png', webp: 'webp', tiff: 'tiff', gif: 'gif', avif: 'heif' }

describe('every allowed format, through the pool', () => {
  let folders: TempFolders
  let results: FileResult[]

  beforeAll(async () => {
    folders = await tempFolders()
    for (const format of FORMATS) {
      await writeImage(folders.source, `big.${EXTENSIONS[format]}`, { width: 480, height: 320, format })
      await writeImage(folders.source, `small.${EXTENSIONS[format]}`, { width: 150, height: 100, format })
    }
    // Alpha must survive scaling: a transparent logo must not come out on black.
    await syntheticPhoto({ width: 480, height: 320, channels: 4 }).png().toFile(join(folders.source, 'alpha.png'))
    await syntheticPhoto({ width: 480, height: 320, channels: 4 }).webp({ lossless: true }).toFile(join(folders.source, 'alpha.webp'))
    // 16-bit and CMYK inputs are common from scanners and print workflows.
    await syntheticPhoto({ width: 480, height: 320 }).toColourspace('rgb16').png().toFile(join(folders.source, 'deep.png'))
    await syntheticPhoto({ width: 480, height: 320 }).toColourspace('cmyk').jpeg().toFile(join(folders.source, 'print.jpg'))
    // Animated images keep every frame rather than silently becoming a still.
    const frames = await Promise.all(
      ['#d02020', '#20a020', '#2020d0'].map((background) =>
        sharp({ create: { width: 480, height: 320, channels: 3, background } }).png().toBuffer()
      )
    )
    await sharp(frames, { join: { animated: true } }).gif({ delay: [100, 100, 100] }).toFile(join(folders.source, 'anim.gif'))
    await sharp(frames, { join: { animated: true } }).webp({ delay: [100, 100, 100] }).toFile(join(folders.source, 'anim.webp'))

    const { summary, events } = await runRecorded(folders.source, folders.target, { size: 240, workers: 2 })
    results = expectBalanced(summary, events)
    expect(summary.counts).toMatchObject({ failed: 0, skipped: 0 })
    expect(summary.warnings).toBe(0)
  })
  afterAll(() => folders.cleanup())

  it.each(FORMATS)('scales %s into the same format', async (format) => {
    const name = `big.${EXTENSIONS[format]}`
    const unit = unitFor(results, name)
    expect(unit).toMatchObject({ outcome: 'scaled', format, info: { format } })
    const meta = await sharp(join(folders.target, name)).metadata()
    expect(meta.format).toBe(META_FORMAT[format])
    if (format === 'avif') expect(meta.compression).toBe('av1')
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 240, height: 160 })
    const before = await sharp(join(folders.source, name)).stats()
    const after = await sharp(join(folders.target, name)).stats()
    for (let c = 0; c < 3; c += 1) expect(Math.abs(after.channels[c]!.mean - before.channels[c]!.mean)).toBeLessThan(6)
  })

  it.each(FORMATS)('copies a small %s byte for byte', async (format) => {
    const name = `small.${EXTENSIONS[format]}`
    expect(unitFor(results, name)).toMatchObject({ outcome: 'copied', format, info: { format } })
    const original = await readFile(join(folders.source, name))
    expect((await readFile(join(folders.target, name))).equals(original)).toBe(true)
  })

  it('keeps each output’s name and extension: nothing is converted to another format', async () => {
    const names = [...FORMATS.flatMap((f) => [`big.${EXTENSIONS[f]}`, `small.${EXTENSIONS[f]}`]), 'alpha.png', 'alpha.webp', 'deep.png', 'print.jpg', 'anim.gif', 'anim.webp']
    expect(await listOutputs(folders.target)).toEqual(names.sort())
  })

  it.each(['alpha.png', 'alpha.webp'])('keeps transparency in %s', async (name) => {
    expect(unitFor(results, name).outcome).toBe('scaled')
    const out = sharp(join(folders.target, name))
    const meta = await out.metadata()
    expect(meta.hasAlpha).toBe(true)
    const { channels } = await out.stats()
    const alphaBefore = (await sharp(join(folders.source, name)).stats()).channels[3]!.mean
    expect(Math.abs(channels[3]!.mean - alphaBefore)).toBeLessThan(3)
  })

  it('scales a 16-bit PNG and a CMYK JPEG to the right size with the right colours', async () => {
    for (const name of ['deep.png', 'print.jpg']) {
      expect(unitFor(results, name).outcome).toBe('scaled')
      const meta = await sharp(join(folders.target, name)).metadata()
      expect({ width: meta.width, height: meta.height }).toEqual({ width: 240, height: 160 })
      expect(colourDistance(await meanColour(join(folders.target, name)), await meanColour(join(folders.source, name)))).toBeLessThan(6)
    }
  })

  it.each(['anim.gif', 'anim.webp'])('keeps all frames of %s, each scaled to the box', async (name) => {
    const unit = unitFor(results, name)
    expect(unit.outcome).toBe('scaled')
    expect(unit.info).toMatchObject({ shown: { width: 480, height: 320 }, frames: 3 })
    expect(unit.size).toEqual({ width: 240, height: 160 })
    const meta = await sharp(join(folders.target, name), { animated: true }).metadata()
    expect(meta.pages).toBe(3)
    expect(meta.width).toBe(240)
    expect(meta.pageHeight).toBe(160)
    // Each frame keeps its own colour: red, green, blue from top to bottom of the page strip.
    const { data, info } = await sharp(join(folders.target, name), { animated: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    const centreOfPage = (page: number): number[] => {
      const at = ((page * 160 + 80) * info.width + 120) * info.channels
      return [data[at]!, data[at + 1]!, data[at + 2]!]
    }
    expect(centreOfPage(0)[0]).toBeGreaterThan(150)
    expect(centreOfPage(1)[1]).toBeGreaterThan(120)
    expect(centreOfPage(2)[2]).toBeGreaterThan(150)
  })
})
