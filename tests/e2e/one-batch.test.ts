import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { StartResult } from '../../src/shared/ipc'
import { LIMITS, singleOutput, type BatchRequest } from '../../src/shared/recipe'
import { summaryLine } from '../../src/shared/summary-text'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import type { PageGlobals } from './page-globals'
import {
  writeCard,
  button,
  chooseFolders,
  chooseSettings,
  decodeStrict,
  eventually,
  expectValue,
  isTempName,
  listFiles,
  listOutputs,
  waitForRowState,
  waitForSummary
} from './support'

/**
 * One batch at a time: a second start while one runs, from the page's API (a second window)
 * or from the form after a reload, is refused with a message, and the running batch is untouched.
 */

const FILES = 40
const SIZE = 2000
const WORKERS = 2
const BUSY_MESSAGE = 'a batch is already running: cancel it or wait for it to finish'

let root: string
let source: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imagescale-e2e-busy-'))
  source = await writeCard(root, 'wedding', FILES, { prefix: 'IMG', seed: 31 })
})
afterAll(() => rm(root, { recursive: true, force: true }))

let app: BrowserApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function startLong(target: string): Promise<BrowserApp> {
  const opened = await launchBrowserApp()
  app = opened
  await chooseFolders(opened, source, target)
  await chooseSettings(opened.page, { size: SIZE, workers: WORKERS })
  await button(opened.page, 'Start').click()
  await waitForRowState(opened.page, 'running')
  return opened
}

/** The first batch, having shared the machine with the refused starts, still did all of its work. */
async function expectFirstBatchComplete(running: BrowserApp, target: string): Promise<void> {
  await eventually(
    () => running.ended.length,
    (ended) => expect(ended).toBeGreaterThanOrEqual(1),
    45_000
  )
  expect(running.ended[0]).toMatchObject({ todo: FILES, counts: { scaled: FILES, copied: 0, skipped: 0, failed: 0, canceled: 0 }, canceled: false, notStarted: 0 })
  await running.idle()
  expect((await listFiles(target)).filter(isTempName)).toEqual([])
  const onDisk = await listOutputs(target)
  expect(onDisk).toHaveLength(FILES)
  for (const file of onDisk) {
    const { width, height } = await decodeStrict(join(target, file))
    expect({ width, height }).toEqual({ width: 2000, height: 1333 })
  }
}

describe('a second start while a batch runs', () => {
  it('from the API (as a second window would) is refused with "busy" and a message', async () => {
    const target = join(root, 'out-api')
    const running = await startLong(target)
    const second: BatchRequest = {
      source,
      target: join(root, 'elsewhere'),
      recipe: { outputs: [singleOutput(400, 'smooth')] },
      workers: 1,
      recursive: true,
      existing: 'skip',
      maxPixels: LIMITS.maxPixels.default,
      dryRun: false,
      keepDates: false
    }
    const refused = await running.page.evaluate((options) => (globalThis as unknown as PageGlobals).api.start('second-window', options), second)
    expect(refused).toEqual<StartResult>({ ok: false, code: 'busy', message: BUSY_MESSAGE })
    expect(running.ended).toEqual([])

    // The page that owns the batch carries on to its own summary.
    const summary = await waitForSummary(running)
    expect(summary).toMatchObject({ todo: FILES, counts: { scaled: FILES }, canceled: false })
    expect(await running.page.getByRole('status').textContent()).toBe(summaryLine(summary))
    await expectFirstBatchComplete(running, target)
    // The refused start touched nothing.
    expect(await listFiles(root).then((files) => files.filter((file) => file.startsWith('elsewhere/')))).toEqual([])
    expect(running.problems).toEqual([])
  })

  it('from the form after a reload shows the refusal, and Start works again once the batch is over', async () => {
    const target = join(root, 'out-reload')
    const running = await startLong(target)
    const { page } = running
    await page.reload()
    // The form comes back with the folders it remembered.
    await expectValue(page.getByLabel('Source folder', { exact: true }), source)
    await expectValue(page.getByLabel('Target folder', { exact: true }), target)
    await button(page, 'Start').click()

    const alert = page.getByRole('alert')
    await eventually(
      () => alert.textContent(),
      (text) => expect(text).toContain(BUSY_MESSAGE)
    )
    expect(await button(page, 'Cancel the running batch').isVisible()).toBe(true)
    // Still the form: the refused start did not take the page into a run.
    expect(await button(page, 'Start').isEnabled()).toBe(true)
    expect(running.ended).toEqual([])

    await expectFirstBatchComplete(running, target)

    // Once it is over, the same form starts a batch; the journal shows every output done, so all are skipped.
    await button(page, 'Start').click()
    const again = await waitForSummary(running, 2)
    expect(again).toMatchObject({ todo: FILES, counts: { scaled: 0, copied: 0, skipped: FILES, failed: 0, canceled: 0 }, canceled: false })
    expect(again.skippedBy).toEqual({ 'already-done': FILES })
    expect(await page.getByRole('alert').count()).toBe(0)
    expect(running.problems).toEqual([])
  })
})
