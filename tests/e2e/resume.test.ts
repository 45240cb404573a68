import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import {
  writeCard,
  button,
  cancelWithoutWaitingForMain,
  chooseFolders,
  chooseSettings,
  collectRows,
  decodeStrict,
  engineResults,
  eventually,
  isTempName,
  listFiles,
  listFilter,
  listOutputs,
  setOutput,
  shownSize,
  waitForRowState,
  waitForSummary,
  writeSlowPng
} from './support'

/**
 * What a cancel leaves can be finished later: "Resume (N left)" runs the same request again,
 * and the journal in the target makes every file already done a skip, so each output is made
 * exactly once. Stop now leaves nothing half-made, and Resume after it finishes the rest.
 */

const FILES = 40

let root: string
let source: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imagescale-e2e-resume-'))
  source = await writeCard(root, 'card', FILES, { prefix: 'IMG', seed: 91 })
})
afterAll(() => rm(root, { recursive: true, force: true }))

let app: BrowserApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

/** Outputs made per file over every batch the app ran, from the engine's own results. */
function madeCounts(running: BrowserApp): Map<string, number> {
  const made = new Map<string, number>()
  for (const result of engineResults(running)) {
    if (result.outcome !== 'done') continue
    const count = result.outputs.filter((output) => output.outcome === 'scaled' || output.outcome === 'copied').length
    made.set(result.file, (made.get(result.file) ?? 0) + count)
  }
  return made
}

describe('Resume after a cancel', () => {
  it('makes every file that was left, and none a second time', async () => {
    const target = join(root, 'resumed')
    app = await launchBrowserApp()
    const { page } = app
    await chooseFolders(app, source, target)
    await chooseSettings(page, { size: 1600, workers: 2 })
    await button(page, 'Start').click()
    await waitForRowState(page, 'scaled')
    await cancelWithoutWaitingForMain(app, () => button(page, 'Cancel').click())
    const first = await waitForSummary(app)
    expect(first.canceled).toBe(true)
    const left = first.counts.canceled + first.counts.failed
    expect(left, 'the batch finished before the cancel could be tried').toBeGreaterThan(0)
    expect(first.counts.scaled + left).toBe(FILES)
    await app.idle()
    const before = await listOutputs(target)
    expect(before).toHaveLength(first.counts.scaled)

    // The summary offers the rest, counted.
    const resume = button(page, `Resume (${left} left)`)
    expect(await resume.isVisible()).toBe(true)
    await resume.click()
    const second = await waitForSummary(app, 2)
    expect(second).toMatchObject({ canceled: false, files: FILES, todo: FILES, counts: { scaled: left, copied: 0, failed: 0, canceled: 0 } })
    // What the first batch made was skipped as done, by the journal, not made again.
    expect(second.counts.skipped).toBe(first.counts.scaled)
    expect(second.skippedBy).toEqual({ 'already-done': first.counts.scaled })
    expect(app.accepted).toHaveLength(2)
    expect(app.accepted[1]).toEqual(app.accepted[0])
    expect(await page.getByRole('heading', { level: 2, name: 'Done' }).count()).toBe(1)
    // Nothing left: no second Resume.
    expect(await page.getByRole('button', { name: /^Resume/ }).count()).toBe(0)

    // On disk: every file once, whole, under its own name; the first batch's files untouched.
    await app.idle()
    expect((await listFiles(target)).filter(isTempName)).toEqual([])
    const onDisk = await listOutputs(target)
    expect(onDisk).toHaveLength(FILES)
    expect(onDisk).toEqual(Array.from({ length: FILES }, (_, i) => `IMG_${String(i + 1).padStart(4, '0')}.jpg`))
    for (const file of onDisk) {
      const image = await decodeStrict(join(target, file))
      expect({ width: image.width, height: image.height }, file).toEqual({ width: 1600, height: 1067 })
    }
    const made = madeCounts(app)
    expect(made.size).toBe(FILES)
    for (const [file, count] of made) expect(count, file).toBe(1)
    expect(app.problems).toEqual([])
  })
})

describe('Stop now while a file with two outputs is half made', () => {
  const SLOW = ['pano-1.png', 'pano-2.png']
  let slowSource: string
  beforeAll(async () => {
    slowSource = join(root, 'panoramas')
    await writeSlowPng(slowSource, SLOW[0]!)
    await copyFile(join(slowSource, SLOW[0]!), join(slowSource, SLOW[1]!))
  })

  it('leaves no partial or temporary file, says on each row what is on disk, and Resume then makes every output once', async () => {
    const target = join(root, 'stopped')
    app = await launchBrowserApp()
    const { page } = app
    await chooseFolders(app, slowSource, target)
    // A quick small output first, then a slow nearly full-size one: Stop now can come between them.
    await setOutput(page, 1, { size: 300, folder: 'small' })
    await button(page, 'Add output').click()
    await setOutput(page, 2, { size: 5999, folder: 'large' })
    await page.getByLabel('Worker threads').fill('1')
    await button(page, 'Start').click()
    await waitForRowState(page, 'running')
    // The first file's small output is published; its large one is being made.
    await eventually(
      () => listOutputs(target),
      (files) => expect(files).toContain('small/pano-1.png'),
      30_000
    )
    expect(app.ended, 'the first file finished before Stop now could be tried').toEqual([])
    await cancelWithoutWaitingForMain(app, () => button(page, 'Cancel').click())
    await button(page, 'Stop now').click()
    const stopped = await waitForSummary(app)
    expect(stopped).toMatchObject({ canceled: true, files: 2, outputs: 2, todo: 4 })
    await app.idle()

    // Nothing half-written anywhere.
    expect((await listFiles(target)).filter(isTempName)).toEqual([])
    const onDisk = await listOutputs(target)
    const rows = await collectRows(page)
    const results = engineResults(app)
    // What each row claims of a file is what its folder holds: made outputs are there, the rest are not.
    for (const file of SLOW) {
      const result = results.find((r) => r.file === file)
      const claimed =
        result?.outcome === 'done' ? result.outputs.filter((output) => output.outcome === 'scaled' || output.outcome === 'copied').map((output) => output.path) : []
      const there = onDisk.filter((path) => path.endsWith(`/${file}`))
      expect(there, `${file}: ${result ? JSON.stringify(result).slice(0, 300) : 'not started'}`).toEqual(claimed.sort())
    }
    // The abandoned file is listed as canceled, and the Canceled filter shows it.
    const canceled = rows.filter((row) => row.state === 'canceled')
    expect(canceled.map((row) => row.file)).toContain('pano-1.png')
    await listFilter(page).selectOption('canceled')
    await eventually(
      async () => (await collectRows(page)).map((row) => row.file),
      (files) => expect(files).toEqual(canceled.map((row) => row.file))
    )
    await listFilter(page).selectOption('all')

    // Resume: every output of every file, each once, and nothing refused as somebody else's.
    const left = stopped.counts.canceled + stopped.counts.failed
    await button(page, `Resume (${left} left)`).click()
    const resumed = await waitForSummary(app, 2)
    expect(resumed).toMatchObject({ canceled: false, counts: { failed: 0, canceled: 0 } })
    expect(resumed.skippedBy['target-exists'] ?? 0, JSON.stringify(resumed.skippedBy)).toBe(0)
    await app.idle()
    expect(await listOutputs(target)).toEqual(['large/pano-1.png', 'large/pano-2.png', 'small/pano-1.png', 'small/pano-2.png'])
    for (const file of SLOW) {
      expect(await shownSize(join(target, 'small', file))).toEqual({ width: 300, height: 200, format: 'png' })
      expect(await shownSize(join(target, 'large', file))).toEqual({ width: 5999, height: 3999, format: 'png' })
    }
    expect(app.problems).toEqual([])
  })
})
