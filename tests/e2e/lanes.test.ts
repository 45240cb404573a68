import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Trace } from '../../src/core/trace'
import { tempFolders, type TempFolders } from '../helpers/images'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import { button, chooseFolders, chooseSettings, eventually, waitForSummary, writeCard } from './support'

/**
 * The worker lanes, in Chromium over the real handlers and engine: one row per worker, a bar per
 * file on main's clock, drawn live on a canvas; zoomable afterwards; exported as a trace.
 */

const FILES = 16
const WORKERS = 2

let folders: TempFolders
let source: string
beforeAll(async () => {
  folders = await tempFolders()
  source = await writeCard(folders.root, 'card', FILES, { prefix: 'IMG', seed: 7 })
})
afterAll(() => folders?.cleanup())

let app: BrowserApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

const laneStats = (opened: BrowserApp): Promise<string[]> => opened.page.getByTestId('lane-stat').allTextContents()

/** Pixels of the lanes' canvas that are neither the page's nor the empty lane's colour: the bars. */
async function barPixels(opened: BrowserApp): Promise<number> {
  const { data, info } = await sharp(await opened.page.locator('.lanes-canvas').screenshot())
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  let green = 0
  for (let i = 0; i < data.length; i += info.channels) if (data[i + 1]! > data[i]! + 40 && data[i + 1]! > data[i + 2]! + 40) green += 1
  return green
}

describe('worker lanes', () => {
  it('draw one lane per worker while the batch runs, and account for every file a worker took', async () => {
    app = await launchBrowserApp()
    await chooseFolders(app, source, join(folders.root, 'lanes'))
    await chooseSettings(app.page, { size: 1200, workers: WORKERS })
    await button(app.page, 'Start').click()
    await button(app.page, 'Show worker lanes').click()
    // Live: the lanes are there before the summary.
    await eventually(
      () => laneStats(app!),
      (stats) => expect(stats).toHaveLength(WORKERS)
    )
    const summary = await waitForSummary(app)
    expect(summary.counts.scaled).toBe(FILES)

    // Every file a worker took is on its lane, once; a lane is never busy more than the whole run.
    const started = app.updates.flatMap((update) => update.events).filter((event) => event.type === 'started')
    const perLane = [1, 2].map((lane) => started.filter((event) => event.type === 'started' && event.worker === lane).length)
    await eventually(
      () => laneStats(app!),
      (stats) => {
        const parsed = stats.map((text) => /^Lane (\d): (\d+) files?, busy (\d+)%$/.exec(text)?.slice(1).map(Number))
        expect(parsed.map((entry) => entry?.[1])).toEqual(perLane)
        for (const entry of parsed) expect(entry?.[2]).toBeLessThanOrEqual(100)
      }
    )
    expect(perLane.reduce((sum, n) => sum + n, 0)).toBe(FILES)
    // Each core of the machine, as the system counted it.
    const cores = await app.page.getByTestId('core-stats').textContent()
    expect([...(cores ?? '').matchAll(/CPU (\d+) (\d+)%/g)].map((match) => Number(match[1]))).toEqual(Array.from({ length: availableParallelism() }, (_, i) => i + 1))
    // The throughput: some files a second at its peak, never more than were made.
    const rate = Number(/at most ([\d,]+) files a second/.exec((await app.page.getByTestId('rate-stats').textContent()) ?? '')?.[1]?.replaceAll(',', ''))
    expect(rate).toBeGreaterThan(0)
    expect(rate).toBeLessThanOrEqual(FILES * 2)
    // The bars are really drawn: green (scaled) pixels on the canvas.
    expect(await barPixels(app)).toBeGreaterThan(500)
    expect(app.problems).toEqual([])
  })

  it('zoom in and back to the whole run after it, and export the run as a trace Perfetto opens', async () => {
    app = await launchBrowserApp()
    await chooseFolders(app, source, join(folders.root, 'zoomed'))
    await chooseSettings(app.page, { size: 1200, workers: WORKERS })
    await button(app.page, 'Start').click()
    const summary = await waitForSummary(app)
    // A new window has fresh storage: the lanes are hidden until asked for.
    expect(await button(app.page, 'Show worker lanes').count()).toBe(1)
    await button(app.page, 'Show worker lanes').click()
    expect(await button(app.page, 'Whole run').isDisabled()).toBe(true)
    const before = await barPixels(app)
    await button(app.page, 'Zoom in').click()
    await button(app.page, 'Zoom in').click()
    expect(await button(app.page, 'Whole run').isEnabled()).toBe(true)
    // Zoomed into the middle of the run: fewer, wider bars — not the same picture.
    await eventually(
      () => barPixels(app!),
      (pixels) => expect(pixels).not.toBe(before)
    )
    await button(app.page, 'Whole run').click()
    expect(await button(app.page, 'Whole run').isDisabled()).toBe(true)

    const file = join(folders.root, 'run.trace.json')
    app.savePath = file
    await button(app.page, 'Export trace…').click()
    await eventually(
      () => app!.page.getByRole('status').filter({ hasText: 'Trace saved' }).count(),
      (count) => expect(count).toBe(1)
    )
    const trace = JSON.parse(await readFile(file, 'utf8')) as Trace
    const bars = trace.traceEvents.filter((event) => event.ph === 'X' && event.cat !== 'stage')
    expect(bars).toHaveLength(FILES)
    expect(new Set(bars.map((event) => event.tid))).toEqual(new Set([1, 2]))
    expect(trace.otherData.summary).toEqual(summary)
    expect(app.problems).toEqual([])
  })

  it('stay shown for the next batch once asked for, and a plan has none', async () => {
    app = await launchBrowserApp()
    await chooseFolders(app, source, join(folders.root, 'remembered'))
    await chooseSettings(app.page, { size: 1200, workers: WORKERS })
    await button(app.page, 'Start').click()
    await waitForSummary(app)
    await button(app.page, 'Show worker lanes').click()
    await button(app.page, 'New batch').click()
    await button(app.page, 'Preview plan').click()
    await waitForSummary(app, 2)
    expect(await button(app.page, 'Hide worker lanes').count()).toBe(0)
    expect(await app.page.locator('.lanes').count()).toBe(0)
    await button(app.page, 'New batch').click()
    await button(app.page, 'Start').click()
    await waitForSummary(app, 3)
    expect(await button(app.page, 'Hide worker lanes').count()).toBe(1)
    expect(await laneStats(app)).toHaveLength(WORKERS)
  })
})
