import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { summaryLine } from '../../src/shared/reasons'
import { writeImage } from '../helpers/images'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import {
  button,
  cancelFeedback,
  chooseFolders,
  chooseSettings,
  collectRows,
  decodeStrict,
  engineResults,
  isTempName,
  listFiles,
  shownSize,
  tileCount,
  waitForRowState,
  waitForSummary,
  watchCancelFeedback
} from './support'

/**
 * Cancel in the middle of a batch that would take seconds: the page reacts in the same frame,
 * the batch ends canceled, and the target holds whole outputs for exactly the finished rows.
 */

const FILES = 40
const SIZE = 1600
const WORKERS = 2
/** One frame and then some: the click and the "Canceling…" it causes are one React update apart. */
const AT_ONCE_MS = 100

let root: string
let source: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imagescale-e2e-cancel-'))
  source = join(root, 'camera')
  await mkdir(source)
  const template = await writeImage(root, 'template.jpg', { width: 2400, height: 1600, seed: 11 })
  for (let i = 1; i <= FILES; i += 1) await copyFile(template, join(source, `DSC_${String(i).padStart(4, '0')}.jpg`))
})
afterAll(() => rm(root, { recursive: true, force: true }))

let app: BrowserApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function startBig(target: string): Promise<BrowserApp> {
  const opened = await launchBrowserApp()
  app = opened
  await chooseFolders(opened, source, target)
  await chooseSettings(opened.page, { size: SIZE, workers: WORKERS })
  await button(opened.page, 'Start').click()
  // The first finished row: the batch is really under way, and most of it is still to come.
  await waitForRowState(opened.page, 'scaled')
  await watchCancelFeedback(opened.page)
  return opened
}

async function expectCanceledCleanly(running: BrowserApp, target: string): Promise<void> {
  const { page } = running
  const summary = await waitForSummary(running)

  // "Canceling…" came in the same breath as the request, on a disabled button.
  const feedback = await cancelFeedback(page)
  expect(feedback.asked).not.toBeNull()
  expect(feedback.shown).not.toBeNull()
  expect(feedback.shown! - feedback.asked!).toBeLessThan(AT_ONCE_MS)
  expect(feedback.disabled).toBe(true)
  expect(feedback.heading).toBe('Canceling…')

  // The summary says canceled, and the batch stopped early: files not yet started were never started.
  expect(summary.canceled).toBe(true)
  expect(summary.todo).toBe(FILES)
  const processed = summary.copied + summary.scaled + summary.skipped + summary.failed
  expect(processed).toBeGreaterThanOrEqual(1)
  expect(summary.canceledFiles).toBe(FILES - processed)
  // Canceled a moment after the first file finished: at ~15 files a second, far fewer than half got done.
  expect(summary.canceledFiles).toBeGreaterThanOrEqual(FILES / 2)
  expect(await page.getByRole('status').textContent()).toBe(summaryLine(summary))
  expect(summaryLine(summary)).toMatch(/ \[canceled\]$/)
  expect(await page.getByRole('heading', { level: 2, name: 'Canceled' }).count()).toBe(1)
  expect(await tileCount(page, 'canceled')).toBe(summary.canceledFiles)
  expect(await tileCount(page, 'scaled')).toBe(summary.scaled)

  // Every file has a row; the canceled ones say so.
  const rows = await collectRows(page)
  expect(rows).toHaveLength(FILES)
  expect(new Set(rows.map((row) => row.file)).size).toBe(FILES)
  const canceled = rows.filter((row) => row.state === 'canceled')
  expect(canceled).toHaveLength(summary.canceledFiles)
  for (const row of canceled) expect(row).toMatchObject({ status: 'canceled', detail: 'canceled before it started', time: '', showInFolder: false })
  expect(rows.filter((row) => row.state === 'running')).toEqual([])
  const results = engineResults(running)
  for (const row of rows) expect(row.state, row.file).toBe(results.find((result) => result.file === row.file)?.action)

  // On disk: nothing half-written, and whole outputs for exactly the rows that say copied or scaled.
  await running.idle()
  const onDisk = await listFiles(target)
  expect(onDisk.filter(isTempName)).toEqual([])
  const done = rows.filter((row) => row.state === 'copied' || row.state === 'scaled').map((row) => row.file)
  expect(onDisk).toEqual(done.sort())
  for (const file of onDisk) {
    const image = await decodeStrict(join(target, file))
    expect({ width: image.width, height: image.height }).toEqual({ width: 1600, height: 1067 })
    expect((await shownSize(join(target, file))).format).toBe('jpeg')
  }
  expect(running.problems).toEqual([])
}

describe('cancel mid-run', () => {
  it('with the Cancel button: "Canceling…" at once, a canceled summary, no partial file', async () => {
    const target = join(root, 'by-button')
    const running = await startBig(target)
    await button(running.page, 'Cancel').click()
    await expectCanceledCleanly(running, target)
  })

  it('with Escape, from wherever the focus is', async () => {
    const target = join(root, 'by-escape')
    const running = await startBig(target)
    await running.page.keyboard.press('Escape')
    await expectCanceledCleanly(running, target)
  })
})
