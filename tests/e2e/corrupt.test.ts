import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Summary } from '../../src/shared/batch'
import { summaryLine } from '../../src/shared/summary-text'
import { tempFolders, type TempFolders } from '../helpers/images'
import type { BrowserApp } from './browser-app'
import {
  button,
  collectRows,
  decodeStrict,
  engineResults,
  eventually,
  fileList,
  isTempName,
  listFiles,
  listOutputs,
  tileCount,
  runThroughForm,
  writeDamagedJpeg,
  writePhotos,
  writeTruncatedJpeg,
  type RowView
} from './support'

/**
 * Damaged photos among good ones: one cut off in transfer cannot be decoded and is skipped with
 * its reason in plain sight; one with a run of bad bytes decodes leniently, is scaled, and is
 * flagged as damaged so a person looks at it. Both are problems; the rest go through.
 */

const SIZE = 1024
const BROKEN = 'IMG_0104.jpg'
const DAMAGED = 'IMG_0107.jpg'
const GOOD = ['IMG_0101.jpg', 'IMG_0102.jpg', 'IMG_0103.jpg', 'IMG_0105.jpg', 'IMG_0106.jpg']

let folders: TempFolders
let app: BrowserApp
let summary: Summary
let rows: RowView[]

beforeAll(async () => {
  folders = await tempFolders()
  await writePhotos(
    folders.source,
    { 'IMG_0101.jpg': { width: 2400, height: 1600, seed: 21 }, 'IMG_0102.jpg': { width: 1600, height: 2400, seed: 22 } },
    { 'IMG_0101.jpg': ['IMG_0103.jpg', 'IMG_0105.jpg'], 'IMG_0102.jpg': ['IMG_0106.jpg'] }
  )
  await writeTruncatedJpeg(folders.source, BROKEN, { width: 2400, height: 1600, seed: 23 })
  await writeDamagedJpeg(folders.source, DAMAGED, { width: 2400, height: 1600, seed: 24 })
  ;({ app, summary, rows } = await runThroughForm(folders.source, folders.target, { size: SIZE, workers: 2 }))
})

afterAll(async () => {
  await app?.close()
  await folders?.cleanup()
})

describe('damaged files among good ones', () => {
  it('skips the one cut off, scales the rest, and counts the damaged one', async () => {
    expect(summary).toMatchObject({
      files: 7,
      todo: 7,
      counts: { scaled: 6, copied: 0, skipped: 1, failed: 0, canceled: 0 },
      warnings: 1,
      canceled: false
    })
    expect(summary.skippedBy).toEqual({ corrupt: 1 })
    expect(await app.page.getByRole('status').textContent()).toBe(summaryLine(summary))
    expect(summaryLine(summary)).toBe('copied 0 scaled 6 (1 damaged) skipped 1 using 2 worker threads')
    expect(rows.find((row) => row.file === BROKEN)).toMatchObject({ state: 'skipped', status: 'skipped', showInFolder: false })
    expect(rows.find((row) => row.file === DAMAGED)).toMatchObject({ state: 'scaled', status: 'scaled', showInFolder: true })
    for (const file of GOOD) expect(rows.find((row) => row.file === file)?.state, file).toBe('scaled')
  })

  it("shows the engine's reason sentence on the skipped file's row", async () => {
    const result = engineResults(app).find((r) => r.file === BROKEN)
    const output = result?.outcome === 'done' ? result.outputs[0] : undefined
    expect(output).toMatchObject({ outcome: 'skipped', reason: 'corrupt' })
    const message = output?.outcome === 'skipped' ? output.message : ''
    expect(message).toMatch(/^damaged or incomplete JPEG, it cannot be decoded \(/)
    const row = rows.find((r) => r.file === BROKEN)
    expect(row?.detail).toBe(message)
    const rowElement = app.page.getByTestId('file-row').filter({ has: app.page.getByTitle(BROKEN, { exact: true }) })
    expect(await rowElement.getByText(message, { exact: true }).isVisible()).toBe(true)
    // However long the sentence, all of it is reachable: the status carries it as its tooltip.
    expect(await rowElement.getByTitle(message, { exact: true }).count()).toBe(1)
  })

  it("says on the damaged file's row what the decoder had to do, once", async () => {
    const result = engineResults(app).find((r) => r.file === DAMAGED)
    const output = result?.outcome === 'done' ? result.outputs[0] : undefined
    expect(output).toMatchObject({ outcome: 'scaled', size: { width: 1024, height: 683 } })
    const warning = output?.outcome === 'scaled' ? (output.warning ?? '') : ''
    expect(warning).toMatch(/^damaged: decoded leniently, /)
    const detail = rows.find((r) => r.file === DAMAGED)?.detail ?? ''
    expect(detail.startsWith('2400×1600 → 1024×683 ')).toBe(true)
    expect(detail).toContain(warning.replace(/^damaged: /, ''))
    // One "damaged" is news; the same word twice in a row is noise.
    expect(detail).not.toMatch(/damaged: damaged/)
  })

  it('lists the reasons in the summary, and both damaged files under problems', async () => {
    expect(await tileCount(app.page, 'skipped')).toBe(1)
    expect(await tileCount(app.page, 'scaled')).toBe(6)
    expect(await app.page.getByRole('list', { name: 'Reasons' }).getByRole('listitem').allTextContents()).toEqual([
      'skipped 1: damaged or corrupt',
      'warning 1: damaged, decoded leniently (see each file)'
    ])
    await button(app.page, 'Show problems').click()
    await eventually(
      () => fileList(app.page).getByTestId('file-row').count(),
      (count) => expect(count).toBe(2)
    )
    expect((await collectRows(app.page)).map((row) => row.file)).toEqual([BROKEN, DAMAGED])
    await button(app.page, 'Show all files').click()
    expect(await collectRows(app.page)).toHaveLength(7)
  })

  it('writes whole outputs for the good and the damaged files, and nothing for the broken one', async () => {
    expect((await listFiles(folders.target)).filter(isTempName)).toEqual([])
    const onDisk = await listOutputs(folders.target)
    expect(onDisk).toEqual([...GOOD, DAMAGED].sort())
    for (const file of onDisk) {
      const { width, height } = await decodeStrict(join(folders.target, file))
      expect(Math.max(width, height)).toBe(SIZE)
    }
    expect(app.problems).toEqual([])
  })
})
