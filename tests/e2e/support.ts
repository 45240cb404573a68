import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import sharp from 'sharp'
import { expect, vi } from 'vitest'
import { JOURNAL_NAME } from '../../src/core/journal'
import { TEMP_MARK, TEMP_SUFFIX } from '../../src/core/safe-write'
import type { FileResult, Outcome, OutputPlan, Summary } from '../../src/shared/batch'
import { INVOKE_CHANNELS } from '../../src/shared/ipc'
import type { ExistingPolicy, MetadataPolicy, OutputFormat, ResizeKind } from '../../src/shared/recipe'
import { fileOutcome } from '../../src/shared/file-outcome'
import { summaryLine } from '../../src/shared/summary-text'
import { writeImage, type ImageSpec } from '../helpers/images'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import type { PageElement, PageGlobals } from './page-globals'

/**
 * What the browser scenarios share: real image folders, driving the form as a person would,
 * and reading back what the page shows (the file list is virtualized, so it is scrolled through).
 */

/** Every file below `root` (hidden ones included), '/'-separated and sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort()
}

/** The journal a batch keeps in its target, so a re-run skips what is done. */
export const JOURNAL = JOURNAL_NAME

/** What a person finds in the target as pictures: every file but the batch's journal. */
export async function listOutputs(target: string): Promise<string[]> {
  return (await listFiles(target)).filter((file) => file !== JOURNAL)
}

/** A half-written output: the `.name.imagescale-<pid>-<random>.tmp` a worker writes before moving it into place. */
export const isTempName = (path: string): boolean => basename(path) !== JOURNAL && (path.includes(TEMP_MARK) || path.endsWith(TEMP_SUFFIX))

/** Decodes an image fully and strictly (a truncated file throws), as stored. */
export async function decodeStrict(path: string): Promise<{ width: number; height: number; data: Buffer }> {
  const { data, info } = await sharp(path, { failOn: 'truncated' }).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data }
}

/** What the engine's result says of a whole file, in the word its row shows. */
export const outcomeOf = (result: FileResult): Outcome => fileOutcome(result)

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

/** A camera card: `count` copies of one 2400×1600 photo named PREFIX_0001.jpg…, in `root/folder`; returns that folder. */
export async function writeCard(root: string, folder: string, count: number, options: { prefix: string; seed: number }): Promise<string> {
  const source = join(root, folder)
  await mkdir(source)
  const template = await writeImage(root, 'template.jpg', { width: 2400, height: 1600, seed: options.seed })
  for (let i = 1; i <= count; i += 1) await copyFile(template, join(source, `${options.prefix}_${String(i).padStart(4, '0')}.jpg`))
  return source
}

/** A JPEG cut off after its first third: the header reads, the picture cannot be decoded. */
export async function writeTruncatedJpeg(folder: string, name: string, spec: ImageSpec): Promise<string> {
  const whole = await writeImage(folder, name, spec)
  const bytes = await readFile(whole)
  await writeFile(whole, bytes.subarray(0, Math.floor(bytes.length / 3)))
  return whole
}

/**
 * A JPEG whole in length with a run of its picture data zeroed (a bad sector, a flaky card):
 * a strict decoder refuses it ("corrupt JPEG data"), a lenient one shows most of the picture.
 */
export async function writeDamagedJpeg(folder: string, name: string, spec: ImageSpec): Promise<string> {
  const whole = await writeImage(folder, name, spec)
  const bytes = await readFile(whole)
  const at = Math.floor(bytes.length * 0.6)
  bytes.fill(0, at, at + 2000)
  await writeFile(whole, bytes)
  return whole
}

/**
 * A picture that takes seconds to make: a 24-megapixel PNG of noise, which the engine must
 * decode, resize and compress again at PNG's default level (about 3.5 s on one core here).
 * Written at the fastest level, so making it is cheaper than scaling it.
 */
export const SLOW_PNG = { width: 6000, height: 4000 }
export async function writeSlowPng(folder: string, name: string): Promise<string> {
  const { width, height } = SLOW_PNG
  const pixels = Buffer.alloc(width * height * 3)
  let state = 7
  for (let at = 0; at < pixels.length; at += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    pixels[at] = (at % 251) + (state >>> 28)
  }
  const path = join(folder, name)
  await mkdir(dirname(path), { recursive: true })
  await sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toFile(path)
  return path
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

/** One card of the outputs editor: the fieldset "Output N" (1-based). */
export function outputCard(page: Page, n = 1): Locator {
  return page.getByRole('group', { name: `Output ${n}`, exact: true })
}

/** A card's size field, whatever its rule calls it: `Size (px)`, `Size (W×H px)`, `Percent (%)`. */
export function sizeField(page: Page, n = 1): Locator {
  return outputCard(page, n).getByLabel(/^(Size|Percent) \(/)
}

/** What a person sets on one output card; anything left out is left as it is. */
export interface OutputChoice {
  /** The Resize select's value: long, short, width, height, box, percent. */
  kind?: ResizeKind
  /** As typed: `1920`, `1920, 800`, `1080x1350`, `50`. */
  size?: string | number
  mode?: 'Smooth' | 'Stride'
  format?: OutputFormat
  quality?: string
  budget?: string
  metadata?: MetadataPolicy
  folder?: string
  name?: string
}

/** Fills one output card through its own controls, in the order a person goes down it. */
export async function setOutput(page: Page, n: number, choice: OutputChoice): Promise<void> {
  const card = outputCard(page, n)
  if (choice.kind !== undefined) await card.getByLabel('Resize', { exact: true }).selectOption(choice.kind)
  if (choice.size !== undefined) await sizeField(page, n).fill(String(choice.size))
  if (choice.mode !== undefined) await card.getByRole('radio', { name: choice.mode, exact: true }).check()
  if (choice.format !== undefined) await card.getByLabel('Format', { exact: true }).selectOption(choice.format)
  if (choice.quality !== undefined) await card.getByLabel('Quality (1–100)', { exact: true }).fill(choice.quality)
  if (choice.budget !== undefined) await card.getByLabel('At most (bytes per file)', { exact: true }).fill(choice.budget)
  if (choice.metadata !== undefined) await card.getByLabel('Metadata', { exact: true }).selectOption(choice.metadata)
  if (choice.folder !== undefined) await card.getByLabel('Sub-folder of the target', { exact: true }).fill(choice.folder)
  if (choice.name !== undefined) await card.getByLabel('Name', { exact: true }).fill(choice.name)
}

/** Fills Output 1's size and the worker count the way a user types them. */
export async function chooseSettings(page: Page, settings: { size: number | string; workers: number }): Promise<void> {
  await sizeField(page, 1).fill(String(settings.size))
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
export async function waitForRowState(page: Page, state: string, timeout = 20_000, file?: string): Promise<void> {
  await page.waitForFunction(
    ({ wanted, name }) =>
      [...(globalThis as unknown as PageGlobals).document.querySelectorAll(`[data-testid="file-row"][data-state="${wanted}"]`)].some(
        (row) => name === undefined || row.querySelector('.file-path')?.textContent === name
      ),
    { wanted: state, name: file },
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

/** What the run view shows of a cancel: its heading, the Cancel button, and whether Stop now is offered. */
export interface CancelView {
  heading: string
  cancel: string
  cancelDisabled: boolean
  stopNow: boolean
}

export async function cancelView(page: Page): Promise<CancelView> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals
    const buttons = [...document.querySelectorAll('.progress-panel button')]
    const cancel = buttons.find((b) => b.textContent === 'Cancel' || b.textContent === 'Canceling…')
    return {
      heading: document.querySelector('.run-header h2')?.textContent ?? '',
      cancel: cancel?.textContent ?? '',
      cancelDisabled: cancel?.disabled ?? false,
      stopNow: buttons.some((b) => b.textContent === 'Stop now')
    }
  })
}

/**
 * Cancels with `press` (a click, a key) while main is held busy: the page must say
 * "Canceling…" on a disabled button, and offer Stop now, before main has even heard the
 * request. Proof that the page reacts at once, without timing anything.
 */
export async function cancelWithoutWaitingForMain(app: BrowserApp, press: () => Promise<void>): Promise<void> {
  const release = app.hold('batch:cancel')
  try {
    await press()
    await eventually(
      () => cancelView(app.page),
      (view) => expect(view).toEqual<CancelView>({ heading: 'Canceling…', cancel: 'Canceling…', cancelDisabled: true, stopNow: true })
    )
    expect(app.handled, 'the page waited for main').not.toContain('batch:cancel')
  } finally {
    release()
  }
  await eventually(
    () => app.handled,
    (handled) => expect(handled).toContain('batch:cancel')
  )
}

/** The Elapsed clock of the progress panel, as shown. */
export async function elapsedShown(page: Page): Promise<string> {
  return (await page.locator('.progress-panel .stats div', { hasText: 'Elapsed' }).locator('dd').textContent()) ?? ''
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

/** The radio of the "When an output file already exists" choice for a policy. */
const EXISTING_LABELS: Record<ExistingPolicy, string> = {
  skip: 'Skip it and keep what is there',
  overwrite: 'Overwrite it (never a file in the source folder)',
  rename: 'Keep it and save the new one as "name (1)"'
}

export async function chooseExisting(page: Page, policy: ExistingPolicy): Promise<void> {
  await page.getByRole('radio', { name: EXISTING_LABELS[policy], exact: true }).check()
}

/** What a dry run planned for each file, from the engine's own events: file → its output plans. */
export function enginePlans(app: BrowserApp): Map<string, OutputPlan[]> {
  const plans = new Map<string, OutputPlan[]>()
  for (const update of app.updates) for (const event of update.events) if (event.type === 'planned') plans.set(event.plan.file, event.plan.outputs)
  return plans
}

/** The paths a plan would write (every output not skipped), sorted. */
export function plannedPaths(app: BrowserApp): string[] {
  return [...enginePlans(app).values()]
    .flat()
    .filter((output) => output.action !== 'skip')
    .map((output) => output.path)
    .sort()
}

/** The file list's own controls, shown once a batch is over. */
export const listSearch = (page: Page): Locator => page.getByPlaceholder('Search by name', { exact: true })
export const listFilter = (page: Page): Locator => page.getByLabel('Show', { exact: true })
export const listSort = (page: Page): Locator => page.getByLabel('Sort', { exact: true })

/** The rows a person can see without scrolling: wholly inside the list's scrolling box, measured with boundingBox. */
export async function rowsInView(page: Page): Promise<{ regionHeight: number; windowHeight: number; rows: number }> {
  const region = page.getByRole('region', { name: 'Files', exact: true })
  const box = await region.boundingBox()
  if (!box) throw new Error('the file list is not on the page')
  const windowHeight = page.viewportSize()?.height ?? 0
  // The part of the list inside the window: a list running below the window's edge is not seen there.
  const top = Math.max(0, box.y)
  const bottom = Math.min(windowHeight, box.y + box.height)
  let rows = 0
  for (const row of await region.getByTestId('file-row').all()) {
    const rowBox = await row.boundingBox()
    if (rowBox && rowBox.height > 0 && rowBox.y >= top - 0.5 && rowBox.y + rowBox.height <= bottom + 0.5) rows += 1
  }
  return { regionHeight: bottom - top, windowHeight, rows }
}

/** No channel name, error class or Electron wrapper: a sentence a person can act on. */
export function expectReadableMessage(message: string): void {
  expect(message.trim(), 'an empty message').not.toBe('')
  for (const channel of INVOKE_CHANNELS) expect(message, message).not.toContain(channel)
  expect(message, message).not.toMatch(/remote method|IpcRequestError|ScaleError|ZodError|TypeError|Error:|invalid-request|\bat .*\.js:\d+|[[{]"/)
}
