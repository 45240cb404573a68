import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { ROOT } from '../helpers/built'
import type { PageGlobals } from './page-globals'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import { button, chooseFolders, eventually, expectValue, listFiles, setOutput, sizeField, waitForSummary, writePhotos, writeTruncatedJpeg } from './support'

/**
 * The README's pictures, taken from a real batch: a photographer's folders, the form filled in,
 * the run half way, the summary in light and dark, then a two-output recipe with its preview
 * and the plan it makes. Each picture is checked for what it must show.
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
  summaryDark: join(DOCS, 'screenshot-summary-dark.png'),
  recipe: join(DOCS, 'screenshot-recipe.png'),
  plan: join(DOCS, 'screenshot-plan.png'),
  lanes: join(DOCS, 'screenshot-lanes.png')
}

let root: string
let photos: string
let resized: string
let web: string
/** Someone else's file, in the web folder where IMG_2041's web copy would go. */
const FOREIGN = 'web/2024-06 Lisbon/IMG_2041.webp'
let app: BrowserApp

/** Names as cameras write them, in the folders people sort them into. */
function names(prefix: string, from: number, count: number, folder = ''): string[] {
  return Array.from({ length: count }, (_, i) => `${folder}${prefix}${String(from + i).padStart(4, '0')}.jpg`)
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imagescale-demo-'))
  photos = join(root, 'photos')
  resized = join(root, 'photos-1920')
  web = join(root, 'photos-web')
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
  await mkdir(join(web, 'web/2024-06 Lisbon'), { recursive: true })
  await writeFile(join(web, FOREIGN), 'not a picture, and not made by ImageScale\n')
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

/** A screenshot as a palette PNG: a quarter of the bytes in the repository, no visible change. */
async function shot(page: Page, path: string): Promise<void> {
  await writeFile(path, await sharp(await page.screenshot()).png({ palette: true, effort: 10 }).toBuffer())
}

/**
 * The whole form in one picture. The window is made as tall as the page first: a full-page
 * capture of the 820 px window would paint the sticky start bar over the cards it floats above.
 */
async function wholePageShot(page: Page, path: string): Promise<void> {
  const height = (): Promise<number> => page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollHeight)
  await page.setViewportSize({ width: VIEWPORT.width, height: await height() })
  await page.setViewportSize({ width: VIEWPORT.width, height: await height() })
  await page.mouse.move(0, 0)
  await shot(page, path)
  await page.setViewportSize(VIEWPORT)
}

describe('screenshots for the README', () => {
  it('are taken of setup, a run in progress, and the summary in light and dark', async () => {
    const { page } = app
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' })

    // Setup: both folders chosen, Full HD typed into Output 1's size, two worker threads.
    await chooseFolders(app, photos, resized)
    await sizeField(page).fill('1920')
    await expectValue(sizeField(page), '1920')
    await page.getByLabel('Worker threads').fill('2')
    await page.getByLabel('Worker threads').blur()
    await page.mouse.move(0, 0)
    // The whole form, down to Start (it is taller than the window).
    await wholePageShot(page, SHOTS.setup)
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
    await shot(page, SHOTS.running)
    expect(app.ended).toEqual([])
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(46)

    // Done: the summary, in light and dark.
    const summary = await waitForSummary(app)
    expect(summary).toMatchObject({ files: 46, todo: 46, counts: { copied: 3, scaled: 41, skipped: 2, failed: 0, canceled: 0 }, canceled: false })
    expect(summary.skippedBy).toEqual({ corrupt: 1, 'not-an-image': 1 })
    await page.mouse.move(0, 0)
    await shot(page, SHOTS.summary)
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' })
    await shot(page, SHOTS.summaryDark)

    // The worker lanes of the same run, in light.
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' })
    await button(page, 'Show worker lanes').click()
    await page.locator('.lanes-canvas').waitFor()
    await shot(page, SHOTS.lanes)
    await button(page, 'Hide worker lanes').click()

    // The recipe: back to the form, a web size and a thumbnail into their own folders, and the preview of one photo.
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' })
    await button(page, 'New batch').click()
    await page.getByLabel('Target folder', { exact: true }).fill(web)
    await setOutput(page, 1, { size: 1920, format: 'webp', folder: 'web' })
    await button(page, 'Add output').click()
    await setOutput(page, 2, { size: 400, format: 'jpeg', quality: '80', metadata: 'strip', folder: 'thumbs' })
    // A file of someone else's where the web copy of IMG_2041 would go: the plan renames around it.
    await page.getByRole('radio', { name: 'Keep it and save the new one as "name (1)"', exact: true }).check()
    await button(page, 'Show preview').click()
    await page.getByLabel('Photo', { exact: true }).selectOption('2024-06 Lisbon/IMG_2041.jpg')
    const details = page.getByTestId('pane-details')
    await eventually(
      () => details.allTextContents(),
      (texts) => {
        expect(texts).toHaveLength(3)
        expect(texts[0]).toMatch(/^3000×2000 · JPEG · /)
        expect(texts[1]).toMatch(/^1920×1280 · WEBP · /)
        expect(texts[2]).toMatch(/^400×267 · JPEG · /)
      },
      30_000
    )
    await page.mouse.move(0, 0)
    await wholePageShot(page, SHOTS.recipe)

    // The plan: every file's outputs, by name, the collision first in line and highlighted.
    await button(page, 'Preview plan').click()
    const plan = await waitForSummary(app, 2)
    expect(plan).toMatchObject({ dryRun: true, files: 46, outputs: 2, canceled: false })
    expect(await page.getByRole('heading', { level: 2, name: 'Plan' }).count()).toBe(1)
    expect(await button(page, 'Start this plan').isVisible()).toBe(true)
    await page.getByLabel('Sort', { exact: true }).selectOption('name')
    const first = page.getByTestId('file-row').first()
    await eventually(
      async () => ({ file: await first.locator('.file-path').textContent(), collision: await first.evaluate((row) => row.classList.contains('collision')) }),
      (row) => expect(row).toEqual({ file: '2024-06 Lisbon/IMG_2041.jpg', collision: true })
    )
    await page.mouse.move(0, 0)
    await shot(page, SHOTS.plan)
    // A plan writes nothing: the stranger's file is all there is.
    expect(await listFiles(web)).toEqual([FOREIGN])

    for (const path of [SHOTS.running, SHOTS.summary, SHOTS.summaryDark, SHOTS.plan, SHOTS.lanes]) {
      const shot = await picture(path)
      expect({ width: shot.width, height: shot.height }, path).toEqual(VIEWPORT)
    }
    const setup = await picture(SHOTS.setup)
    expect(setup.width).toBe(VIEWPORT.width)
    expect(setup.height).toBeGreaterThanOrEqual(VIEWPORT.height)
    expect(setup.height).toBeLessThan(3 * VIEWPORT.height)
    // The recipe picture is the whole form: two output cards and the preview make it taller than the setup.
    const recipe = await picture(SHOTS.recipe)
    expect(recipe.width).toBe(VIEWPORT.width)
    expect(recipe.height).toBeGreaterThan(setup.height)
    expect(recipe.height).toBeLessThan(4 * VIEWPORT.height)
    const light = await picture(SHOTS.summary)
    const dark = await picture(SHOTS.summaryDark)
    expect(light.brightness).toBeGreaterThan(180)
    expect((await picture(SHOTS.plan)).brightness).toBeGreaterThan(180)
    expect(dark.brightness).toBeLessThan(80)
    expect(app.problems).toEqual([])
  })
})
