import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fitsRule, outputSize, strideOf } from '../../src/shared/geometry'
import type { Dimensions, FileResult } from '../../src/shared/batch'
import type { ResizeRule } from '../../src/shared/recipe'
import { dimensionsOf, tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectBalanced, unitFor } from './fixtures'

/** The book's formula, written out again here so the engine's copy is checked, not trusted. */
const long = (size: number): ResizeRule => ({ kind: 'long', size })
const strideDimensions = (shown: Dimensions, size: number): Dimensions => outputSize(long(size), 'stride', shown)

const bookStride = (w: number, h: number, size: number): { stride: number; width: number; height: number } => {
  const stride = Math.ceil(Math.max(w / size, h / size))
  return { stride, width: Math.ceil(w / stride), height: Math.ceil(h / stride) }
}

describe('geometry', () => {
  it.each([
    [1200, 800, 400, 3, 400, 267],
    [1000, 700, 400, 3, 334, 234],
    [401, 401, 400, 2, 201, 201],
    [10000, 10, 400, 25, 400, 1],
    [1, 5000, 400, 13, 1, 385],
    [1, 1, 1, 1, 1, 1],
    [65535, 1, 1, 65535, 1, 1]
  ])('%i×%i at size %i: stride %i → %i×%i', (width, height, size, stride, outWidth, outHeight) => {
    expect(strideOf(long(size), { width, height })).toBe(stride)
    expect(strideDimensions({ width, height }, size)).toEqual({ width: outWidth, height: outHeight })
  })

  it('never produces an empty or oversized output over many shapes', () => {
    for (const [w, h, size] of [[7, 9999, 3], [9999, 7, 3], [3001, 2, 1000], [2, 3001, 1000], [5, 5, 4], [17, 1, 16]] as const) {
      const out = strideDimensions({ width: w, height: h }, size)
      expect(out.width).toBeGreaterThanOrEqual(1)
      expect(out.height).toBeGreaterThanOrEqual(1)
      expect(Math.max(out.width, out.height)).toBeLessThanOrEqual(size)
      expect(out).toEqual({ width: bookStride(w, h, size).width, height: bookStride(w, h, size).height })
    }
  })

  it('fits an image within the square box by its longest side', () => {
    expect(fitsRule(long(400), { width: 400, height: 400 })).toBe(true)
    expect(fitsRule(long(400), { width: 400, height: 1 })).toBe(true)
    expect(fitsRule(long(400), { width: 401, height: 1 })).toBe(false)
    expect(fitsRule(long(400), { width: 1, height: 401 })).toBe(false)
  })

  it('never enlarges: an image that fits keeps its own size in either mode', () => {
    for (const mode of ['smooth', 'stride'] as const) {
      expect(outputSize(long(400), mode, { width: 120, height: 80 })).toEqual({ width: 120, height: 80 })
      expect(outputSize(long(400), mode, { width: 400, height: 300 })).toEqual({ width: 400, height: 300 })
    }
  })
})

/** A lossless picture whose red and green channels spell each pixel's position along one axis. */
async function writeCoded(path: string, width: number, height: number): Promise<void> {
  const data = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const along = width > height ? x : y
      data.set([along & 0xff, along >> 8, 128], (y * width + x) * 3)
    }
  }
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(path)
}

async function writeCheckerboard(path: string, width: number, height: number): Promise<void> {
  const data = Buffer.alloc(width * height)
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) data[y * width + x] = (x + y) % 2 === 0 ? 0 : 255
  await sharp(data, { raw: { width, height, channels: 1 } }).png().toFile(path)
}

describe('stride mode through the pool (size 400)', () => {
  const SIZE = 400
  let folders: TempFolders
  let results: FileResult[]
  const ordinary: [string, number, number][] = [
    ['landscape.jpg', 1200, 800],
    ['portrait.jpg', 700, 1000],
    ['square.png', 401, 401],
    ['large.jpg', 2400, 1600]
  ]

  beforeAll(async () => {
    folders = await tempFolders()
    let seed = 1
    for (const [name, width, height] of ordinary) {
      await writeImage(folders.source, name, { width, height, format: name.endsWith('.png') ? 'png' : 'jpeg', seed: seed++ })
    }
    await writeCoded(join(folders.source, 'panorama.png'), 10000, 10)
    await writeCoded(join(folders.source, 'strip.png'), 1, 5000)
    await writeCheckerboard(join(folders.source, 'checker.png'), 1200, 900)
    await writeImage(folders.source, 'fits.jpg', { width: 400, height: 100 })
    const frames = await Promise.all(
      ['#d02020', '#20a020', '#2020d0'].map((background) => sharp({ create: { width: 900, height: 600, channels: 3, background } }).png().toBuffer())
    )
    await sharp(frames, { join: { animated: true } }).gif({ delay: [100, 100, 100] }).toFile(join(folders.source, 'anim.gif'))
    const { summary, events } = await runRecorded(folders.source, folders.target, { size: SIZE, mode: 'stride', workers: 2 })
    results = expectBalanced(summary, events)
    expect(summary).toMatchObject({ todo: 9, counts: { scaled: 8, copied: 1, skipped: 0, failed: 0, canceled: 0 } })
  })
  afterAll(() => folders.cleanup())

  it.each([
    ...ordinary,
    ['panorama.png', 10000, 10],
    ['strip.png', 1, 5000],
    ['checker.png', 1200, 900]
  ] as [string, number, number][])('%s (%i×%i) comes out at ceil(w/stride)×ceil(h/stride)', async (name, width, height) => {
    const expected = bookStride(width, height, SIZE)
    const unit = unitFor(results, name)
    expect(unit.outcome).toBe('scaled')
    const out = await dimensionsOf(join(folders.target, name))
    expect({ width: out.width, height: out.height }).toEqual({ width: expected.width, height: expected.height })
    expect(unit.size).toEqual({ width: expected.width, height: expected.height })
    expect(out.format).toBe(name.endsWith('.png') ? 'png' : 'jpeg')
  })

  it('copies an image that already fits, as in smooth mode', () => {
    expect(unitFor(results, 'fits.jpg')).toMatchObject({ outcome: 'copied', size: { width: 400, height: 100 } })
  })

  it('subsamples every frame of an animation alike', async () => {
    expect(unitFor(results, 'anim.gif')).toMatchObject({ outcome: 'scaled', info: { shown: { width: 900, height: 600 }, frames: 3 }, size: { width: 300, height: 200 } })
    const meta = await sharp(join(folders.target, 'anim.gif'), { animated: true }).metadata()
    expect({ width: meta.width, pageHeight: meta.pageHeight, pages: meta.pages }).toEqual({ width: 300, pageHeight: 200, pages: 3 })
  })

  it('subsamples without blending: a 1-pixel checkerboard stays pure black and white', async () => {
    const { data } = await sharp(join(folders.target, 'checker.png')).extractChannel(0).raw().toBuffer({ resolveWithObject: true })
    const values = new Set(data)
    expect([...values].sort((a, b) => a - b)).toEqual([0, 255])
  })

  it.each([
    ['panorama.png', 25, 400],
    ['strip.png', 13, 385]
  ] as [string, number, number][])('%s keeps every stride-th pixel along its length (stride %i)', async (name, stride, length) => {
    const { data, info } = await sharp(join(folders.target, name)).raw().toBuffer({ resolveWithObject: true })
    expect(info.width * info.height).toBe(length)
    let previous = -1
    for (let i = 0; i < length; i += 1) {
      const at = i * info.channels
      const source = data[at]! + (data[at + 1]! << 8)
      // Each output pixel is a real source pixel from its own stride block (or the one before).
      expect(Math.abs(source - i * stride)).toBeLessThan(stride)
      expect(source).toBeGreaterThan(previous)
      expect(data[at + 2]).toBe(128)
      previous = source
    }
  })
})
