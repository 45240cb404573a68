import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAddsUp, jsonEvents, lastSummary, listOutputs, runCli, unitsByFile } from '../cli/harness'
import { tempFolders, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { finishedResults, messageOfResult, reasonOf } from './support'

/**
 * Decompression bombs say what they are: a many-page TIFF or many-frame GIF whose pixels,
 * all pages together, exceed the limit is "too large" (not "corrupt"), and a GIF whose canvas
 * is huge is never "copied 1×1".
 */

const PAGES = 60
const PAGE = 100
/** Below the pixels of all pages (600,000), above those of one (10,000). */
const LIMIT = 200_000

/** `count` distinct 100×100 pages (identical frames would be merged by the GIF encoder). */
const pages = (count: number): Promise<Buffer[]> =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      sharp({ create: { width: PAGE, height: PAGE, channels: 3, background: { r: (i * 4) % 256, g: 255 - ((i * 4) % 256), b: (i * 37) % 256 } } })
        .png()
        .toBuffer()
    )
  )

describe('multi-page bombs', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    const frames = await pages(PAGES)
    await sharp(frames, { join: { animated: true } }).tiff().toFile(join(folders.source, 'pages.tif'))
    await sharp(frames, { join: { animated: true } }).gif().toFile(join(folders.source, 'frames.gif'))
    // A 1×1 frame on a 65535×65535 logical screen: every viewer allocates the screen.
    const dot = Buffer.from(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#ff0000' } }).gif().toBuffer())
    dot.writeUInt16LE(65_535, 6)
    dot.writeUInt16LE(65_535, 8)
    await writeFile(join(folders.source, 'screen.gif'), dot)
    // Sanity: the files are what they claim to be, as libvips reads them.
    expect(await sharp(join(folders.source, 'pages.tif')).metadata()).toMatchObject({ pages: PAGES, width: PAGE, height: PAGE })
    expect(await sharp(join(folders.source, 'frames.gif')).metadata()).toMatchObject({ pages: PAGES, width: PAGE, height: PAGE })
  })
  afterAll(() => folders?.cleanup())

  it('engine: pages and frames over --max-pixels in total are too-large, with the count in the reason', async () => {
    const { summary, events } = await runRecorded(folders.source, folders.target, { maxPixels: LIMIT })
    expectAddsUp(summary)
    expect(summary.skippedBy).toEqual({ 'too-large': 3 })
    for (const file of ['pages.tif', 'frames.gif']) {
      const result = finishedResults(events).find((candidate) => candidate.file === file)!
      expect(reasonOf(result), file).toBe('too-large')
      expect(messageOfResult(result), file).toContain(`${PAGES} frames of ${PAGE}×${PAGE}`)
    }
    const screen = finishedResults(events).find((candidate) => candidate.file === 'screen.gif')!
    expect(reasonOf(screen)).toBe('too-large')
    expect(messageOfResult(screen)).toContain('65535×65535')
    expect(await listOutputs(folders.target)).toEqual([])
  })

  it('CLI at the default limit: the 65535×65535 screen is too large, never "copied 1×1"; the small bombs are made whole', async () => {
    const target = join(folders.root, 'cli')
    const run = await runCli(['--json', '-s', '50', folders.source, target])
    expect(run.code, run.stderr).toBe(0)
    const events = jsonEvents(run.stdout)
    expectAddsUp(lastSummary(events))
    const units = unitsByFile(events)
    expect(units.get('screen.gif')).toMatchObject({ outcome: 'skipped', reason: 'too-large' })
    // Under the limit, every page and frame is kept.
    for (const file of ['pages.tif', 'frames.gif']) {
      expect(units.get(file), file).toMatchObject({ outcome: 'scaled', size: { width: 50, height: 50 } })
      expect(await sharp(join(target, file)).metadata(), file).toMatchObject({ pages: PAGES, width: 50 })
    }
  })
})
