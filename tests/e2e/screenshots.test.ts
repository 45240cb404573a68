import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/built'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import { button, chooseFolders, eventually, waitForSummary, writePhotos, writeTruncatedJpeg } from './support'

/**
 * The README's pictures, taken from a real batch: a photographer's folders, the form filled in,
 * the run half way, and the summary in light and dark. Each picture is checked for what it must show.
 */

/**
 * Every run takes and checks the pictures; only `npm run screenshots` (IMAGESCALE_SCREENSHOTS=docs)
 * writes them into docs/, so a test run never leaves the tree changed.
 */
const DOCS = process.env.IMAGESCALE_SCREENSHOTS === 'docs' ? join(ROOT, 'docs') : join(ROOT, 'test-results', 'screenshots')
const VIEWPORT = { width: 1180, height: 820 }
const SHOTS = {
  setup: join(DOCS, 'screenshot-setup.png'),
  running: join(DOCS, 'screenshot-running.png'),
  summary: join(DOCS, 'screenshot-summary.png'),
  summaryDark: join(DOCS, 'screenshot-summary-dark.png')
}

let root: string
let photos: string
let resized: string
let app: BrowserApp

/** Names as cameras write them, in the folders people sort them into. */
function names(prefix: string, from: number, count: number, folder = ''): string[] {
  return Array.from({ length: count }, (_, i) => `${folder}${prefix}${String(from + i).padStart(4, '0')}.jpg`)
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imagescale-demo-'))
  photos = join(root, 'photos')
  resized = join(root, 'photos-1920')
  await mkdir(photos)
  await writePhotos(
    photos,
    {
      '2024-06 Lisbon/IMG_2041.jpg': { width: 3000, height: 2000, seed: 41 },
      '2024-06 Lisbon/IMG_2042.jpg': { width: 2000, height: 3000, seed: 42 },
      '2024-08 Dolomites/DSC_0310.jpg': { width: 3000, height: 2000, seed: 43 },
      'phone/PXL_20240914_181204.jpg': { width: 1600, height: 1200, seed: 44 }
    },
    {
      '2024-06 Lisbon/IMG_2041.jpg': names('IMG_', 2043, 14, '2024-06 Lisbon/'),
      '2024-06 Lisbon/IMG_2042.jpg': names('IMG_', 2057, 6, '2024-06 Lisbon/'),
      '2024-08 Dolomites/DSC_0310.jpg': names('DSC_', 311, 18, '2024-08 Dolomites/'),
      'phone/PXL_20240914_181204.jpg': ['phone/PXL_20240914_181377.jpg', 'phone/PXL_20240915_072010.jpg']
    }
  )
  await writeTruncatedJpeg(photos, '2024-08 Dolomites/DSC_0330.jpg', { width: 3000, height: 2000, seed: 45 })
  await writeFile(join(photos, 'shot list.txt'), 'Alfama at dawn; tram 28; Seceda ridge\n')
  await mkdir(DOCS, { recursive: true })
  // The version the README is about, and this machine's real core count.
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  app = await launchBrowserApp({ version, cores: availableParallelism() })
})

afterAll(async () => {
  await app?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

/** The picture a PNG holds, with its mean brightness (0–255) for light/dark checks. */
async function picture(path: string): Promise<{ width: number; height: number; brightness: number }> {
  const { channels } = await sharp(path).stats()
  const meta = await sharp(path).metadata()
  const brightness = (channels[0]!.mean + channels[1]!.mean + channels[2]!.mean) / 3
  return { width: meta.width, height: meta.height, brightness }
}

describe('screenshots for the README', () => {
  it('are taken of setup, a run in progress, and the summary in light and dark', async () => {
    const { page } = app
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' })

    // Setup: both folders chosen, the Full HD preset, two worker threads.
    await chooseFolders(app, photos, resized)
    await page.getByRole('radio', { name: /^1920\b/ }).check()
    await eventually(
      () => page.getByLabel('Longest side in pixels').inputValue(),
      (value) => expect(value).toBe('1920')
    )
    await page.getByLabel('Worker threads').fill('2')
    await page.getByLabel('Worker threads').blur()
    await page.mouse.move(0, 0)
    // The whole form, down to Start (it is taller than the window).
    await page.screenshot({ path: SHOTS.setup, fullPage: true })
    expect(await button(page, 'Start').isEnabled()).toBe(true)

    // Running: wait for a third of the files, then take the picture while the batch still runs.
    await button(page, 'Start').click()
    await page.mouse.move(0, 0)
    const bar = page.getByRole('progressbar', { name: 'Files done' })
    await eventually(
      async () => ({ done: Number(await bar.getAttribute('aria-valuenow')), total: Number(await bar.getAttribute('aria-valuemax')) }),
      ({ done, total }) => {
        expect(total).toBe(46)
        expect(done).toBeGreaterThanOrEqual(15)
      },
      30_000
    )
    await page.screenshot({ path: SHOTS.running })
    expect(app.ended).toEqual([])
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(46)

    // Done: the summary, in light and dark.
    const summary = await waitForSummary(app)
    expect(summary).toMatchObject({ files: 46, todo: 46, counts: { copied: 3, scaled: 41, skipped: 2, failed: 0, canceled: 0 }, canceled: false })
    expect(summary.skippedBy).toEqual({ corrupt: 1, 'not-an-image': 1 })
    await page.mouse.move(0, 0)
    await page.screenshot({ path: SHOTS.summary })
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' })
    await page.screenshot({ path: SHOTS.summaryDark })

    for (const path of [SHOTS.running, SHOTS.summary, SHOTS.summaryDark]) {
      const shot = await picture(path)
      expect({ width: shot.width, height: shot.height }, path).toEqual(VIEWPORT)
    }
    const setup = await picture(SHOTS.setup)
    expect(setup.width).toBe(VIEWPORT.width)
    expect(setup.height).toBeGreaterThanOrEqual(VIEWPORT.height)
    expect(setup.height).toBeLessThan(2 * VIEWPORT.height)
    const light = await picture(SHOTS.summary)
    const dark = await picture(SHOTS.summaryDark)
    expect(light.brightness).toBeGreaterThan(180)
    expect(dark.brightness).toBeLessThan(80)
    expect(app.problems).toEqual([])
  })
})
