import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import exifr from 'exifr'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import type { OutputResult } from '../../src/shared/batch'
import { METADATA_POLICIES, OUTPUT_DEFAULTS, type MetadataPolicy, type OutputSpec } from '../../src/shared/recipe'
import { tempFolders, type TempFolders } from '../helpers/images'
import { addsUp, outputsOf, runRecorded } from '../helpers/run'

/**
 * What a photo's metadata becomes under each policy, judged on real files made by the real
 * engine: where the photo was taken must really be gone (not only hidden from one reader),
 * and what a person chose to keep — copyright, rating, keywords, colour — must still be there.
 */

const XMP = `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmp:Rating="4"
    exif:GPSLatitude="51,30.0N"
    exif:GPSLongitude="0,7.2W"
    photoshop:City="London">
   <dc:subject><rdf:Bag><rdf:li>holiday</rdf:li><rdf:li>bridge</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`

const EXIF = {
  IFD0: { Copyright: 'Jane Doe', Artist: 'Jane', Make: 'Canon' },
  IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 12/1' }
}

const LATITUDE = [51, 30, 0]
const LONGITUDE = [0, 7, 12]

/** Whether a file holds these degrees, minutes and seconds as the EXIF RATIONALs n/1 (in either byte order). */
function holdsRationals(data: Buffer, values: number[]): boolean {
  return (['LE', 'BE'] as const).some((order) => {
    const bytes = Buffer.alloc(values.length * 8)
    const write = (value: number, at: number): number => (order === 'LE' ? bytes.writeUInt32LE(value, at) : bytes.writeUInt32BE(value, at))
    values.forEach((value, i) => {
      write(value, i * 8)
      write(1, i * 8 + 4)
    })
    return data.includes(bytes)
  })
}
const holdsCoordinates = (data: Buffer): boolean => holdsRationals(data, LATITUDE) || holdsRationals(data, LONGITUDE)

/** A 600×400 photo carrying a camera's EXIF with GPS, XMP with location and keywords, and a Display P3 profile. */
const taggedPhoto = (width = 600, height = 400): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: '#3a7' } }).withExif(EXIF).withXmp(XMP).withIccProfile('p3').jpeg({ quality: 90 }).toBuffer()

type Parsed = Record<string, Record<string, unknown> | undefined>

/** libvips reports EXIF with JPEG's `Exif\0\0` in front; what follows is the TIFF structure exifr reads. */
async function exifOf(data: Buffer): Promise<{ tiff: Buffer; parsed: Parsed } | undefined> {
  const { exif } = await sharp(data).metadata()
  if (!exif) return undefined
  const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif
  const parsed = ((await exifr.parse(tiff, { tiff: true, ifd0: {}, exif: true, gps: true, interop: true, ifd1: true, xmp: false, icc: false, iptc: false, mergeOutput: false })) ?? {}) as Parsed
  return { tiff, parsed }
}

const tagsOf = (parsed: Parsed): string[] => Object.values(parsed).flatMap((group) => Object.keys(group ?? {}))

const xmpOf = async (data: Buffer): Promise<string | undefined> => (await sharp(data).metadata()).xmp?.toString('utf8')

/** The description of an ICC profile (its `desc` tag, v2 text or v4 multi-language). */
function iccDescription(icc: Buffer): string {
  const tags = icc.readUInt32BE(128)
  for (let i = 0; i < tags; i += 1) {
    const entry = 132 + i * 12
    if (icc.toString('latin1', entry, entry + 4) !== 'desc') continue
    const at = icc.readUInt32BE(entry + 4)
    const type = icc.toString('latin1', at, at + 4)
    if (type === 'desc') return icc.toString('latin1', at + 12, at + 12 + icc.readUInt32BE(at + 8) - 1)
    if (type === 'mluc') {
      const length = icc.readUInt32BE(at + 20)
      const offset = icc.readUInt32BE(at + 24)
      return Buffer.from(icc.subarray(at + offset, at + offset + length)).swap16().toString('utf16le')
    }
    return `(${type})`
  }
  return '(none)'
}

async function profileOf(data: Buffer): Promise<{ description: string; space: string } | undefined> {
  const { icc } = await sharp(data).metadata()
  return icc ? { description: iccDescription(icc), space: icc.toString('latin1', 16, 20).trim() } : undefined
}

/** The device values at the centre as they are stored in the file, under whatever profile it carries. */
async function storedCentre(data: Buffer): Promise<[number, number, number]> {
  const { data: pixels, info } = await sharp(data).keepIccProfile().raw().toBuffer({ resolveWithObject: true })
  const at = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels
  return [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!]
}

/** The chunks of a PNG whose CRC does not match their type and data (an edit in place must re-checksum). */
function badPngChunks(png: Buffer): string[] {
  const bad: string[] = []
  for (let at = 8; at + 12 <= png.length; ) {
    const length = png.readUInt32BE(at)
    const type = png.toString('latin1', at + 4, at + 8)
    if (crc32(png.subarray(at + 4, at + 8 + length)) !== png.readUInt32BE(at + 8 + length)) bad.push(type)
    at += 12 + length
  }
  return bad
}

// --- Colour maths, written out so that the test does not ask libvips to check libvips ---

type Vec = [number, number, number]
type Mat = [Vec, Vec, Vec]

const mul = (m: Mat, v: Vec): Vec => [0, 1, 2].map((r) => m[r]![0] * v[0] + m[r]![1] * v[1] + m[r]![2] * v[2]) as Vec
const matmul = (a: Mat, b: Mat): Mat => [0, 1, 2].map((r) => [0, 1, 2].map((c) => a[r]![0] * b[0]![c]! + a[r]![1] * b[1]![c]! + a[r]![2] * b[2]![c]!)) as Mat

function inverse(m: Mat): Mat {
  const [[a, b, c], [d, e, f], [g, h, i]] = m
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det]
  ]
}

const D65: Vec = [0.3127 / 0.329, 1, (1 - 0.3127 - 0.329) / 0.329]

/** RGB → XYZ for primaries given as xy chromaticities, white D65 (the standard derivation). */
function rgbToXyz(primaries: [number, number][]): Mat {
  const columns = primaries.map(([x, y]) => [x / y, 1, (1 - x - y) / y] as Vec)
  const p: Mat = [0, 1, 2].map((r) => columns.map((col) => col[r]!)) as Mat
  const scale = mul(inverse(p), D65)
  return p.map((row) => row.map((value, c) => value * scale[c]!)) as Mat
}

const SRGB_TO_XYZ = rgbToXyz([
  [0.64, 0.33],
  [0.3, 0.6],
  [0.15, 0.06]
])
const P3_TO_XYZ = rgbToXyz([
  [0.68, 0.32],
  [0.265, 0.69],
  [0.15, 0.06]
])
const P3_TO_SRGB = matmul(inverse(SRGB_TO_XYZ), P3_TO_XYZ)

/** Display P3 uses the sRGB transfer curve. */
const linear = (v8: number): number => {
  const v = v8 / 255
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
}
const encoded = (v: number): number => 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055)

const p3ToSrgb = (p3: Vec): Vec => mul(P3_TO_SRGB, p3.map(linear) as Vec).map(encoded) as Vec

/** CIE L*a*b* (D65) of an 8-bit sRGB colour. */
function labOf(srgb: Vec): Vec {
  const [x, y, z] = mul(SRGB_TO_XYZ, srgb.map(linear) as Vec).map((v, i) => v / D65[i]!)
  const f = (t: number): number => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29)
  return [116 * f(y!) - 16, 500 * (f(x!) - f(y!)), 200 * (f(y!) - f(z!))]
}

/** ΔE (CIE76) between two 8-bit sRGB colours. */
const deltaE = (a: Vec, b: Vec): number => {
  const [la, lb] = [labOf(a), labOf(b)]
  return Math.hypot(la[0] - lb[0], la[1] - lb[1], la[2] - lb[2])
}

// --- Running the engine ---

const made: TempFolders[] = []
afterEach(async () => {
  await Promise.all(made.splice(0).map((folders) => folders.cleanup()))
})

type Made = { output: OutputResult & { file: string }; data: Buffer }

/** Runs the real engine on one source file with one output, and returns that output and its bytes. */
async function make(name: string, source: Buffer, spec: Partial<OutputSpec>): Promise<Made> {
  const folders = await tempFolders()
  made.push(folders)
  await writeFile(join(folders.source, name), source)
  const output: OutputSpec = { ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 200 }, format: 'jpeg', ...spec }
  const { summary, events } = await runRecorded(folders.source, folders.target, { recipe: { outputs: [output] } })
  expect(addsUp(summary)).toBe(true)
  const outputs = outputsOf(events)
  expect(outputs, JSON.stringify(events.filter((event) => event.type === 'finished'))).toHaveLength(1)
  const [result] = outputs
  if (!result || (result.outcome !== 'scaled' && result.outcome !== 'copied')) throw new Error(`${name} was not made: ${JSON.stringify(result)}`)
  return { output: result, data: await readFile(join(folders.target, result.path)) }
}

describe('the test photo really carries what the policies act on (sanity)', () => {
  it('has GPS (as EXIF rationals and in XMP), copyright, camera make, rating, keywords, city and a Display P3 profile', async () => {
    const photo = await taggedPhoto()
    const exif = await exifOf(photo)
    expect(exif?.parsed.gps).toMatchObject({ GPSLatitudeRef: 'N', GPSLatitude: [51, 30, 0], GPSLongitudeRef: 'W', GPSLongitude: [0, 7, 12] })
    expect(await exifr.gps(exif!.tiff)).toEqual({ latitude: 51.5, longitude: expect.closeTo(-0.12, 6) })
    expect(exif?.parsed.ifd0).toMatchObject({ Copyright: 'Jane Doe', Artist: 'Jane', Make: 'Canon' })
    expect(holdsRationals(photo, LATITUDE)).toBe(true)
    expect(holdsRationals(photo, LONGITUDE)).toBe(true)
    const xmp = await xmpOf(photo)
    for (const property of ['exif:GPSLatitude', 'photoshop:City="London"', 'xmp:Rating="4"', '<rdf:li>holiday</rdf:li>']) expect(xmp).toContain(property)
    expect(await profileOf(photo)).toEqual({ description: 'sP3C', space: 'RGB' })
    expect(await sharp(photo).metadata()).toMatchObject({ width: 600, height: 400, format: 'jpeg' })
  })
})

describe('metadata: keep', () => {
  it('a resized JPEG keeps where it was taken, the copyright, the XMP city and rating, and the colour profile', async () => {
    const { output, data } = await make('photo.jpg', await taggedPhoto(), { metadata: 'keep' })
    expect(output).toMatchObject({ outcome: 'scaled', size: { width: 200, height: 133 }, format: 'jpeg' })
    expect(await sharp(data).metadata()).toMatchObject({ format: 'jpeg', width: 200, height: 133 })
    const exif = await exifOf(data)
    expect(await exifr.gps(exif!.tiff)).toEqual({ latitude: 51.5, longitude: expect.closeTo(-0.12, 6) })
    expect(exif?.parsed.ifd0).toMatchObject({ Copyright: 'Jane Doe', Artist: 'Jane', Make: 'Canon' })
    const xmp = await xmpOf(data)
    expect(xmp).toContain('photoshop:City="London"')
    expect(xmp).toContain('xmp:Rating="4"')
    expect(xmp).toContain('<rdf:li>holiday</rdf:li>')
    expect(await profileOf(data)).toEqual({ description: 'sP3C', space: 'RGB' })
  })
})

describe('metadata: strip-gps', () => {
  it.each(['jpeg', 'webp', 'png', 'avif'] as const)('into %s: the location is gone from EXIF, its bytes and the XMP; copyright, camera, rating, keywords and profile stay', async (format) => {
    const { output, data } = await make('photo.jpg', await taggedPhoto(), { metadata: 'strip-gps', format })
    expect(output).toMatchObject({ outcome: 'scaled', format, size: { width: 200, height: 133 } })
    expect((await sharp(data).metadata()).format).toBe(format === 'avif' ? 'heif' : format)
    if (format === 'png') expect(badPngChunks(data)).toEqual([])

    const exif = await exifOf(data)
    expect(exif, 'the EXIF is kept, only its GPS is erased').toBeDefined()
    expect(await exifr.gps(exif!.tiff)).toBeUndefined()
    expect(exif!.parsed.gps).toBeUndefined()
    expect(tagsOf(exif!.parsed).filter((tag) => tag.startsWith('GPS'))).toEqual([])
    expect(holdsCoordinates(data), 'the GPS rationals are still in the file').toBe(false)
    expect(data.includes('London'), 'the city is still somewhere in the file').toBe(false)
    expect(exif!.parsed.ifd0).toMatchObject({ Copyright: 'Jane Doe', Artist: 'Jane', Make: 'Canon' })

    const xmp = await xmpOf(data)
    expect(xmp).toBeDefined()
    expect(xmp).not.toMatch(/exif:GPS|photoshop:City|London|51,30\.0N/)
    expect(xmp).toContain('xmp:Rating="4"')
    expect(xmp).toContain('<rdf:li>holiday</rdf:li>')
    expect(xmp).toContain('</x:xmpmeta>')

    expect(await profileOf(data)).toEqual({ description: 'sP3C', space: 'RGB' })
  })
})

describe('metadata: strip', () => {
  it('keeps only the colour profile: no copyright, camera, GPS or XMP', async () => {
    const { output, data } = await make('photo.jpg', await taggedPhoto(), { metadata: 'strip' })
    expect(output).toMatchObject({ outcome: 'scaled', size: { width: 200, height: 133 } })
    const meta = await sharp(data).metadata()
    expect(meta.exif, 'no EXIF block at all').toBeUndefined()
    expect(meta.xmp).toBeUndefined()
    expect(holdsCoordinates(data)).toBe(false)
    for (const text of ['Jane Doe', 'Canon', 'London', 'holiday']) expect(data.includes(text), text).toBe(false)
    expect(await profileOf(data)).toEqual({ description: 'sP3C', space: 'RGB' })
  })

  it('with keepCopyright keeps the copyright and artist, and still nothing of the camera or the place', async () => {
    const { output, data } = await make('photo.jpg', await taggedPhoto(), { metadata: 'strip', keepCopyright: true })
    expect(output).toMatchObject({ outcome: 'scaled', size: { width: 200, height: 133 } })
    const exif = await exifOf(data)
    expect(exif?.parsed.ifd0).toMatchObject({ Copyright: 'Jane Doe', Artist: 'Jane' })
    expect(exif?.parsed.ifd0?.Make).toBeUndefined()
    expect(await exifr.gps(exif!.tiff)).toBeUndefined()
    expect(tagsOf(exif!.parsed).filter((tag) => tag.startsWith('GPS'))).toEqual([])
    expect(holdsCoordinates(data)).toBe(false)
    expect(data.includes('Canon')).toBe(false)
    expect(await xmpOf(data)).toBeUndefined()
    expect(await profileOf(data)).toEqual({ description: 'sP3C', space: 'RGB' })
  })
})

describe('orientation under every policy', () => {
  /** Stored 600×400 on its side (EXIF orientation 6): shown, it is 400 wide and 600 tall, red above blue. */
  const turnedPhoto = async (): Promise<Buffer> => {
    const stored = Buffer.alloc(600 * 400 * 3)
    // Orientation 6 shows the stored picture turned 90° clockwise: the stored left half ends up on top.
    for (let y = 0; y < 400; y += 1) for (let x = 0; x < 600; x += 1) stored.set(x < 300 ? [255, 0, 0] : [0, 0, 255], (y * 600 + x) * 3)
    return sharp(stored, { raw: { width: 600, height: 400, channels: 3 } }).withExif(EXIF).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer()
  }

  it('the turned test photo is stored 600×400 with orientation 6 (sanity)', async () => {
    const photo = await turnedPhoto()
    expect(await sharp(photo).metadata()).toMatchObject({ width: 600, height: 400, orientation: 6 })
    expect((await exifOf(photo))?.parsed.gps).toMatchObject({ GPSLatitude: [51, 30, 0] })
    const { info } = await sharp(photo).autoOrient().raw().toBuffer({ resolveWithObject: true })
    expect({ width: info.width, height: info.height }).toEqual({ width: 400, height: 600 })
  })

  it.each(METADATA_POLICIES)('%s: the output is upright and portrait, with no rotation tag left to turn it again', async (metadata: MetadataPolicy) => {
    const { output, data } = await make('turned.jpg', await turnedPhoto(), { metadata })
    expect(output).toMatchObject({ outcome: 'scaled', size: { width: 133, height: 200 } })
    const meta = await sharp(data).metadata()
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 133, height: 200 })
    expect([undefined, 1]).toContain(meta.orientation)
    const exif = await exifOf(data)
    expect(['Horizontal (normal)', undefined]).toContain(exif?.parsed.ifd0?.Orientation)
    // The pixels themselves are turned: red at the top, blue at the bottom, as stored raw.
    const { data: pixels, info } = await sharp(data).keepIccProfile().raw().toBuffer({ resolveWithObject: true })
    const at = (x: number, y: number): number[] => [...pixels.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)]
    expect(at(66, 20)[0]).toBeGreaterThan(200)
    expect(at(66, 20)[2]).toBeLessThan(60)
    expect(at(66, 180)[2]).toBeGreaterThan(200)
    expect(at(66, 180)[0]).toBeLessThan(60)
  })
})

describe('colour: sRGB conversion', () => {
  const P3_RED: Vec = [200, 60, 40]

  /** A solid Display P3 picture whose stored values are P3_RED (lossless PNG, so they stay exact). */
  const p3Photo = async (): Promise<Buffer> => {
    const tagged = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).withIccProfile('p3').png().toBuffer()
    // Kept profile, constant pixels: the values are written as they are, with no conversion.
    return sharp(tagged).resize(600, 400, { fit: 'fill' }).keepIccProfile().linear([0, 0, 0], P3_RED).png({ adaptiveFiltering: false }).toBuffer()
  }

  it('the test picture stores P3 rgb(200,60,40) under a Display P3 profile (sanity)', async () => {
    const photo = await p3Photo()
    expect(await profileOf(photo)).toEqual({ description: 'sP3C', space: 'RGB' })
    expect(await storedCentre(photo)).toEqual(P3_RED)
    expect(await sharp(photo).metadata()).toMatchObject({ width: 600, height: 400, format: 'png' })
  })

  it('with srgb the output carries an sRGB profile and the colour as P3 → sRGB maths gives it (ΔE76 < 3)', async () => {
    const { output, data } = await make('p3.png', await p3Photo(), { srgb: true })
    expect(output).toMatchObject({ outcome: 'scaled', format: 'jpeg', size: { width: 200, height: 133 } })
    expect(await profileOf(data)).toEqual({ description: 'sRGB', space: 'RGB' })
    const reference = p3ToSrgb(P3_RED)
    // The reference is in the sRGB gamut, so no clipping can hide an error, and really differs from the P3 values.
    for (const value of reference) expect(value).toBeGreaterThan(0)
    for (const value of reference) expect(value).toBeLessThan(255)
    expect(deltaE(reference, P3_RED)).toBeGreaterThan(5)
    const centre = await storedCentre(data)
    expect(deltaE(centre, reference), `${centre} against ${reference.map(Math.round)}`).toBeLessThan(3)
  })

  it('without srgb the Display P3 profile and the stored values are kept', async () => {
    const { data } = await make('p3.png', await p3Photo(), { srgb: false })
    expect(await profileOf(data)).toEqual({ description: 'sP3C', space: 'RGB' })
    const centre = await storedCentre(data)
    // Stored values compared as numbers (JPEG rounding only), not as colours.
    expect(Math.hypot(...centre.map((value, i) => value - P3_RED[i]!))).toBeLessThan(4)
  })

  it('a CMYK JPEG with srgb comes out as 3-channel sRGB with an sRGB profile', async () => {
    const cmyk = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#c83c28' } }).toColourspace('cmyk').withIccProfile('cmyk').jpeg().toBuffer()
    expect(await sharp(cmyk).metadata()).toMatchObject({ space: 'cmyk', channels: 4 })
    expect((await profileOf(cmyk))?.space).toBe('CMYK')
    const { output, data } = await make('print.jpg', cmyk, { srgb: true })
    expect(output).toMatchObject({ outcome: 'scaled', format: 'jpeg', size: { width: 200, height: 133 } })
    expect(await sharp(data).metadata()).toMatchObject({ space: 'srgb', channels: 3 })
    expect(await profileOf(data)).toEqual({ description: 'sRGB', space: 'RGB' })
    // No trustworthy reference can be computed by hand for a press CMYK profile (its tables and
    // rendering intent are the whole conversion), so the colour is only checked to be still the
    // same red, not inverted or muddied: a sanity bound, not a colour-accuracy check. (libvips
    // turns CMYK into sRGB for any RGB output, so this would hold with srgb off as well.)
    const [r, g, b] = await storedCentre(data)
    expect(r).toBeGreaterThan(150)
    expect(g).toBeLessThan(110)
    expect(b).toBeLessThan(110)
  })
})

describe('the copy rule', () => {
  /** 150×100 already fits a long side of 200: nothing about its size needs to change. */
  const smallPhoto = (): Promise<Buffer> => taggedPhoto(150, 100)

  it('with keep, a photo that already fits is copied byte for byte, location and all', async () => {
    const source = await smallPhoto()
    const { output, data } = await make('small.jpg', source, { metadata: 'keep' })
    expect(output).toMatchObject({ outcome: 'copied', size: { width: 150, height: 100 }, bytes: source.length })
    expect(data.equals(source)).toBe(true)
  })

  it.each(['strip-gps', 'strip'] as const)('with %s, the same photo is made anew without its location, at its own size', async (metadata) => {
    const source = await smallPhoto()
    expect(holdsCoordinates(source)).toBe(true)
    const { output, data } = await make('small.jpg', source, { metadata })
    expect(output).toMatchObject({ outcome: 'scaled', size: { width: 150, height: 100 } })
    expect(data.equals(source)).toBe(false)
    expect(await sharp(data).metadata()).toMatchObject({ width: 150, height: 100 })
    expect(holdsCoordinates(data)).toBe(false)
    const exif = await exifOf(data)
    if (metadata === 'strip') expect(exif).toBeUndefined()
    else {
      expect(exif?.parsed.ifd0).toMatchObject({ Copyright: 'Jane Doe', Make: 'Canon' })
      expect(await exifr.gps(exif!.tiff)).toBeUndefined()
    }
  })
})

/** One IPTC-IIM dataset of the application record (2:n). */
const dataset = (n: number, value: string): Buffer => {
  const bytes = Buffer.from(value, 'utf8')
  return Buffer.concat([Buffer.from([0x1c, 2, n, bytes.length >> 8, bytes.length & 0xff]), bytes])
}

/**
 * A JPEG with a legacy IPTC-IIM block (APP13, as Photoshop and Lightroom write it), which sharp
 * cannot write: built by hand. `sizeAt` misplaces the resource size, to make a malformed block.
 */
async function withIptc(sizeAt = 8): Promise<Buffer> {
  const jpeg = await taggedPhoto()
  const iptc = Buffer.concat([dataset(90, 'London'), dataset(101, 'United Kingdom'), dataset(100, 'GBR'), dataset(25, 'holiday'), dataset(116, 'Jane Doe'), dataset(120, 'Tower Bridge at dusk')])
  const resource = Buffer.concat([Buffer.from('8BIM'), Buffer.from([0x04, 0x04, 0, 0]), Buffer.alloc(4), iptc, Buffer.alloc(iptc.length % 2)])
  resource.writeUInt32BE(iptc.length, sizeAt)
  const data = Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), resource])
  const segment = Buffer.concat([Buffer.from([0xff, 0xed, (data.length + 2) >> 8, (data.length + 2) & 0xff]), data])
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)])
}

const iptcOf = async (data: Buffer): Promise<Record<string, unknown> | undefined> =>
  ((await exifr.parse(data, { iptc: true, tiff: false, xmp: false, mergeOutput: false })) as { iptc?: Record<string, unknown> } | undefined)?.iptc

describe('IPTC-IIM under strip-gps', () => {
  it('keeps caption, keywords and copyright of a JPEG and removes its city, country and country code', async () => {
    const source = await withIptc()
    expect(await iptcOf(source)).toMatchObject({ City: 'London', Country: 'United Kingdom', Keywords: 'holiday' })
    const kept = await make('kept.jpg', source, { metadata: 'keep' })
    expect(await iptcOf(kept.data)).toMatchObject({ City: 'London', Country: 'United Kingdom' })

    const { data } = await make('iptc.jpg', source, { metadata: 'strip-gps' })
    const iptc = await iptcOf(data)
    expect(iptc).toMatchObject({ Keywords: 'holiday', CopyrightNotice: 'Jane Doe', Caption: 'Tower Bridge at dusk' })
    for (const field of ['City', 'Country', 'CountryCode']) expect(iptc?.[field], field).toBeUndefined()
    expect(data.includes(Buffer.from('London'))).toBe(false)
    expect(data.includes(Buffer.from('United Kingdom'))).toBe(false)
  })

  it('drops a block it cannot read with certainty whole, rather than guess, and still makes the output', async () => {
    const { data } = await make('odd.jpg', await withIptc(10), { metadata: 'strip-gps' })
    expect(data.includes(Buffer.from('London'))).toBe(false)
    expect((await sharp(data).metadata()).iptc).toBeUndefined()
    expect(await exifr.gps(data)).toBeUndefined()
  })

  it('is not carried into formats where it could only be kept whole', async () => {
    const { data } = await make('iptc.jpg', await withIptc(), { metadata: 'strip-gps', format: 'webp' })
    expect((await sharp(data).metadata()).iptc).toBeUndefined()
    expect(data.includes(Buffer.from('London'))).toBe(false)
  })
})
