import { execFileSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import exifr from 'exifr'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OUTPUT_DEFAULTS, type OutputSpec } from '../../src/shared/recipe'
import { tempFolders, type TempFolders } from '../helpers/images'
import { addsUp, outputsOf, resultFor, runRecorded } from '../helpers/run'

/**
 * HEIC sources (phone photos), made here with Debian's heif-enc (libheif-examples, installed by
 * .ci/run) from a JPEG that carries EXIF (copyright, GPS) and a Display P3 profile, as a phone's
 * would: decoded through libheif-js, then made like any other source.
 */

/** The colour as seen (sRGB); the phone stores it in Display P3 values. */
const RED_P3 = { r: 200, g: 60, b: 40 }

/** The EXIF of any output format, through libvips (exifr alone reads JPEG and TIFF, not WebP). */
async function exifOf(path: string): Promise<Buffer> {
  const { exif } = await sharp(path).metadata()
  if (!exif) throw new Error(`${path} has no EXIF`)
  return exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif
}

function heifEnc(input: string, output: string): void {
  try {
    execFileSync('heif-enc', ['-q', '90', input, '-o', output], { stdio: 'pipe' })
  } catch (error) {
    throw new Error(`heif-enc could not make a HEIC (apt-get install libheif-examples): ${String(error)}`)
  }
}

describe('HEIC sources', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    const jpeg = join(folders.root, 'phone.jpg')
    await sharp({ create: { width: 800, height: 600, channels: 3, background: RED_P3 } })
      .withExif({
        IFD0: { Copyright: 'Jane Doe', Make: 'Apple' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 12/1' }
      })
      .withIccProfile('p3')
      .jpeg({ quality: 95 })
      .toFile(jpeg)
    heifEnc(jpeg, join(folders.source, 'IMG_0001.HEIC'))
    // Half a HEIC: its header promises more than is there.
    const whole = await readFile(join(folders.source, 'IMG_0001.HEIC'))
    await writeFile(join(folders.source, 'cut.heic'), whole.subarray(0, Math.floor(whole.length * 0.6)))
    // A whole HEIC whose picture is coded in VVC (its item type says so), which libheif cannot decode.
    const at = whole.indexOf('hvc1', 0, 'latin1')
    if (at < 0 || whole.indexOf('hvc1', at + 1, 'latin1') >= 0) throw new Error('heif-enc wrote a HEIC without exactly one hvc1 item')
    const vvc = Buffer.from(whole)
    vvc.write('vvc1', at, 'latin1')
    await writeFile(join(folders.source, 'vvc.heic'), vvc)
  })
  afterAll(() => folders?.cleanup())

  const run = (name: string, spec: Partial<OutputSpec> = {}) =>
    runRecorded(folders.source, join(folders.root, name), { recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 400 }, ...spec }] } })

  it('the source really is HEVC-coded HEIC with EXIF and a colour profile (so nothing below passes vacuously)', async () => {
    const meta = await sharp(join(folders.source, 'IMG_0001.HEIC')).metadata()
    expect(meta).toMatchObject({ format: 'heif', compression: 'hevc', width: 800, height: 600 })
    expect(meta.exif).toBeDefined()
    expect(meta.icc).toBeDefined()
    // The prebuilt libvips cannot decode it on its own: this is what ImageScale adds.
    await expect(sharp(join(folders.source, 'IMG_0001.HEIC')).toBuffer()).rejects.toThrow()
  })

  it('becomes a JPEG by default, named .jpg, at the planned size, with its colours, EXIF, location and profile kept', async () => {
    const { summary, events } = await run('default')
    expect(addsUp(summary)).toBe(true)
    const [made] = outputsOf(events).filter((output) => output.path.startsWith('IMG_0001'))
    expect(made).toMatchObject({ outcome: 'scaled', path: 'IMG_0001.jpg', format: 'jpeg', size: { width: 400, height: 300 } })
    const out = join(folders.root, 'default', 'IMG_0001.jpg')
    const meta = await sharp(out).metadata()
    expect(meta).toMatchObject({ format: 'jpeg', width: 400, height: 300 })
    expect(meta.orientation ?? 1).toBe(1)
    expect(meta.icc?.length).toBe((await sharp(join(folders.source, 'IMG_0001.HEIC')).metadata()).icc?.length)
    expect(await exifr.parse(out)).toMatchObject({ Copyright: 'Jane Doe', Make: 'Apple' })
    expect(await exifr.gps(out)).toMatchObject({ latitude: 51.5 })
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true })
    const centre = (150 * 400 + 200) * 3
    // As a viewer shows it (libvips converts the P3 values it stores to sRGB to compare); HEVC
    // and JPEG are both lossy: a few levels of each channel.
    for (const [i, value] of [RED_P3.r, RED_P3.g, RED_P3.b].entries()) expect(Math.abs(data[centre + i]! - value)).toBeLessThanOrEqual(6)
  })

  it('follows the recipe like any source: WebP, location stripped, converted to sRGB', async () => {
    const { events } = await run('web', { format: 'webp', metadata: 'strip-gps', srgb: true })
    const out = join(folders.root, 'web', 'IMG_0001.webp')
    expect(outputsOf(events).find((output) => output.path === 'IMG_0001.webp')).toMatchObject({ outcome: 'scaled' })
    expect((await sharp(out).metadata()).format).toBe('webp')
    expect(await exifr.gps(await exifOf(out))).toBeUndefined()
    expect(await exifr.parse(await exifOf(out))).toMatchObject({ Copyright: 'Jane Doe' })
    // The profile is now sRGB's (its description is UTF-16: s.R.G.B), not the phone's P3...
    const icc = (await sharp(out).metadata()).icc!.toString('latin1').replace(/\0/g, '')
    expect(icc).toContain('sRGB')
    expect(icc).not.toContain('P3')
    // ...and the colour a viewer shows is the same as the HEIC's own.
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true })
    const centre = (150 * 400 + 200) * 3
    for (const [i, value] of [RED_P3.r, RED_P3.g, RED_P3.b].entries()) expect(Math.abs(data[centre + i]! - value)).toBeLessThanOrEqual(6)
  })

  it('a damaged HEIC is that file’s problem, with a reason, and the batch goes on', async () => {
    const { summary, events } = await run('damaged')
    const cut = resultFor(events, 'cut.heic')
    const reason = cut.outcome === 'skipped' ? cut.reason : cut.outcome === 'done' && cut.outputs[0]?.outcome === 'skipped' ? cut.outputs[0].reason : cut.outcome
    expect(reason).toBe('corrupt')
    expect(cut.outcome === 'skipped' && cut.message).toMatch(/^damaged HEIC/)
    expect(summary.counts.scaled).toBe(1)
    expect(addsUp(summary)).toBe(true)
  })

  it('a whole HEIC of a kind libheif cannot decode is unsupported-format, not damaged', async () => {
    const { summary, events } = await run('other-codec')
    const vvc = resultFor(events, 'vvc.heic')
    expect(vvc).toMatchObject({ outcome: 'skipped', reason: 'unsupported-format' })
    expect(vvc.outcome === 'skipped' && vvc.message).toMatch(/^a HEIC of a kind this decoder cannot read, though the file is whole \(.+\)$/)
    expect(summary.skippedBy).toMatchObject({ corrupt: 1, 'unsupported-format': 1 })
    expect(addsUp(summary)).toBe(true)
  })
})
