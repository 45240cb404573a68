import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Summary } from '../../src/shared/batch'
import { summaryLine } from '../../src/shared/reasons'
import { tempFolders, type TempFolders } from '../helpers/images'
import type { BrowserApp } from './browser-app'
import {
  button,
  collectRows,
  decodeStrict,
  engineResults,
  fileList,
  isTempName,
  listFiles,
  tileCount,
  runThroughForm,
  writePhotos,
  writeTruncatedJpeg,
  type RowView
} from './support'

/** A photo cut off in transfer, among good ones: it is skipped with its reason in plain sight, the rest go through. */

const SIZE = 1024
const BROKEN = 'IMG_0104.jpg'
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
  ;({ app, summary, rows } = await runThroughForm(folders.source, folders.target, { size: SIZE, workers: 2 }))
})

afterAll(async () => {
  await app?.close()
  await folders?.cleanup()
})

describe('a corrupt file among good ones', () => {
  it('is skipped as corrupt while every other file is scaled', async () => {
    expect(summary).toMatchObject({ todo: 6, scaled: 5, copied: 0, skipped: 1, failed: 0, canceled: false })
    expect(summary.skippedBy).toEqual({ corrupt: 1 })
    expect(await app.page.getByRole('status').textContent()).toBe(summaryLine(summary))
    expect(rows.find((row) => row.file === BROKEN)).toMatchObject({ state: 'skipped', status: 'skipped', showInFolder: false })
    for (const file of GOOD) expect(rows.find((row) => row.file === file)?.state, file).toBe('scaled')
  })

  it("shows the engine's reason sentence on the file's row", async () => {
    const result = engineResults(app).find((r) => r.file === BROKEN)
    expect(result).toMatchObject({ action: 'skipped', reason: 'corrupt' })
    expect(result?.message).toMatch(/^damaged or incomplete JPEG, it cannot be decoded \(/)
    const row = rows.find((r) => r.file === BROKEN)
    expect(row?.detail).toBe(result?.message)
    const rowElement = app.page.getByTestId('file-row').filter({ has: app.page.getByTitle(BROKEN, { exact: true }) })
    const reason = rowElement.getByText(result!.message!, { exact: true })
    expect(await reason.isVisible()).toBe(true)
    // However long the sentence, all of it is reachable: the status carries it as its tooltip.
    expect(await rowElement.getByTitle(result!.message!, { exact: true }).count()).toBe(1)
  })

  it('lists the skip reason in the summary and filters to it', async () => {
    expect(await tileCount(app.page, 'skipped')).toBe(1)
    expect(await tileCount(app.page, 'scaled')).toBe(5)
    expect(await app.page.getByRole('list', { name: 'Reasons' }).textContent()).toBe('skipped: unreadable or corrupt 1')
    await button(app.page, 'Show problems').click()
    await expect.poll(() => fileList(app.page).getByTestId('file-row').count()).toBe(1)
    expect((await collectRows(app.page)).map((row) => row.file)).toEqual([BROKEN])
  })

  it('writes whole outputs for the good files and nothing for the broken one', async () => {
    const onDisk = await listFiles(folders.target)
    expect(onDisk).toEqual([...GOOD].sort())
    expect(onDisk.filter(isTempName)).toEqual([])
    for (const file of onDisk) {
      const { width, height } = await decodeStrict(join(folders.target, file))
      expect(Math.max(width, height)).toBe(SIZE)
    }
    expect(app.problems).toEqual([])
  })
})
