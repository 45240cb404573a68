import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import sharp from 'sharp'
import { expect, vi } from 'vitest'
import type { FileResult, Summary } from '../../src/shared/batch'
import { summaryLine } from '../../src/shared/reasons'
import { writeImage, type ImageSpec } from '../helpers/images'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import type { PageElement, PageGlobals } from './page-globals'

/**
 * What the browser scenarios share: real image folders, driving the form as a person would,
 * and reading back what the page shows (the file list is virtualized, so it is scrolled through).
 */

export { decodeStrict, isTempName, listFiles } from '../core/fixtures'

/** Long enough for a real batch on a busy two-core machine, short enough to fail a stuck one. */
export const RUN_TIMEOUT = 45_000

/** Writes one picture per spec, and the same bytes again under every extra name (copying is much cheaper than drawing). */
export async function writePhotos(folder: string, photos: Record<string, ImageSpec>, copies: Record<string, string[]> = {}): Promise<void> {
  for (const [name, spec] of Object.entries(photos)) await writeImage(folder, name, spec)
  for (const [original, names] of Object.entries(copies)) {
    for (const name of names) {
      await mkdir(dirname(join(folder, name)), { recursive: true })
      await copyFile(join(folder, original), join(folder, name))
    }
  }
}

/** A JPEG cut off after its first third: the header reads, the picture cannot be decoded. */
export async function writeTruncatedJpeg(folder: string, name: string, spec: ImageSpec): Promise<string> {
  const whole = await writeImage(folder, name, spec)
  const bytes = await readFile(whole)
  await writeFile(whole, bytes.subarray(0, Math.floor(bytes.length / 3)))
  return whole
}

/** The size an image shown at `width`×`height` must have once it fits a `size` square (±1 px of rounding allowed by callers). */
export function fitted(width: number, height: number, size: number): { width: number; height: number } {
  if (width <= size && height <= size) return { width, height }
  const scale = size / Math.max(width, height)
  return { width: Math.round(width * scale), height: Math.round(height * scale) }
}

/** An output's size as a viewer shows it (EXIF orientation applied). */
export async function shownSize(path: string): Promise<{ width: number; height: number; format: string }> {
  const meta = await sharp(path).metadata()
  return { width: meta.autoOrient.width, height: meta.autoOrient.height, format: meta.format }
}

export function button(page: Page, name: string): Locator {
  return page.getByRole('button', { name, exact: true })
}

/** Picks both folders through the dialog buttons, as a user would; the dialog stand-in answers with them. */
export async function chooseFolders(app: BrowserApp, source: string, target: string): Promise<void> {
  app.folders.source = source
  app.folders.target = target
  await button(app.page, 'Choose source folder…').click()
  await button(app.page, 'Choose target folder…').click()
  await expectValue(app.page.getByLabel('Source folder', { exact: true }), source)
  await expectValue(app.page.getByLabel('Target folder', { exact: true }), target)
}

/**
 * Retries an assertion until it holds: vi.waitFor works in hooks too, where expect.poll does not.
 * Returns what the last, passing read gave.
 */
export function eventually<T>(read: () => T | Promise<T>, check: (value: T) => void, timeout = 10_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await read()
      check(value)
      return value
    },
    { timeout, interval: 25 }
  )
}

export async function expectValue(locator: Locator, value: string): Promise<void> {
  await eventually(
    () => locator.inputValue(),
    (current) => expect(current).toBe(value)
  )
}

/** Fills size and workers the way a user types them. */
export async function chooseSettings(page: Page, settings: { size: number; workers: number }): Promise<void> {
  await page.getByLabel('Longest side in pixels').fill(String(settings.size))
  await page.getByLabel('Worker threads').fill(String(settings.workers))
}

/** The one summary the engine produced for this app, once the page shows it in the book's line. */
export async function waitForSummary(app: BrowserApp, count = 1): Promise<Summary> {
  await eventually(
    () => app.ended.length,
    (ended) => expect(ended).toBe(count),
    RUN_TIMEOUT
  )
  const summary = app.ended[count - 1]!
  await eventually(
    () => app.page.getByRole('status').textContent(),
    (line) => expect(line).toBe(summaryLine(summary))
  )
  await app.delivered()
  return summary
}

/** Every result the engine reported, in the order it reported them. */
export function engineResults(app: BrowserApp): FileResult[] {
  return app.updates.flatMap((update) => update.events.flatMap((event) => (event.type === 'finished' ? [event.result] : [])))
}

/** The summary event carried by the updates, which must be the one main was told about. */
export function summaryFromUpdates(app: BrowserApp): Summary[] {
  return app.updates.flatMap((update) => update.events.flatMap((event) => (event.type === 'summary' ? [event.summary] : [])))
}

export interface RowView {
  file: string
  state: string
  /** The bold word: `scaled`, `skipped`, `on worker 2`. */
  status: string
  /** What happened: `2400×1600 → 400×267`, or the reason sentence. */
  detail: string
  time: string
  showInFolder: boolean
}

/**
 * Resolves in the frame a row in `state` appears. Locator.waitFor polls with back-off (up to
 * half a second late), which is too slow to catch a batch "just after its first file".
 */
export async function waitForRowState(page: Page, state: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    (wanted) => (globalThis as unknown as PageGlobals).document.querySelector(`[data-testid="file-row"][data-state="${wanted}"]`) !== null,
    state,
    { polling: 'raf', timeout }
  )
}

/** The scrolling list of files (the region inside the Files/Problems section). */
export function fileList(page: Page): Locator {
  return page.locator('div[role="region"]')
}

/** Reads every row of the list by scrolling it from top to bottom, since only rows in view are in the page. */
export async function collectRows(page: Page): Promise<RowView[]> {
  const rows = await fileList(page).evaluate(async (element: PageElement) => {
    const w = globalThis as unknown as PageGlobals
    const frame = (): Promise<void> => new Promise((resolve) => w.requestAnimationFrame(() => w.requestAnimationFrame(() => resolve())))
    const seen = new Map<number, RowView>()
    const read = (): void => {
      for (const row of element.querySelectorAll('[data-testid="file-row"]')) {
        const text = (selector: string): string => row.querySelector(selector)?.textContent?.trim() ?? ''
        seen.set(Number(row.getAttribute('aria-posinset')), {
          file: text('.file-path'),
          state: row.dataset.state ?? '',
          status: text('.file-status strong'),
          detail: text('.file-detail'),
          time: text('.file-time'),
          showInFolder: row.querySelector('button') !== null
        })
      }
    }
    element.scrollTop = 0
    await frame()
    read()
    while (element.scrollTop + element.clientHeight < element.scrollHeight - 1) {
      element.scrollTop += Math.max(1, element.clientHeight - 10)
      await frame()
      read()
    }
    return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row)
  })
  return rows
}

/** The count on one of the summary's tiles (`copied`, `scaled`, `skipped`, `failed`, `canceled`). */
export async function tileCount(page: Page, action: string): Promise<number> {
  const text = await page.locator(`[data-count="${action}"] .tile-count`).textContent()
  return Number((text ?? '').replace(/,/g, ''))
}

/**
 * Watches the page for the Cancel button turning into "Canceling…", timed from the click or
 * key press that asked for it (both on the page's clock), so "at once" can be measured.
 */
export async function watchCancelFeedback(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals
    const { document, performance } = w
    const seen: CancelFeedback = { asked: null, shown: null, disabled: null, heading: null }
    ;(globalThis as unknown as { __cancelFeedback: CancelFeedback }).__cancelFeedback = seen
    const asked = (): void => {
      seen.asked ??= performance.now()
    }
    w.addEventListener('click', asked, true)
    w.addEventListener('keydown', (event) => (event.key === 'Escape' || event.key === 'Enter' || event.key === ' ' ? asked() : undefined), true)
    const check = (): void => {
      if (seen.shown !== null) return
      const canceling = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Canceling…')
      if (canceling) {
        seen.shown = performance.now()
        seen.disabled = canceling.disabled ?? null
        seen.heading = document.querySelector('.run-header h2')?.textContent ?? null
      }
    }
    new w.MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true })
  })
}

export interface CancelFeedback {
  asked: number | null
  shown: number | null
  disabled: boolean | null
  heading: string | null
}

export async function cancelFeedback(page: Page): Promise<CancelFeedback> {
  return page.evaluate(() => (globalThis as unknown as { __cancelFeedback: CancelFeedback }).__cancelFeedback)
}

export interface FormRun {
  app: BrowserApp
  summary: Summary
  rows: RowView[]
}

/** Opens the app, fills the form through its own controls, runs the batch to its summary and reads every row. */
export async function runThroughForm(source: string, target: string, settings: { size: number; workers: number }): Promise<FormRun> {
  const app = await launchBrowserApp()
  await chooseFolders(app, source, target)
  await chooseSettings(app.page, settings)
  await button(app.page, 'Start').click()
  const summary = await waitForSummary(app)
  return { app, summary, rows: await collectRows(app.page) }
}
