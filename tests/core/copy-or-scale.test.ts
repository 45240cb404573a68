import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileResult } from '../../src/shared/batch'
import { dimensionsOf, tempFolders, writeImage, type ImageSpec, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectBalanced, listOutputs, resultFor, unitFor } from './fixtures'

const SIZE = 400

/** Name → how it is stored, what a viewer shows, and what must come out (as displayed). */
const CASES: Record<string, { spec: ImageSpec; shown: [number, number]; action: 'copied' | 'scaled'; out: [number, number] }> = {
  'exact-landscape.jpg': { spec: { width: 400, height: 300 }, shown: [400, 300], action: 'copied', out: [400, 300] },
  'exact-portrait.png': { spec: { width: 300, height: 400, format: 'png' }, shown: [300, 400], action: 'copied', out: [300, 400] },
  'exact-square.webp': { spec: { width: 400, height: 400, format: 'webp' }, shown: [400, 400], action: 'copied', out: [400, 400] },
  'small.jpg': { spec: { width: 120, height: 80 }, shown: [120, 80], action: 'copied', out: [120, 80] },
  'one-over-landscape.jpg': { spec: { width: 401, height: 300 }, shown: [401, 300], action: 'scaled', out: [400, 299] },
  'one-over-portrait.png': { spec: { width: 300, height: 401, format: 'png' }, shown: [300, 401], action: 'scaled', out: [299, 400] },
  // Stored portrait, shown landscape: the displayed size decides the output's shape.
  'rotated-over.jpg': { spec: { width: 300, height: 500, orientation: 6 }, shown: [500, 300], action: 'scaled', out: [400, 240] },
  'rotated-fits.jpg': { spec: { width: 400, height: 300, orientation: 8 }, shown: [300, 400], action: 'copied', out: [300, 400] },
  'landscape.jpg': { spec: { width: 1200, height: 800 }, shown: [1200, 800], action: 'scaled', out: [400, 267] },
  'portrait.jpg': { spec: { width: 800, height: 1200 }, shown: [800, 1200], action: 'scaled', out: [267, 400] },
  'square.jpg': { spec: { width: 900, height: 900 }, shown: [900, 900], action: 'scaled', out: [400, 400] },
  'wide.png': { spec: { width: 1000, height: 333, format: 'png' }, shown: [1000, 333], action: 'scaled', out: [400, 133] }
}

describe('copy or scale (smooth, size 400)', () => {
  let folders: TempFolders
  let results: FileResult[]

  beforeAll(async () => {
    folders = await tempFolders()
    let seed = 1
    for (const [name, { spec }] of Object.entries(CASES)) await writeImage(folders.source, name, { ...spec, seed: seed++ })
    const { summary, events } = await runRecorded(folders.source, folders.target, { size: SIZE, mode: 'smooth', workers: 2 })
    results = expectBalanced(summary, events)
    expect(summary).toMatchObject({ files: 12, todo: 12, counts: { copied: 5, scaled: 7, skipped: 0, failed: 0, canceled: 0 }, canceled: false })
  })
  afterAll(() => folders.cleanup())

  it.each(Object.entries(CASES).filter(([, c]) => c.action === 'copied'))('copies %s byte for byte', async (name, expected) => {
    const unit = unitFor(results, name)
    expect(unit.outcome).toBe('copied')
    expect(unit.path).toBe(name)
    expect(unit.info?.shown).toEqual({ width: expected.shown[0], height: expected.shown[1] })
    expect(unit.size).toEqual({ width: expected.out[0], height: expected.out[1] })
    const original = await readFile(join(folders.source, name))
    const copy = await readFile(join(folders.target, name))
    expect(copy.equals(original)).toBe(true)
    expect(unit.bytesIn).toBe(original.length)
    expect(unit.bytes).toBe(original.length)
  })

  it('keeps the EXIF orientation of a copied image, so it still displays upright', async () => {
    const meta = await sharp(join(folders.target, 'rotated-fits.jpg')).metadata()
    expect(meta.orientation).toBe(8)
    expect(meta.autoOrient).toEqual({ width: 300, height: 400 })
  })

  it.each(Object.entries(CASES).filter(([, c]) => c.action === 'scaled'))('scales %s proportionally to the box', async (name, expected) => {
    const unit = unitFor(results, name)
    expect(unit.outcome).toBe('scaled')
    expect(unit.path).toBe(name)
    expect(unit.info?.shown).toEqual({ width: expected.shown[0], height: expected.shown[1] })
    const out = await dimensionsOf(join(folders.target, name))
    // The longest side is exactly the size; the other keeps the aspect ratio within rounding.
    expect(Math.max(out.width, out.height)).toBe(SIZE)
    expect(Math.abs(out.width - expected.out[0])).toBeLessThanOrEqual(1)
    expect(Math.abs(out.height - expected.out[1])).toBeLessThanOrEqual(1)
    expect(unit.size).toEqual({ width: out.width, height: out.height })
    expect(out.width / out.height).toBeCloseTo(expected.shown[0] / expected.shown[1], 1)
    expect(out.format).toBe(name.endsWith('.png') ? 'png' : 'jpeg')
    expect(unit.format).toBe(out.format)
    expect(unit.bytes).toBe((await stat(join(folders.target, name))).size)
    expect(unit.bytesIn).toBe((await stat(join(folders.source, name))).size)
  })

  it('scales the same picture, not just the right size: colours match the source within tolerance', async () => {
    for (const name of ['landscape.jpg', 'portrait.jpg', 'wide.png']) {
      const before = await sharp(join(folders.source, name)).stats()
      const after = await sharp(join(folders.target, name)).stats()
      for (let c = 0; c < 3; c += 1) expect(Math.abs(after.channels[c]!.mean - before.channels[c]!.mean)).toBeLessThan(3)
    }
  })

  it('writes a scaled oriented image upright with no rotation left to apply', async () => {
    const meta = await sharp(join(folders.target, 'rotated-over.jpg')).metadata()
    expect([undefined, 1]).toContain(meta.orientation)
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 400, height: 240 })
  })

  it('writes exactly one output per source, under the same name, and nothing else but the journal', async () => {
    expect(await listOutputs(folders.target)).toEqual(Object.keys(CASES).sort())
  })

  it('records time spent for a scaled file', () => {
    const result = resultFor(results, 'landscape.jpg')
    expect(result.times.read + result.times.scale + result.times.write).toBeGreaterThan(0)
    expect(result.times.scale).toBeGreaterThan(0)
  })
})
