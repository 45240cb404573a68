import { randomBytes } from 'node:crypto'
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileResult, Summary } from '../../src/shared/batch'
import type { SkipReason } from '../../src/shared/reasons'
import { dimensionsOf, tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { JOURNAL, colourDistance, decodeStrict, expectBalanced, listFiles, listOutputs, pixel, resultFor, unitFor, writePngBomb } from './fixtures'

const HEIC_HEAD = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypheic', 'latin1'),
  Buffer.from([0, 0, 0, 0]),
  Buffer.from('mif1heic', 'latin1'),
  randomBytes(200)
])

/** Each bad file, the reason it must be skipped with, and a word its message must contain. */
const BAD: Record<string, { reason: SkipReason; mentions?: RegExp }> = {
  'corrupt.jpg': { reason: 'corrupt' },
  'truncated.jpg': { reason: 'corrupt' },
  'notes.txt': { reason: 'not-an-image' },
  'text-named-as-photo.jpg': { reason: 'not-an-image' },
  'empty.jpg': { reason: 'not-an-image' },
  'old.bmp': { reason: 'unsupported-format', mentions: /BMP/ },
  'drawing.svg': { reason: 'unsupported-format', mentions: /SVG/ },
  // A HEIC is read (through libheif-js); this one is a header and noise.
  'phone.heic': { reason: 'corrupt', mentions: /HEIC/ },
  'bomb.png': { reason: 'too-large', mentions: /30000×30000/ },
  // A link to nothing is named as what it is, not mistaken for a damaged picture.
  'dangling.jpg': { reason: 'unreadable', mentions: /broken link/ },
  // Several at once: libvips' error text is shared by all threads, so only a per-image verdict holds.
  ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`more-truncated/${i}.jpg`, { reason: 'corrupt' as const }]))
}

describe('bad input is skipped with the right reason while the batch goes on', () => {
  let folders: TempFolders
  let results: FileResult[]
  let summary: Summary

  beforeAll(async () => {
    folders = await tempFolders()
    const { source } = folders
    await writeImage(source, 'good-1.jpg', { width: 800, height: 600, seed: 1 })
    await writeImage(source, 'good-2.png', { width: 200, height: 150, format: 'png', seed: 2 })
    await writeImage(source, 'sub/good-3.webp', { width: 640, height: 480, format: 'webp', seed: 3 })
    // A JPEG signature, then noise: recognised as JPEG, unreadable as one.
    await writeFile(join(source, 'corrupt.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4000)]))
    // The first third of a real, large JPEG: the header is fine, the pixels stop early.
    const big = await writeImage(folders.root, 'big.jpg', { width: 2000, height: 1500, seed: 4 })
    const bigBytes = await readFile(big)
    await writeFile(join(source, 'truncated.jpg'), bigBytes.subarray(0, Math.floor(bigBytes.length / 3)))
    await mkdir(join(source, 'more-truncated'))
    for (let i = 0; i < 16; i += 1) {
      await writeFile(join(source, `more-truncated/${i}.jpg`), bigBytes.subarray(0, Math.floor(bigBytes.length / (2 + i / 8))))
    }
    // Stray bytes between two markers: a warning real camera files carry, not a broken picture.
    const plain = await readFile(await writeImage(folders.root, 'plain.jpg', { width: 900, height: 600, seed: 5 }))
    const marker = plain.indexOf(Buffer.from([0xff, 0xc4]))
    await writeFile(join(source, 'camera-warning.jpg'), Buffer.concat([plain.subarray(0, marker), Buffer.from([1, 2, 3, 4, 5]), plain.subarray(marker)]))
    await writeFile(join(source, 'notes.txt'), 'shopping: film, batteries, lens cloth\n')
    await writeFile(join(source, 'text-named-as-photo.jpg'), 'this is not a photo at all\n'.repeat(20))
    await writeFile(join(source, 'empty.jpg'), '')
    await writeFile(join(source, 'old.bmp'), Buffer.concat([Buffer.from('BM', 'latin1'), randomBytes(100)]))
    await writeFile(join(source, 'drawing.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="4000"><rect width="4000" height="4000"/></svg>')
    await writeFile(join(source, 'phone.heic'), HEIC_HEAD)
    await writePngBomb(join(source, 'bomb.png'), 30_000, 30_000)
    await symlink(join(source, 'gone.jpg'), join(source, 'dangling.jpg'))

    const run = await runRecorded(folders.source, folders.target, { size: 400, workers: 2 })
    summary = run.summary
    results = expectBalanced(summary, run.events)
  })
  afterAll(() => folders.cleanup())

  it.each(Object.entries(BAD))('skips %s', (name, { reason, mentions }) => {
    const unit = unitFor(results, name)
    expect(unit.outcome).toBe('skipped')
    expect(unit.reason).toBe(reason)
    expect(unit.message).toBeTruthy()
    if (mentions) expect(unit.message).toMatch(mentions)
  })

  it('reports the format of recognised but broken files', () => {
    // The header cannot be read at all: the message still says what the file claims to be.
    expect(resultFor(results, 'corrupt.jpg')).toMatchObject({ outcome: 'skipped', reason: 'corrupt', message: expect.stringMatching(/JPEG/) })
    // The header is fine and the pixels stop early: the file is known, its one output skipped.
    expect(unitFor(results, 'truncated.jpg')).toMatchObject({ outcome: 'skipped', reason: 'corrupt', info: { format: 'jpeg', shown: { width: 2000, height: 1500 } } })
    expect(unitFor(results, 'truncated.jpg').message).toMatch(/JPEG/)
    expect(resultFor(results, 'bomb.png')).toMatchObject({ outcome: 'skipped', reason: 'too-large', info: { format: 'png', shown: { width: 30_000, height: 30_000 } } })
  })

  it('decodes a file with a harmless decoder warning leniently, scales it and says so', async () => {
    const unit = unitFor(results, 'camera-warning.jpg')
    expect(unit).toMatchObject({ outcome: 'scaled', size: { width: 400, height: 267 } })
    expect(unit.warning).toMatch(/decoded leniently/)
    expect(summary.warnings).toBe(1)
    const out = await decodeStrict(join(folders.target, 'camera-warning.jpg'))
    const original = await decodeStrict(join(folders.root, 'plain.jpg'))
    expect(colourDistance(pixel(out, 200, 133), pixel(original, 450, 300))).toBeLessThan(30)
  })

  it('still scales and copies the good files beside them', async () => {
    expect(unitFor(results, 'good-1.jpg')).toMatchObject({ outcome: 'scaled' })
    expect(unitFor(results, 'good-2.png')).toMatchObject({ outcome: 'copied' })
    expect(unitFor(results, 'sub/good-3.webp')).toMatchObject({ outcome: 'scaled' })
    for (const name of ['good-1.jpg', 'good-2.png', 'sub/good-3.webp']) expect(unitFor(results, name).warning).toBeUndefined()
    expect(await dimensionsOf(join(folders.target, 'good-1.jpg'))).toEqual({ width: 400, height: 300, format: 'jpeg' })
    expect(await dimensionsOf(join(folders.target, 'sub/good-3.webp'))).toEqual({ width: 400, height: 300, format: 'webp' })
  })

  it('writes nothing for a skipped file', async () => {
    expect(await listOutputs(folders.target)).toEqual(['camera-warning.jpg', 'good-1.jpg', 'good-2.png', 'sub/good-3.webp'])
    expect(await listFiles(folders.target)).toContain(JOURNAL)
  })

  it('counts every file once and every reason in the summary', () => {
    const skippedBy: Partial<Record<SkipReason, number>> = {}
    for (const { reason } of Object.values(BAD)) skippedBy[reason] = (skippedBy[reason] ?? 0) + 1
    expect(summary).toMatchObject({
      files: 4 + Object.keys(BAD).length,
      todo: 4 + Object.keys(BAD).length,
      counts: { scaled: 3, copied: 1, skipped: Object.keys(BAD).length, failed: 0, canceled: 0 }
    })
    expect(summary.skippedBy).toEqual(skippedBy)
  })
})

describe('the pixel limit', () => {
  let folders: TempFolders
  afterAll(() => folders.cleanup())

  it('skips an image over a lowered maxPixels as too large and scales the one under it', async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'over.jpg', { width: 1001, height: 1000 })
    await writeImage(folders.source, 'under.jpg', { width: 1000, height: 1000 })
    const { summary, events } = await runRecorded(folders.source, folders.target, { maxPixels: 1_000_000, workers: 2 })
    const results = expectBalanced(summary, events)
    expect(resultFor(results, 'over.jpg')).toMatchObject({ outcome: 'skipped', reason: 'too-large', message: expect.stringMatching(/1001×1000/) })
    expect(unitFor(results, 'under.jpg').outcome).toBe('scaled')
    expect(summary.skippedBy).toEqual({ 'too-large': 1 })
    expect(await listOutputs(folders.target)).toEqual(['under.jpg'])
  })

  it('applies the limit before copying too, so a small-looking file is never a way round it', async () => {
    const more = await tempFolders()
    try {
      await writeImage(more.source, 'tiny.jpg', { width: 100, height: 100 })
      const { summary, events } = await runRecorded(more.source, more.target, { maxPixels: 9_999, workers: 1 })
      expect(resultFor(expectBalanced(summary, events), 'tiny.jpg')).toMatchObject({ outcome: 'skipped', reason: 'too-large' })
      expect(await listOutputs(more.target)).toEqual([])
    } finally {
      await more.cleanup()
    }
  })
})
