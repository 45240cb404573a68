import { existsSync } from 'node:fs'
import { readFile, stat, unlink, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syntheticPhoto } from '../../src/core/synthetic'
import type { BatchEvent, Dimensions, ImageFormat, OutputResult } from '../../src/shared/batch'
import { OUTPUT_DEFAULTS, type OutputSpec, type ResizeRule } from '../../src/shared/recipe'
import { colourDistance, expectBalanced, listOutputs, meanColour, type Rgb } from '../core/fixtures'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { addsUp, outputsOf, resultFor, runRecorded, type Recorded } from '../helpers/run'

/**
 * Recipes, end to end: every output a recipe asks for is made by the real engine (the built
 * pool host and workers) from real images, and read back with sharp to see what a person
 * would get: its format, its size, its frames, its pixels, its bytes, its name and its date.
 */

const spec = (fields: Partial<OutputSpec> & Pick<OutputSpec, 'resize'>): OutputSpec => ({ ...OUTPUT_DEFAULTS, ...fields })

/** One recipe through the real engine, with the options every recipe test uses. */
async function run(folders: TempFolders, outputs: OutputSpec[], options: { keepDates?: boolean } = {}): Promise<Recorded> {
  const recorded = await runRecorded(folders.source, folders.target, { recipe: { outputs }, keepDates: options.keepDates ?? true, existing: 'rename', workers: 2 })
  expectBalanced(recorded.summary, recorded.events)
  expect(addsUp(recorded.summary)).toBe(true)
  return recorded
}

type Made = Extract<OutputResult, { outcome: 'copied' | 'scaled' }> & { file: string }

/** The output of `file` at `path`, which must have been written. */
function madeAt(events: BatchEvent[], file: string, path: string): Made {
  const output = outputsOf(events).find((candidate) => candidate.file === file && candidate.path === path)
  if (!output) throw new Error(`no output ${path} of ${file}; got ${JSON.stringify(outputsOf(events).map((o) => [o.file, o.path]))}`)
  if (output.outcome !== 'copied' && output.outcome !== 'scaled') throw new Error(`${path} was not written: ${JSON.stringify(output)}`)
  return output
}

interface ReadBack {
  format: string
  compression?: string
  /** One frame's size. */
  width: number
  height: number
  pages: number
  hasAlpha: boolean
  bytes: number
}

/** What is really in a written file, as sharp reads it with every frame. */
async function readBack(path: string): Promise<ReadBack> {
  const meta = await sharp(path, { animated: true }).metadata()
  return {
    format: meta.format,
    ...(meta.compression ? { compression: meta.compression } : {}),
    width: meta.width,
    height: meta.pageHeight ?? meta.height,
    pages: meta.pages ?? 1,
    hasAlpha: meta.hasAlpha,
    bytes: (await stat(path)).size
  }
}

/** The colour at one pixel of an image's first frame, as 8-bit sRGB. */
async function pixelAt(path: string, x: number, y: number): Promise<Rgb> {
  const { data, info } = await sharp(path).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const at = (y * info.width + x) * info.channels
  return [data[at]!, data[at + 1]!, data[at + 2]!]
}

/** What sharp's metadata calls each written format: AVIF is AV1 inside HEIF. */
const READ_AS: Record<ImageFormat, string> = { jpeg: 'jpeg', png: 'png', webp: 'webp', avif: 'heif', tiff: 'tiff', gif: 'gif' }

describe('resize rules on a 1200×800 photo', () => {
  let folders: TempFolders
  const RULES: [string, ResizeRule, Dimensions][] = [
    ['long side 300', { kind: 'long', size: 300 }, { width: 300, height: 200 }],
    ['short side 400', { kind: 'short', size: 400 }, { width: 600, height: 400 }],
    ['width 900', { kind: 'width', size: 900 }, { width: 900, height: 600 }],
    ['height 200', { kind: 'height', size: 200 }, { width: 300, height: 200 }],
    ['box 600×300 (the height is the tighter side)', { kind: 'box', width: 600, height: 300 }, { width: 450, height: 300 }],
    ['percent 12.5', { kind: 'percent', percent: 12.5 }, { width: 150, height: 100 }]
  ]
  let recorded: Recorded

  beforeAll(async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'photo.jpg', { width: 1200, height: 800 })
    recorded = await run(
      folders,
      RULES.map(([, resize], i) => spec({ resize, folder: `rule-${i}` }))
    )
    expect(recorded.summary).toMatchObject({ files: 1, outputs: RULES.length, todo: RULES.length, counts: { scaled: RULES.length } })
  })
  afterAll(() => folders.cleanup())

  it.each(RULES.map((rule, i) => [...rule, i] as const))('%s gives exactly the expected size', async (_label, _rule, expected, i) => {
    const output = madeAt(recorded.events, 'photo.jpg', `rule-${i}/photo.jpg`)
    expect(output).toMatchObject({ outcome: 'scaled', size: expected, format: 'jpeg' })
    const file = await readBack(join(folders.target, output.path))
    expect(file).toMatchObject({ format: 'jpeg', width: expected.width, height: expected.height, pages: 1 })
    expect(output.bytes).toBe(file.bytes)
  })

  it('never enlarges an image already within a rule: every kind of rule copies it byte for byte', async () => {
    const roomy: ResizeRule[] = [
      { kind: 'long', size: 5000 },
      { kind: 'short', size: 800 },
      { kind: 'width', size: 1201 },
      { kind: 'height', size: 65_535 },
      { kind: 'box', width: 4000, height: 900 },
      { kind: 'percent', percent: 100 }
    ]
    const big = await tempFolders()
    try {
      await writeImage(big.source, 'photo.jpg', { width: 1200, height: 800 })
      const { events } = await run(
        big,
        roomy.map((resize, i) => spec({ resize, folder: `roomy-${i}` }))
      )
      const original = await readFile(join(big.source, 'photo.jpg'))
      for (const i of roomy.keys()) {
        const output = madeAt(events, 'photo.jpg', `roomy-${i}/photo.jpg`)
        expect(output, JSON.stringify(roomy[i])).toMatchObject({ outcome: 'copied', size: { width: 1200, height: 800 } })
        expect(await readBack(join(big.target, output.path))).toMatchObject({ format: 'jpeg', width: 1200, height: 800 })
        expect((await readFile(join(big.target, output.path))).equals(original)).toBe(true)
      }
    } finally {
      await big.cleanup()
    }
  })
})

describe('format conversion', () => {
  let folders: TempFolders
  let recorded: Recorded
  const TARGETS = ['webp', 'avif', 'png', 'tiff', 'jpeg', 'same'] as const

  beforeAll(async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'photo.jpg', { width: 1200, height: 800, seed: 1 })
    await writeImage(folders.source, 'IMG.JPEG', { width: 1200, height: 800, seed: 2 })
    await writeImage(folders.source, 'pic.png', { width: 600, height: 400, seed: 3, format: 'png' })
    recorded = await run(
      folders,
      TARGETS.map((format) => spec({ resize: { kind: 'long', size: 200 }, format, folder: format }))
    )
    expect(recorded.summary.counts).toMatchObject({ scaled: 3 * TARGETS.length, failed: 0, skipped: 0 })
  })
  afterAll(() => folders.cleanup())

  const CONVERSIONS: [ImageFormat, string][] = [
    ['webp', 'webp/photo.webp'],
    ['avif', 'avif/photo.avif'],
    ['png', 'png/photo.png'],
    ['tiff', 'tiff/photo.tif'],
    ['jpeg', 'jpeg/photo.jpg']
  ]
  it.each(CONVERSIONS)('turns a JPEG into %s, named %s, with the same picture', async (format, path) => {
    const output = madeAt(recorded.events, 'photo.jpg', path)
    expect(output).toMatchObject({ outcome: 'scaled', format, size: { width: 200, height: 133 } })
    const file = await readBack(join(folders.target, path))
    expect(file).toMatchObject({ format: READ_AS[format], width: 200, height: 133, pages: 1 })
    if (format === 'avif') expect(file.compression).toBe('av1')
    expect(output.bytes).toBe(file.bytes)
    expect(colourDistance(await meanColour(join(folders.target, path)), await meanColour(join(folders.source, 'photo.jpg')))).toBeLessThan(6)
  })

  it("keeps a PNG a PNG, named .png, with format 'same'; and converts it to every other format", async () => {
    const same = madeAt(recorded.events, 'pic.png', 'same/pic.png')
    expect(same).toMatchObject({ outcome: 'scaled', format: 'png', size: { width: 200, height: 133 } })
    expect(await readBack(join(folders.target, 'same/pic.png'))).toMatchObject({ format: 'png', width: 200, height: 133 })
    const others: [string, string][] = [
      ['webp/pic.webp', 'webp'],
      ['avif/pic.avif', 'heif'],
      ['png/pic.png', 'png'],
      ['tiff/pic.tif', 'tiff'],
      ['jpeg/pic.jpg', 'jpeg']
    ]
    for (const [path, format] of others) {
      madeAt(recorded.events, 'pic.png', path)
      expect((await readBack(join(folders.target, path))).format, path).toBe(format)
    }
  })

  it("keeps IMG.JPEG's own spelling when the format is jpeg (or same), and uses .webp, .avif, .png, .tif for the rest", async () => {
    for (const path of ['jpeg/IMG.JPEG', 'same/IMG.JPEG']) {
      expect(madeAt(recorded.events, 'IMG.JPEG', path)).toMatchObject({ format: 'jpeg' })
      expect((await readBack(join(folders.target, path))).format).toBe('jpeg')
    }
    for (const path of ['webp/IMG.webp', 'avif/IMG.avif', 'png/IMG.png', 'tiff/IMG.tif']) madeAt(recorded.events, 'IMG.JPEG', path)
  })

  it('writes exactly the outputs named above, and nothing else', async () => {
    const expected = TARGETS.flatMap((folder) => {
      const ext = { webp: 'webp', avif: 'avif', png: 'png', tiff: 'tif', jpeg: 'jpg', same: '' }[folder]
      return [
        `${folder}/photo.${ext || 'jpg'}`,
        `${folder}/IMG.${folder === 'jpeg' || folder === 'same' ? 'JPEG' : ext}`,
        `${folder}/pic.${ext || 'png'}`
      ]
    })
    expect(await listOutputs(folders.target)).toEqual(expected.sort())
  })
})

describe('quality', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
  })
  afterAll(() => folders.cleanup())

  it('makes the same photo clearly smaller at JPEG quality 40 than at 95', async () => {
    await writeImage(folders.source, 'photo.jpg', { width: 1200, height: 800 })
    const { events } = await run(folders, [
      spec({ resize: { kind: 'long', size: 600 }, format: 'jpeg', quality: 40, folder: 'q40' }),
      spec({ resize: { kind: 'long', size: 600 }, format: 'jpeg', quality: 95, folder: 'q95' })
    ])
    const low = madeAt(events, 'photo.jpg', 'q40/photo.jpg')
    const high = madeAt(events, 'photo.jpg', 'q95/photo.jpg')
    for (const output of [low, high]) {
      expect(output).toMatchObject({ outcome: 'scaled', format: 'jpeg', size: { width: 600, height: 400 } })
      const file = await readBack(join(folders.target, output.path))
      expect(file).toMatchObject({ format: 'jpeg', width: 600, height: 400 })
      expect(file.bytes).toBe(output.bytes)
    }
    expect(low.bytes).toBeLessThan(high.bytes / 2)
  })

  it('writes lossless WebP that decodes to exactly the source pixels (and lossy WebP that does not)', async () => {
    const lossless = await tempFolders()
    try {
      await writeImage(lossless.source, 'art.png', { width: 300, height: 200, format: 'png', seed: 5 })
      const { events } = await run(lossless, [
        spec({ resize: { kind: 'long', size: 400 }, format: 'webp', lossless: true, folder: 'lossless' }),
        spec({ resize: { kind: 'long', size: 400 }, format: 'webp', folder: 'lossy' })
      ])
      const raw = async (path: string): Promise<Buffer> => sharp(path).removeAlpha().raw().toBuffer()
      const original = await raw(join(lossless.source, 'art.png'))
      const exact = madeAt(events, 'art.png', 'lossless/art.webp')
      expect(exact).toMatchObject({ outcome: 'scaled', format: 'webp', size: { width: 300, height: 200 } })
      expect(await readBack(join(lossless.target, exact.path))).toMatchObject({ format: 'webp', width: 300, height: 200 })
      expect((await raw(join(lossless.target, exact.path))).equals(original)).toBe(true)
      const lossy = madeAt(events, 'art.png', 'lossy/art.webp')
      expect((await raw(join(lossless.target, lossy.path))).equals(original)).toBe(false)
    } finally {
      await lossless.cleanup()
    }
  })
})

describe('transparency into JPEG', () => {
  let folders: TempFolders
  let recorded: Recorded
  const WIDTH = 400
  const HEIGHT = 200

  beforeAll(async () => {
    folders = await tempFolders()
    // Left quarter: fully transparent (with a colour that must not show); next: half-transparent
    // red; the right half: opaque green.
    const data = Buffer.alloc(WIDTH * HEIGHT * 4)
    for (let y = 0; y < HEIGHT; y += 1) {
      for (let x = 0; x < WIDTH; x += 1) {
        const pixel = x < 100 ? [30, 90, 200, 0] : x < 200 ? [255, 0, 0, 128] : [0, 160, 0, 255]
        data.set(pixel, (y * WIDTH + x) * 4)
      }
    }
    await sharp(data, { raw: { width: WIDTH, height: HEIGHT, channels: 4 } }).png().toFile(join(folders.source, 'logo.png'))
    recorded = await run(folders, [
      spec({ resize: { kind: 'long', size: 400 }, format: 'jpeg', folder: 'white' }),
      spec({ resize: { kind: 'long', size: 400 }, format: 'jpeg', background: '#000000', folder: 'black' })
    ])
  })
  afterAll(() => folders.cleanup())

  it.each([
    ['white by default', 'white', '#ffffff', [255, 255, 255], [255, 127, 127]],
    ["black with background '#000000'", 'black', '#000000', [0, 0, 0], [128, 0, 0]]
  ] as const)('flattens transparent areas onto %s, and says so', async (_label, folder, background, clear, half) => {
    const output = madeAt(recorded.events, 'logo.png', `${folder}/logo.jpg`)
    expect(output).toMatchObject({ outcome: 'scaled', format: 'jpeg', size: { width: WIDTH, height: HEIGHT } })
    expect(output.note).toMatch(/flatten/)
    expect(output.note).toContain(background)
    const path = join(folders.target, output.path)
    expect(await readBack(path)).toMatchObject({ format: 'jpeg', width: WIDTH, height: HEIGHT, hasAlpha: false, pages: 1 })
    expect(colourDistance(await pixelAt(path, 50, 100), clear), 'the fully transparent area').toBeLessThan(12)
    expect(colourDistance(await pixelAt(path, 150, 100), half), 'the half-transparent area').toBeLessThan(20)
    expect(colourDistance(await pixelAt(path, 300, 100), [0, 160, 0]), 'the opaque area').toBeLessThan(12)
  })
})

describe('animations', () => {
  let folders: TempFolders
  let recorded: Recorded
  const COLOURS: Rgb[] = [
    [208, 32, 32],
    [32, 160, 32],
    [32, 32, 208]
  ]

  beforeAll(async () => {
    folders = await tempFolders()
    const frames = await Promise.all(
      COLOURS.map((background) => sharp({ create: { width: 480, height: 320, channels: 3, background: { r: background[0], g: background[1], b: background[2] } } }).png().toBuffer())
    )
    const gif = join(folders.source, 'anim.gif')
    await sharp(frames, { join: { animated: true } }).gif({ delay: [100, 100, 100] }).toFile(gif)
    expect(await readBack(gif)).toMatchObject({ format: 'gif', pages: 3, width: 480, height: 320 })
    recorded = await run(
      folders,
      (['webp', 'same', 'png', 'avif'] as const).map((format) => spec({ resize: { kind: 'long', size: 240 }, format, folder: format }))
    )
  })
  afterAll(() => folders.cleanup())

  /** The colour at the centre of each frame of an animation. */
  async function frameColours(path: string): Promise<Rgb[]> {
    const { data, info } = await sharp(path, { animated: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    const pageHeight = (await sharp(path, { animated: true }).metadata()).pageHeight ?? info.height
    const pages = info.height / pageHeight
    return Array.from({ length: pages }, (_, page) => {
      const at = ((page * pageHeight + Math.floor(pageHeight / 2)) * info.width + Math.floor(info.width / 2)) * info.channels
      return [data[at]!, data[at + 1]!, data[at + 2]!] as const
    })
  }

  it.each([
    ['webp', 'webp/anim.webp'],
    ['gif (same)', 'same/anim.gif']
  ])('keeps every frame of an animated GIF made into %s', async (_label, path) => {
    const output = madeAt(recorded.events, 'anim.gif', path)
    expect(output).toMatchObject({ outcome: 'scaled', size: { width: 240, height: 160 } })
    expect(output.note).toBeUndefined()
    const file = await readBack(join(folders.target, path))
    expect(file).toMatchObject({ width: 240, height: 160, pages: 3 })
    const colours = await frameColours(join(folders.target, path))
    colours.forEach((colour, i) => expect(colourDistance(colour, COLOURS[i]!), `frame ${i}`).toBeLessThan(30))
  })

  it.each([
    ['png', 'png/anim.png'],
    ['avif', 'avif/anim.avif']
  ] as const)('keeps only the first frame when made into %s, and says so', async (format, path) => {
    const output = madeAt(recorded.events, 'anim.gif', path)
    expect(output).toMatchObject({ outcome: 'scaled', format, size: { width: 240, height: 160 } })
    expect(output.note).toMatch(/only the first of 3 frames/)
    const file = await readBack(join(folders.target, path))
    expect(file).toMatchObject({ format: READ_AS[format], width: 240, height: 160, pages: 1 })
    const [first] = await frameColours(join(folders.target, path))
    expect(colourDistance(first!, COLOURS[0]!), 'the first frame is red').toBeLessThan(30)
  })
})

describe('several outputs in one recipe', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
  })
  afterAll(() => folders.cleanup())

  it('makes three sizes of each source into three folders, counted as three units per file', async () => {
    await writeImage(folders.source, 'wide.jpg', { width: 1200, height: 800, seed: 1 })
    await writeImage(folders.source, 'trip/tall.jpg', { width: 800, height: 1200, seed: 2 })
    const sizes = [600, 300, 100]
    const { summary, events } = await run(
      folders,
      sizes.map((size) => spec({ resize: { kind: 'long', size }, folder: String(size) }))
    )
    expect(summary).toMatchObject({ files: 2, outputs: 3, todo: 6, counts: { copied: 0, scaled: 6, skipped: 0, failed: 0, canceled: 0 } })
    const expected: [string, string, Dimensions][] = [
      ['wide.jpg', '600/wide.jpg', { width: 600, height: 400 }],
      ['wide.jpg', '300/wide.jpg', { width: 300, height: 200 }],
      ['wide.jpg', '100/wide.jpg', { width: 100, height: 67 }],
      ['trip/tall.jpg', '600/trip/tall.jpg', { width: 400, height: 600 }],
      ['trip/tall.jpg', '300/trip/tall.jpg', { width: 200, height: 300 }],
      ['trip/tall.jpg', '100/trip/tall.jpg', { width: 67, height: 100 }]
    ]
    for (const [file, path, size] of expected) {
      expect(madeAt(events, file, path)).toMatchObject({ outcome: 'scaled', size })
      expect(await readBack(join(folders.target, path)), path).toMatchObject({ format: 'jpeg', ...size })
    }
    for (const file of ['wide.jpg', 'trip/tall.jpg']) {
      const result = resultFor(events, file)
      expect(result.outcome === 'done' && result.outputs.map((o) => o.output)).toEqual([0, 1, 2])
    }
    expect(await listOutputs(folders.target)).toEqual(expected.map(([, path]) => path).sort())
  })
})

describe('byte budget', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
  })
  afterAll(() => folders.cleanup())

  it('keeps every output of a detailed 1600×1200 photo within 20,000 bytes, naming the quality chosen', async () => {
    const BUDGET = 20_000
    await writeImage(folders.source, 'detail.jpg', { width: 1600, height: 1200 })
    const budgeted: [string, OutputSpec, number][] = [
      ['jpeg', spec({ resize: { kind: 'long', size: 800 }, format: 'jpeg', maxBytes: BUDGET, folder: 'jpeg' }), 90],
      ['webp', spec({ resize: { kind: 'long', size: 800 }, format: 'webp', quality: 95, maxBytes: BUDGET, folder: 'webp' }), 95],
      // Effort 0: AVIF's fastest encoder, as the search encodes several times.
      ['avif', spec({ resize: { kind: 'long', size: 800 }, format: 'avif', quality: 90, effort: 0, maxBytes: BUDGET, folder: 'avif' }), 90]
    ]
    const { summary, events } = await run(folders, [
      ...budgeted.map(([, output]) => output),
      // Full size cannot fit even at the quality floor: the picture is made smaller.
      spec({ resize: { kind: 'long', size: 1600 }, format: 'jpeg', maxBytes: BUDGET, folder: 'full' }),
      // Without a budget, the same output is well over it: the budget is what made them fit.
      spec({ resize: { kind: 'long', size: 800 }, format: 'jpeg', folder: 'free' })
    ])
    expect(summary.counts).toMatchObject({ scaled: 5, skipped: 0, failed: 0 })

    for (const [format, output, asked] of budgeted) {
      const path = `${format}/detail.${format === 'jpeg' ? 'jpg' : format}`
      const made = madeAt(events, 'detail.jpg', path)
      const file = await readBack(join(folders.target, path))
      expect(file, path).toMatchObject({ format: READ_AS[format as ImageFormat], width: 800, height: 600 })
      expect(file.bytes, path).toBeLessThanOrEqual(BUDGET)
      expect(made.bytes).toBe(file.bytes)
      const quality = Number(/quality (\d+)/.exec(made.note ?? '')?.[1])
      expect(quality, `${path}: ${made.note}`).toBeGreaterThanOrEqual(40)
      expect(quality, `${path}: ${made.note}`).toBeLessThan(asked)
      expect(output.maxBytes).toBe(BUDGET)
    }

    const full = madeAt(events, 'detail.jpg', 'full/detail.jpg')
    const fullFile = await readBack(join(folders.target, full.path))
    expect(fullFile.bytes).toBeLessThanOrEqual(BUDGET)
    expect(fullFile.width).toBeLessThan(1600)
    expect(full.size).toEqual({ width: fullFile.width, height: fullFile.height })
    expect(fullFile.width / fullFile.height).toBeCloseTo(4 / 3, 1)
    expect(full.note).toMatch(new RegExp(`made ${fullFile.width}×${fullFile.height} at quality \\d+`))

    expect(madeAt(events, 'detail.jpg', 'free/detail.jpg').bytes).toBeGreaterThan(BUDGET)
  })

  it('skips an output that cannot fit its budget (its kept XMP alone is bigger) as over-budget, writing nothing for it', async () => {
    const tight = await tempFolders()
    try {
      const packet = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>${'a long caption '.repeat(700)}</dc:description></rdf:Description></rdf:RDF></x:xmpmeta>`
      await syntheticPhoto({ width: 800, height: 600 }).withXmp(packet).jpeg().toFile(join(tight.source, 'caption.jpg'))
      const xmp = (await sharp(join(tight.source, 'caption.jpg')).metadata()).xmp
      expect(xmp?.length).toBeGreaterThan(4 * 2048)

      const { summary, events } = await run(tight, [
        spec({ resize: { kind: 'long', size: 200 }, maxBytes: 2048, metadata: 'keep', folder: 'keep' }),
        // The same budget without the metadata fits: it is the XMP that cannot.
        spec({ resize: { kind: 'long', size: 200 }, maxBytes: 2048, metadata: 'strip', folder: 'strip' })
      ])
      const result = resultFor(events, 'caption.jpg')
      expect(result.outcome).toBe('done')
      const [kept, stripped] = result.outcome === 'done' ? result.outputs : []
      expect(kept).toMatchObject({ output: 0, path: 'keep/caption.jpg', outcome: 'skipped', reason: 'over-budget' })
      expect(kept?.outcome === 'skipped' && kept.message).toMatch(/cannot fit/)
      expect(summary.skippedBy).toEqual({ 'over-budget': 1 })
      expect(stripped).toMatchObject({ output: 1, path: 'strip/caption.jpg', outcome: 'scaled' })
      expect((await readBack(join(tight.target, 'strip/caption.jpg'))).bytes).toBeLessThanOrEqual(2048)
      expect(await listOutputs(tight.target)).toEqual(['strip/caption.jpg'])
    } finally {
      await tight.cleanup()
    }
  })
})

describe('output names', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
  })
  afterAll(() => folders.cleanup())

  it("fills a name template: '{name}-{width}.{format}' gives photo-200.webp", async () => {
    await writeImage(folders.source, 'photo.jpg', { width: 1200, height: 800 })
    const { events } = await run(folders, [
      spec({ resize: { kind: 'long', size: 200 }, format: 'webp', name: '{name}-{width}.{format}' }),
      spec({ resize: { kind: 'box', width: 300, height: 300 }, format: 'jpeg', name: 'small/{name}-{width}x{height}-{size}.{ext}' })
    ])
    expect(madeAt(events, 'photo.jpg', 'photo-200.webp')).toMatchObject({ format: 'webp', size: { width: 200, height: 133 } })
    expect(await readBack(join(folders.target, 'photo-200.webp'))).toMatchObject({ format: 'webp', width: 200, height: 133 })
    expect(madeAt(events, 'photo.jpg', 'small/photo-300x200-300x300.jpg')).toMatchObject({ format: 'jpeg', size: { width: 300, height: 200 } })
    expect(await listOutputs(folders.target)).toEqual(['photo-200.webp', 'small/photo-300x200-300x300.jpg'])
  })

  it("gives x.png and x.jpg, both made into WebP, the names x.webp and 'x (1).webp', two distinct files", async () => {
    const clash = await tempFolders()
    try {
      await writeImage(clash.source, 'x.jpg', { width: 600, height: 400, seed: 11 })
      await writeImage(clash.source, 'x.png', { width: 600, height: 400, seed: 12, format: 'png' })
      const { events } = await run(clash, [spec({ resize: { kind: 'long', size: 200 }, format: 'webp' })])
      const outputs = outputsOf(events)
      expect(outputs.map((o) => o.path).sort()).toEqual(['x (1).webp', 'x.webp'])
      const first = outputs.find((o) => o.path === 'x.webp')!
      const second = outputs.find((o) => o.path === 'x (1).webp')!
      expect(first.renamed).toBeUndefined()
      expect(second.renamed).toEqual({ from: 'x.webp', because: 'batch' })
      expect(new Set([first.file, second.file])).toEqual(new Set(['x.jpg', 'x.png']))
      expect(await listOutputs(clash.target)).toEqual(['x (1).webp', 'x.webp'])
      // Each file holds its own source's picture: neither was written over the other.
      for (const output of [first, second]) {
        const other = output.file === 'x.jpg' ? 'x.png' : 'x.jpg'
        const made = await meanColour(join(clash.target, output.path))
        const own = colourDistance(made, await meanColour(join(clash.source, output.file)))
        expect(own).toBeLessThan(6)
        expect(own).toBeLessThan(colourDistance(made, await meanColour(join(clash.source, other))))
        expect(await readBack(join(clash.target, output.path))).toMatchObject({ format: 'webp', width: 200, height: 133 })
      }
      const [a, b] = await Promise.all([first, second].map((o) => readFile(join(clash.target, o.path))))
      expect(a!.equals(b!)).toBe(false)

      // Run again: each finds its own name done, and no third name appears.
      const again = await run(clash, [spec({ resize: { kind: 'long', size: 200 }, format: 'webp' })])
      expect(again.summary.skippedBy).toEqual({ 'already-done': 2 })
      expect(outputsOf(again.events).map((o) => [o.file, o.path]).sort()).toEqual([first, second].map((o) => [o.file, o.path]).sort())
      expect(await listOutputs(clash.target)).toEqual(['x (1).webp', 'x.webp'])
    } finally {
      await clash.cleanup()
    }
  })
})

describe('keep dates', () => {
  /** 2020-09-13 12:26:40.123456 UTC: long ago, and with a fraction of a millisecond. */
  const SOURCE_TIME = 1_600_000_000.123456
  const outputs = [spec({ resize: { kind: 'long', size: 2000 }, folder: 'copy' }), spec({ resize: { kind: 'long', size: 300 }, format: 'webp', folder: 'scaled' })]
  const PATHS = ['copy/photo.jpg', 'scaled/photo.webp']

  async function prepared(): Promise<{ folders: TempFolders; sourceNs: bigint }> {
    const folders = await tempFolders()
    const path = await writeImage(folders.source, 'photo.jpg', { width: 1200, height: 800 })
    await utimes(path, SOURCE_TIME, SOURCE_TIME)
    return { folders, sourceNs: (await stat(path, { bigint: true })).mtimeNs }
  }

  it("gives every output, copied or scaled, the source's modification time to the millisecond or better", async () => {
    const { folders, sourceNs } = await prepared()
    try {
      const { events } = await run(folders, outputs, { keepDates: true })
      expect(madeAt(events, 'photo.jpg', PATHS[0]!).outcome).toBe('copied')
      expect(madeAt(events, 'photo.jpg', PATHS[1]!).outcome).toBe('scaled')
      for (const path of PATHS) {
        const outNs = (await stat(join(folders.target, path), { bigint: true })).mtimeNs
        const apart = outNs > sourceNs ? outNs - sourceNs : sourceNs - outNs
        expect(apart, `${path}: ${outNs} vs the source's ${sourceNs}`).toBeLessThan(1_000_000n)
      }
    } finally {
      await folders.cleanup()
    }
  })

  it('without keepDates, gives outputs the time they were written', async () => {
    const { folders } = await prepared()
    try {
      // File system clocks may lag the wall clock by a tick: a second of slack, not a timing.
      const before = Date.now() - 1000
      await run(folders, outputs, { keepDates: false })
      for (const path of PATHS) expect((await stat(join(folders.target, path))).mtimeMs, path).toBeGreaterThanOrEqual(before)
    } finally {
      await folders.cleanup()
    }
  })
})

describe('resume after a changed recipe', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
  })
  afterAll(() => folders.cleanup())

  it('re-makes every output when the quality changes, then finds them all already done', async () => {
    await writeImage(folders.source, 'a.jpg', { width: 1200, height: 800, seed: 1 })
    await writeImage(folders.source, 'trip/b.jpg', { width: 800, height: 1200, seed: 2 })
    const recipe = (quality: number): OutputSpec[] => [
      spec({ resize: { kind: 'long', size: 400 }, format: 'jpeg', quality, folder: 'jpeg' }),
      spec({ resize: { kind: 'long', size: 400 }, format: 'webp', quality, folder: 'webp' })
    ]
    const PATHS = ['jpeg/a.jpg', 'jpeg/trip/b.jpg', 'webp/a.webp', 'webp/trip/b.webp']
    const bytesOf = (events: BatchEvent[]): Map<string, number> =>
      new Map(outputsOf(events).flatMap((o) => (o.outcome === 'scaled' || o.outcome === 'copied' ? [[o.path, o.bytes] as const] : [])))

    const first = await run(folders, recipe(50))
    expect(first.summary.counts).toMatchObject({ scaled: 4, skipped: 0 })
    expect(first.summary.remade).toBe(0)
    const at50 = bytesOf(first.events)
    expect([...at50.keys()].sort()).toEqual(PATHS)

    const second = await run(folders, recipe(80))
    expect(second.summary.counts).toMatchObject({ scaled: 4, skipped: 0, failed: 0 })
    expect(second.summary.remade).toBe(4)
    const at80 = bytesOf(second.events)
    for (const output of outputsOf(second.events)) expect(output, output.path).toMatchObject({ outcome: 'scaled', replaced: 'stale' })
    for (const path of PATHS) {
      expect(at80.get(path), path).toBeGreaterThan(at50.get(path)!)
      expect((await readBack(join(folders.target, path))).bytes, path).toBe(at80.get(path))
    }
    // Re-made in place: no renamed copies beside them.
    expect(await listOutputs(folders.target)).toEqual(PATHS)
    // keepDates gives every version the source's time: the inode and its change time tell a rewrite.
    const identity = async (): Promise<string[]> =>
      Promise.all(PATHS.map(async (path) => {
        const stats = await stat(join(folders.target, path), { bigint: true })
        return `${stats.ino}:${stats.ctimeNs}`
      }))
    const stamps = await identity()

    const third = await run(folders, recipe(80))
    expect(third.summary.counts).toMatchObject({ copied: 0, scaled: 0, skipped: 4 })
    expect(third.summary.skippedBy).toEqual({ 'already-done': 4 })
    expect(third.summary.remade).toBe(0)
    for (const output of outputsOf(third.events)) expect(output).toMatchObject({ outcome: 'skipped', reason: 'already-done' })
    for (const file of ['a.jpg', 'trip/b.jpg']) expect(resultFor(third.events, file).bytesIn, `${file} is not read again`).toBe(0)
    expect(await identity(), 'nothing was written again').toEqual(stamps)
    expect(await listOutputs(folders.target)).toEqual(PATHS)
  })
})

describe('resume with a recipe whose two outputs have the same settings', () => {
  // Two identical outputs (a row duplicated in a preset, or one that `--size` made identical)
  // are two files: the second is named 'photo (1).jpg'. Each must be tracked as itself.
  const twins = [spec({ resize: { kind: 'long', size: 200 } }), spec({ resize: { kind: 'long', size: 200 } })]
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'photo.jpg', { width: 1200, height: 800 })
    const first = await run(folders, twins)
    expect(outputsOf(first.events).map((o) => [o.path, o.outcome, o.renamed])).toEqual([
      ['photo.jpg', 'scaled', undefined],
      ['photo (1).jpg', 'scaled', { from: 'photo.jpg', because: 'batch' }]
    ])
  })
  afterAll(() => folders.cleanup())

  const again = (): Promise<Recorded> => runRecorded(folders.source, folders.target, { recipe: { outputs: twins }, keepDates: true, existing: 'rename', workers: 2 })

  it('reports each twin as already done under its own name on the next run', async () => {
    const { summary, events } = await again()
    expect(summary.skippedBy).toEqual({ 'already-done': 2 })
    expect(outputsOf(events).map((o) => [o.output, o.path])).toEqual([
      [0, 'photo.jpg'],
      [1, 'photo (1).jpg']
    ])
  })

  it("re-makes the second twin, 'photo (1).jpg', when it was deleted", async () => {
    await unlink(join(folders.target, 'photo (1).jpg'))
    const { summary, events } = await again()
    expect(outputsOf(events).map((o) => [o.output, o.path, o.outcome])).toEqual([
      [0, 'photo.jpg', 'skipped'],
      [1, 'photo (1).jpg', 'scaled']
    ])
    expect(summary.counts).toMatchObject({ scaled: 1, skipped: 1 })
    expect(existsSync(join(folders.target, 'photo (1).jpg')), "'photo (1).jpg' is back").toBe(true)
    expect(await listOutputs(folders.target)).toEqual(['photo (1).jpg', 'photo.jpg'])
  })
})

describe('sharpening', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    // Edges a downscale softens: thin lines and rings, as in branches, text or fabric.
    const lines = Array.from({ length: 60 }, (_, i) => `<line x1="${i * 27}" y1="0" x2="${1600 - i * 13}" y2="1200" stroke="#222" stroke-width="3"/>`).join('')
    const rings = Array.from({ length: 20 }, (_, i) => `<circle cx="800" cy="600" r="${20 + i * 28}" fill="none" stroke="#d33" stroke-width="4"/>`).join('')
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1200"><rect width="1600" height="1200" fill="#eed"/>${lines}${rings}</svg>`
    await sharp(Buffer.from(svg)).jpeg({ quality: 95 }).toFile(join(folders.source, 'photo.jpg'))
    await writeImage(folders.source, 'small.jpg', { width: 300, height: 200 })
  })
  afterAll(() => folders?.cleanup())

  /** Edge contrast: the spread of a Laplacian of the lightness. */
  const edgeContrast = async (path: string): Promise<number> =>
    (await sharp(path).greyscale().convolve({ width: 3, height: 3, kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0], offset: 128 }).stats()).channels[0]!.stdev

  it('raises the edge contrast of what was made smaller, leaves the picture recognisably itself, and never touches a copy', async () => {
    const lossless = { resize: { kind: 'long', size: 400 }, format: 'png' } as const
    const { events } = await run(folders, [spec({ ...lossless, folder: 'plain' }), spec({ ...lossless, folder: 'sharp', sharpen: true })])
    const plain = join(folders.target, 'plain/photo.png')
    const sharpened = join(folders.target, 'sharp/photo.png')
    expect(await edgeContrast(sharpened)).toBeGreaterThan((await edgeContrast(plain)) * 1.05)
    // Mild: the picture stays close to the plain downscale (PSNR over 24 dB even on line work,
    // where every other pixel is an edge; photos stay above 40 dB, see the README).
    const [a, b] = await Promise.all([sharp(sharpened).raw().toBuffer(), sharp(plain).raw().toBuffer()])
    let squares = 0
    for (let i = 0; i < a.length; i += 1) squares += (a[i]! - b[i]!) ** 2
    expect(10 * Math.log10((255 * 255) / (squares / a.length))).toBeGreaterThan(24)
    // small.jpg fits 400: nothing is made smaller, so --sharpen has nothing to do...
    const small = outputsOf(events).filter((output) => output.file === 'small.jpg')
    expect(small.map((output) => output.outcome)).toEqual(['scaled', 'scaled'])
    expect(await readFile(join(folders.target, 'sharp/small.png'))).toEqual(await readFile(join(folders.target, 'plain/small.png')))
  })
})
