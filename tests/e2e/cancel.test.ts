import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Summary } from '../../src/shared/batch'
import { reasonBreakdown, summaryLine } from '../../src/shared/summary-text'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import {
  writeCard,
  button,
  cancelView,
  cancelWithoutWaitingForMain,
  chooseFolders,
  chooseSettings,
  collectRows,
  decodeStrict,
  elapsedShown,
  engineResults,
  eventually,
  fileList,
  isTempName,
  listFiles,
  listOutputs,
  outcomeOf,
  shownSize,
  tileCount,
  waitForRowState,
  waitForSummary,
  writeSlowPng,
  type RowView
} from './support'

/**
 * Cancel in the middle of a batch that would take seconds: the page reacts before main has
 * even heard it, the batch ends canceled, and the target holds whole outputs for exactly the
 * finished rows. Stop now, while a slow file is on its worker, abandons it and leaves nothing.
 */

const FILES = 40
const SIZE = 1600
const WORKERS = 2

let root: string
let source: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imagescale-e2e-cancel-'))
  source = await writeCard(root, 'camera', FILES, { prefix: 'DSC', seed: 11 })
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
  return opened
}

/** The summary toggle between all files and the problems only (its name says what it will show). */
const problemsToggle = (running: BrowserApp) => running.page.locator('.summary-head button[aria-pressed]')

async function expectCanceledCleanly(running: BrowserApp, target: string): Promise<{ summary: Summary; rows: RowView[] }> {
  const { page } = running
  const summary = await waitForSummary(running)

  // The summary says canceled, and the batch stopped early: files not yet started were never started.
  expect(summary).toMatchObject({ canceled: true, files: FILES, todo: FILES, counts: { copied: 0, skipped: 0, failed: 0 } })
  // One cancel lets the files on a worker finish: the only canceled files are those never started.
  expect(summary.counts.canceled).toBe(summary.notStarted)
  expect(summary.counts.scaled).toBeGreaterThanOrEqual(1)
  expect(summary.counts.scaled + summary.notStarted).toBe(FILES)
  // Canceled a moment after the first file finished: at several files a second, far fewer than half got done.
  expect(summary.notStarted).toBeGreaterThanOrEqual(FILES / 2)
  expect(await page.getByRole('status').textContent()).toBe(summaryLine(summary))
  expect(summaryLine(summary)).toMatch(/ \[canceled\]$/)
  expect(await page.getByRole('heading', { level: 2, name: 'Canceled' }).count()).toBe(1)
  expect(await tileCount(page, 'canceled')).toBe(summary.counts.canceled)
  expect(await tileCount(page, 'scaled')).toBe(summary.counts.scaled)
  const reasons = await page.getByRole('list', { name: 'Reasons' }).getByRole('listitem').allTextContents()
  expect(reasons).toEqual(reasonBreakdown(summary))
  expect(reasons).toContain(`canceled ${summary.notStarted}: not started (${summary.notStarted} files)`)

  // Every finished file has a row; files never started are counted, said once, and not listed.
  const rows = await collectRows(page)
  expect(rows).toHaveLength(summary.counts.scaled)
  expect(new Set(rows.map((row) => row.file)).size).toBe(rows.length)
  for (const row of rows) expect(row, row.file).toMatchObject({ state: 'scaled', status: 'scaled', detail: '2400×1600 → 1600×1067', showInFolder: true })
  expect(await page.getByText(`${rows.length} files, and ${summary.notStarted} canceled before they started (not listed)`, { exact: true }).count()).toBe(1)
  const results = engineResults(running)
  expect(results).toHaveLength(rows.length)
  for (const row of rows) expect(row.state, row.file).toBe(outcomeOf(results.find((result) => result.file === row.file)!))

  // On disk: nothing half-written, and whole outputs for exactly the rows that say scaled.
  await running.idle()
  expect((await listFiles(target)).filter(isTempName)).toEqual([])
  const onDisk = await listOutputs(target)
  expect(onDisk).toEqual(rows.map((row) => row.file).sort())
  for (const file of onDisk) {
    const image = await decodeStrict(join(target, file))
    expect({ width: image.width, height: image.height }).toEqual({ width: 1600, height: 1067 })
    expect((await shownSize(join(target, file))).format).toBe('jpeg')
  }
  expect(running.problems).toEqual([])
  return { summary, rows }
}

describe('cancel mid-run', () => {
  it('with the Cancel button: "Canceling…" before main hears of it, a canceled summary, no partial file', async () => {
    const target = join(root, 'by-button')
    const running = await startBig(target)
    await cancelWithoutWaitingForMain(running, () => button(running.page, 'Cancel').click())
    await expectCanceledCleanly(running, target)
  })

  it('with Escape, from wherever the focus is', async () => {
    const target = join(root, 'by-escape')
    const running = await startBig(target)
    await cancelWithoutWaitingForMain(running, () => running.page.keyboard.press('Escape'))
    await expectCanceledCleanly(running, target)
  })

  it('then "Show problems" accounts for the canceled files instead of saying there are none', async () => {
    const target = join(root, 'problems')
    const running = await startBig(target)
    await cancelWithoutWaitingForMain(running, () => button(running.page, 'Cancel').click())
    const { summary, rows } = await expectCanceledCleanly(running, target)
    const { page } = running

    const toggle = problemsToggle(running)
    expect(await toggle.textContent()).toBe('Show problems')
    await toggle.click()
    await eventually(
      async () => ({ pressed: await toggle.getAttribute('aria-pressed'), name: await toggle.textContent() }),
      (state) => expect(state).toEqual({ pressed: 'true', name: 'Show all files' })
    )
    expect(await page.getByRole('heading', { level: 2, name: 'Problems' }).count()).toBe(1)
    // Every file that was worked on was scaled; the canceled ones were never started, so they are named by their count.
    expect(await collectRows(page)).toEqual([])
    const empty = await fileList(page).textContent()
    expect(empty).toBe(`No listed file went wrong. ${summary.notStarted} files were canceled before starting (counted in the summary, not listed).`)
    expect(empty).not.toMatch(/No problems/)
    expect(await page.getByText(`0 of ${rows.length} files, and ${summary.notStarted} canceled before they started (not listed)`, { exact: true }).count()).toBe(1)

    // And back to every file.
    await toggle.click()
    await eventually(
      async () => ({ pressed: await toggle.getAttribute('aria-pressed'), name: await toggle.textContent() }),
      (state) => expect(state).toEqual({ pressed: 'false', name: 'Show problems' })
    )
    expect(await collectRows(page)).toEqual(rows)
  })
})

describe('Stop now while a slow file is on its worker', () => {
  const SLOW_FILES = ['pano-1.png', 'pano-2.png', 'pano-3.png']
  let slowSource: string
  beforeAll(async () => {
    slowSource = join(root, 'panoramas')
    const first = await writeSlowPng(slowSource, SLOW_FILES[0]!)
    for (const name of SLOW_FILES.slice(1)) await copyFile(first, join(slowSource, name))
  })

  it('ends in the summary with the file canceled, the clock running meanwhile, and nothing partial or temporary in the target', async () => {
    const target = join(root, 'stopped')
    const running = await launchBrowserApp()
    app = running
    const { page } = running
    await chooseFolders(running, slowSource, target)
    // Almost full size: seconds of work per file, on one worker thread.
    await chooseSettings(page, { size: 5999, workers: 1 })
    await button(page, 'Start').click()
    await waitForRowState(page, 'running')
    const onWorker = (await collectRows(page)).filter((row) => row.state === 'running')
    expect(onWorker.map((row) => row.status)).toEqual(['on worker 1'])
    const slow = onWorker[0]!.file
    expect(SLOW_FILES).toContain(slow)

    // Cancel waits for the file on the worker, and says so; Stop now is offered.
    await cancelWithoutWaitingForMain(running, () => button(page, 'Cancel').click())
    await eventually(
      () => page.locator('.progress-panel .hint').textContent(),
      (hint) => expect(hint).toBe('waiting for 1 file on a worker; Stop now abandons it, writing nothing')
    )
    // The clock runs on while canceling: a slow last file must not look like a hang.
    const before = await elapsedShown(page)
    await eventually(
      () => elapsedShown(page),
      (now) => expect(now).not.toBe(before),
      5_000
    )
    // Still on its worker, or there is nothing to stop.
    expect(running.ended, 'the slow file finished before Stop now could be tried').toEqual([])
    expect((await collectRows(page)).map((row) => [row.file, row.state])).toEqual([[slow, 'running']])

    // Stop now: the page says so before main has heard it, then the batch ends at once.
    const release = running.hold('batch:stop-now')
    await button(page, 'Stop now').click()
    await eventually(
      async () => ({ view: await cancelView(page), stopping: await page.getByRole('button', { name: 'Stopping…', exact: true }).isDisabled() }),
      (state) => expect(state).toEqual({ view: { heading: 'Stopping now…', cancel: 'Canceling…', cancelDisabled: true, stopNow: false }, stopping: true })
    )
    expect(running.handled).not.toContain('batch:stop-now')
    release()
    const summary = await waitForSummary(running)

    expect(summary).toMatchObject({
      canceled: true,
      files: SLOW_FILES.length,
      todo: SLOW_FILES.length,
      notStarted: SLOW_FILES.length - 1,
      hostRestarts: 0,
      counts: { copied: 0, scaled: 0, skipped: 0, failed: 0, canceled: SLOW_FILES.length }
    })
    expect(await page.getByRole('heading', { level: 2, name: 'Canceled' }).count()).toBe(1)
    expect(await page.getByRole('status').textContent()).toBe(summaryLine(summary))
    expect(await tileCount(page, 'canceled')).toBe(SLOW_FILES.length)
    expect(await page.getByRole('list', { name: 'Reasons' }).getByRole('listitem').allTextContents()).toEqual([
      `canceled ${SLOW_FILES.length - 1}: not started (${SLOW_FILES.length - 1} files)`,
      'canceled 1: stopped while being worked on, nothing written'
    ])

    // The abandoned file has its row, which says what became of it; Show problems lists it.
    const stoppedRow = { file: slow, state: 'canceled', status: 'canceled', detail: 'stopped while it was being worked on; no half-written file was left', showInFolder: false }
    const rows = await collectRows(page)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject(stoppedRow)
    const toggle = problemsToggle(running)
    await toggle.click()
    await eventually(
      () => toggle.textContent(),
      (name) => expect(name).toBe('Show all files')
    )
    const problems = await collectRows(page)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject(stoppedRow)

    // Nothing of any file in the target: no output, no partial file, no temp file.
    await running.idle()
    expect((await listFiles(target)).filter(isTempName)).toEqual([])
    expect(await listOutputs(target)).toEqual([])
    expect(running.problems).toEqual([])
  })
})
