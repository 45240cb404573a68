import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { summaryLine } from '../../src/shared/summary-text'
import { writeImage } from '../helpers/images'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import type { PageGlobals } from './page-globals'
import { cancelWithoutWaitingForMain, eventually, expectValue, isTempName, listFiles, listOutputs, sizeField, waitForRowState, waitForSummary } from './support'

/**
 * The whole flow without a mouse: Tab to move, Enter or Space to press, digits to type a size,
 * Escape or Cancel to stop. Wherever the focus lands, it must be visible.
 */

const FILES = 40

let root: string
let source: string
let target: string
let app: BrowserApp

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imagescale-e2e-keys-'))
  source = join(root, 'scans')
  target = join(root, 'scans-small')
  await mkdir(source)
  const template = await writeImage(root, 'template.jpg', { width: 2400, height: 1600, seed: 51 })
  for (let i = 1; i <= FILES; i += 1) await copyFile(template, join(source, `scan-${String(i).padStart(3, '0')}.jpg`))
  app = await launchBrowserApp()
})

afterAll(async () => {
  await app?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

/**
 * The form's stops in reading order, as a keyboard user meets them: disabled buttons (Apply,
 * Export, Delete, Rename with no preset chosen; ↑ ↓ Remove of the only output) are not stops.
 */
const TO_SOURCE = ['input: Source folder', 'button: Choose source folder…']
const TO_TARGET = ['input: Target folder', 'button: Choose target folder…']
const TO_SIZE = [
  'button: Choose files instead…',
  'select: Preset',
  'button: Import…',
  'input: Name',
  'button: Save recipe as preset',
  'button: Duplicate',
  'select: Resize',
  'input: Size (px)'
]
const TO_START = [
  'radio: Smooth',
  'select: Format',
  'input: Quality (1–100)',
  'input: At most (bytes per file)',
  'select: Metadata',
  'checkbox: Convert to sRGB (for the web)',
  'checkbox: Sharpen after downscaling (mild)',
  'input: Sub-folder of the target',
  'input: Name',
  'button: Add output',
  'button: Show preview',
  'input: Worker threads',
  'checkbox: Include sub-folders',
  "checkbox: Give outputs their original's date",
  'select: Order files go to the workers',
  'radio: Skip it and keep what is there',
  'button: Copy as command line',
  'button: Preview plan',
  'button: Start'
]

interface Focused {
  /** `button: Start`, `input: Source folder`, `radio: Smooth`, `heading: Summary`. */
  name: string
  focusVisible: boolean
  outlineStyle: string
  outlineWidth: number
  /** Contrast between the focus ring and the page behind it (WCAG ratio, 1–21). */
  ringContrast: number
}

/** What has the focus, and how its focus ring looks (on the chip for a chip radio, which draws the ring there). */
async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals
    const element = w.document.activeElement
    if (!element || element === w.document.body) return { name: 'body', focusVisible: false, outlineStyle: 'none', outlineWidth: 0, ringContrast: 1 }
    const input = element.tagName === 'INPUT' ? element : null
    // Inputs and selects are named by their label (a select's text is all of its options).
    const labelled = input ?? (element.tagName === 'SELECT' ? element : null)
    const label = (labelled?.labels?.[0]?.textContent ?? element.getAttribute('aria-label') ?? element.textContent ?? '').trim()
    const kind = input ? (input.type === 'radio' || input.type === 'checkbox' ? input.type : 'input') : element.tagName === 'H2' ? 'heading' : element.tagName.toLowerCase()
    const chip = input?.type === 'radio' ? input.closest('.chip') : null
    const style = w.getComputedStyle(chip ?? element)
    const rgb = (colour: string): number[] => (colour.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number)
    const luminance = (colour: string): number => {
      const [r, g, b] = rgb(colour).map((channel) => {
        const c = channel / 255
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
    }
    const ring = luminance(style.outlineColor)
    const page = luminance(w.getComputedStyle(w.document.documentElement).backgroundColor)
    return {
      name: `${kind}: ${label}`,
      focusVisible: element.matches(':focus-visible'),
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth),
      ringContrast: (Math.max(ring, page) + 0.05) / (Math.min(ring, page) + 0.05)
    }
  })
}

/** A focus ring a sighted keyboard user can find: solid, at least 2 px, 3:1 against the page. */
function expectVisibleRing(state: Focused): void {
  expect(state.focusVisible, state.name).toBe(true)
  expect(state.outlineStyle, state.name).toBe('solid')
  expect(state.outlineWidth, state.name).toBeGreaterThanOrEqual(2)
  expect(state.ringContrast, state.name).toBeGreaterThanOrEqual(3)
}

/** Presses Tab until `name` has the focus, returning every stop on the way (the stop itself included). */
async function tabTo(page: Page, name: string): Promise<Focused[]> {
  const stops: Focused[] = []
  for (let presses = 0; presses < 60; presses += 1) {
    await page.keyboard.press('Tab')
    const state = await focused(page)
    // A page that has just loaded may spend its first Tabs taking the focus from the browser itself.
    if (state.name === 'body' && stops.length === 0) continue
    stops.push(state)
    if (state.name === name) return stops
  }
  throw new Error(`Tab never reached ${name}; went through ${stops.map((stop) => stop.name).join(' → ')}`)
}

describe('keyboard only', () => {
  it('sets up, starts and cancels a batch with Tab, Enter, Space and Escape, with a visible focus ring at every stop', async () => {
    const { page } = app
    app.folders.source = source
    app.folders.target = target

    // Folders: the dialog buttons answer Enter and Space.
    const toSource = await tabTo(page, 'button: Choose source folder…')
    expect(toSource.map((stop) => stop.name)).toEqual(TO_SOURCE)
    await page.keyboard.press('Enter')
    await expectValue(page.getByLabel('Source folder', { exact: true }), source)
    const toTarget = await tabTo(page, 'button: Choose target folder…')
    expect(toTarget.map((stop) => stop.name)).toEqual(TO_TARGET)
    await page.keyboard.press(' ')
    await expectValue(page.getByLabel('Target folder', { exact: true }), target)

    // Size: past the presets, into Output 1; Tab into the field selects what is there, digits replace it.
    const toSize = await tabTo(page, 'input: Size (px)')
    expect(toSize.map((stop) => stop.name)).toEqual(TO_SIZE)
    await page.keyboard.type('1600')
    await expectValue(sizeField(page), '1600')

    // The rest of the form, in reading order, up to Start.
    const toStart = await tabTo(page, 'button: Start')
    expect(toStart.map((stop) => stop.name)).toEqual(TO_START)
    for (const stop of [...toSource, ...toTarget, ...toSize, ...toStart]) expectVisibleRing(stop)

    // Start with Enter; the run view takes the focus to its heading.
    await page.keyboard.press('Enter')
    await eventually(
      () => focused(page),
      (state) => expect(state.name).toBe('heading: Scaling…')
    )
    await waitForRowState(page, 'scaled')

    // Cancel is the next stop; Space presses it.
    const toCancel = await tabTo(page, 'button: Cancel')
    expect(toCancel.map((stop) => stop.name)).toEqual(['button: Cancel'])
    expectVisibleRing(toCancel[0]!)
    await cancelWithoutWaitingForMain(app, () => page.keyboard.press(' '))
    const summary = await waitForSummary(app)
    expect(summary.canceled).toBe(true)
    expect(summary.notStarted).toBeGreaterThan(0)
    expect(await page.getByRole('status').textContent()).toBe(summaryLine(summary))

    // The summary: focus is on its news, and every action is a Tab away.
    await eventually(
      () => focused(page),
      (state) => expect(state.name).toBe('heading: Summary')
    )
    const toOpen = await tabTo(page, 'button: Open target folder')
    expect(toOpen.map((stop) => stop.name)).toEqual(['button: Open target folder'])
    await page.keyboard.press('Enter')
    await eventually(
      () => app.opened,
      (opened) => expect(opened).toEqual([target])
    )
    const toProblems = await tabTo(page, 'button: Show problems')
    await page.keyboard.press(' ')
    // Pressed, and named for what the next press shows; the focus stays on it.
    await eventually(
      () => page.getByRole('button', { name: 'Show all files', exact: true }).getAttribute('aria-pressed'),
      (pressed) => expect(pressed).toBe('true')
    )
    expect((await focused(page)).name).toBe('button: Show all files')
    const toNew = await tabTo(page, 'button: New batch')
    for (const stop of [...toOpen, ...toProblems, ...toNew]) expectVisibleRing(stop)

    // New batch with Enter: the form is back with Start focused, one key from running again.
    await page.keyboard.press('Enter')
    await eventually(
      () => focused(page),
      (state) => expect(state.name).toBe('button: Start')
    )
    expectVisibleRing(await focused(page))
    await expectValue(sizeField(page), '1600')

    await app.idle()
    expect((await listFiles(target)).filter(isTempName)).toEqual([])
    expect(await listOutputs(target)).toHaveLength(summary.counts.scaled)
    expect(app.problems).toEqual([])
  })

  it('keeps a visible focus ring on every stop of the form in dark mode too', async () => {
    const { page } = app
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.reload()
    await page.getByRole('button', { name: 'Choose source folder…' }).waitFor()
    // The folders are remembered, so the start bar's buttons are enabled and in the order too.
    const stops = await tabTo(page, 'button: Start')
    expect(stops.map((stop) => stop.name)).toEqual([...TO_SOURCE, ...TO_TARGET, ...TO_SIZE, ...TO_START])
    for (const stop of stops) expectVisibleRing(stop)
    await page.emulateMedia({ colorScheme: 'light' })
  })
})
