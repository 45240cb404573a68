import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileResult } from '../../src/shared/batch'
import type { Mode } from '../../src/shared/recipe'
import { tempFolders, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import {
  BLUE,
  GREEN,
  RED,
  WHITE,
  colourDistance,
  decodeStrict,
  expectBalanced,
  pixel,
  quadrants,
  unitFor,
  storedFor,
  writeRawJpeg,
  type RawImage,
  type Rgb
} from './fixtures'

/**
 * A camera stores pixels as the sensor saw them and an EXIF tag says how to turn them.
 * Every orientation below is written so a viewer shows the same upright picture: red top left,
 * green top right, blue bottom left, white bottom right, wider than tall.
 */
const ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8]
const UPRIGHT = quadrants(600, 400)
const SIZE = 300

/** Colour near a corner, a little inside so edge blending does not count. */
const corner = (image: RawImage, right: boolean, bottom: boolean): Rgb => {
  const x = right ? image.width - 1 - Math.floor(image.width / 10) : Math.floor(image.width / 10)
  const y = bottom ? image.height - 1 - Math.floor(image.height / 10) : Math.floor(image.height / 10)
  return pixel(image, x, y)
}

const expectUpright = (image: RawImage): void => {
  expect(colourDistance(corner(image, false, false), RED)).toBeLessThan(40)
  expect(colourDistance(corner(image, true, false), GREEN)).toBeLessThan(40)
  expect(colourDistance(corner(image, false, true), BLUE)).toBeLessThan(40)
  expect(colourDistance(corner(image, true, true), WHITE)).toBeLessThan(40)
}

describe.each<Mode>(['smooth', 'stride'])('EXIF orientations 1–8 come out upright (%s)', (mode) => {
  let folders: TempFolders
  let results: FileResult[]

  beforeAll(async () => {
    folders = await tempFolders()
    for (const o of ORIENTATIONS) {
      await writeRawJpeg(join(folders.source, `o${o}.jpg`), storedFor(UPRIGHT, o), o)
      // Small enough to copy: the file keeps its tag and so still shows upright.
      await writeRawJpeg(join(folders.source, `small-o${o}.jpg`), storedFor(quadrants(240, 160), o), o)
    }
    const { summary, events } = await runRecorded(folders.source, folders.target, { size: SIZE, mode, workers: 2 })
    results = expectBalanced(summary, events)
    expect(summary).toMatchObject({ todo: 16, counts: { scaled: 8, copied: 8, skipped: 0, failed: 0, canceled: 0 } })
  })
  afterAll(() => folders.cleanup())

  it.each(ORIENTATIONS)('the test input for orientation %i is really stored turned (sanity)', async (o) => {
    const stored = await decodeStrict(join(folders.source, `o${o}.jpg`))
    expect(stored.width).toBe(o >= 5 ? 400 : 600)
    if (o !== 1) {
      // Read without applying the tag, the stored pixels are not the upright picture.
      expect(colourDistance(corner(stored, false, false), RED) > 40 || stored.width !== 600).toBe(true)
    }
    const upright = await sharp(join(folders.source, `o${o}.jpg`)).autoOrient().raw().toBuffer({ resolveWithObject: true })
    expectUpright({ width: upright.info.width, height: upright.info.height, data: upright.data })
  })

  it.each(ORIENTATIONS)('orientation %i: scaled output is upright, landscape, with no rotation tag', async (o) => {
    const unit = unitFor(results, `o${o}.jpg`)
    expect(unit.outcome).toBe('scaled')
    expect(unit.info?.shown).toEqual({ width: 600, height: 400 })
    expect(unit.size).toEqual({ width: 300, height: 200 })
    const path = join(folders.target, `o${o}.jpg`)
    const meta = await sharp(path).metadata()
    expect([undefined, 1]).toContain(meta.orientation)
    const out = await decodeStrict(path)
    expect({ width: out.width, height: out.height }).toEqual({ width: 300, height: 200 })
    expectUpright(out)
  })

  it.each(ORIENTATIONS)('orientation %i: a copied output keeps its tag and shows upright', async (o) => {
    expect(unitFor(results, `small-o${o}.jpg`)).toMatchObject({ outcome: 'copied', info: { shown: { width: 240, height: 160 } }, size: { width: 240, height: 160 } })
    const path = join(folders.target, `small-o${o}.jpg`)
    expect((await sharp(path).metadata()).orientation).toBe(o)
    const { data, info } = await sharp(path).autoOrient().raw().toBuffer({ resolveWithObject: true })
    expectUpright({ width: info.width, height: info.height, data })
  })
})
