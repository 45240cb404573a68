import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Summary } from '../../src/shared/batch'
import { tempFolders, type TempFolders } from '../helpers/images'
import type { BrowserApp } from './browser-app'
import {
  collectRows,
  eventually,
  listFilter,
  listOutputs,
  listSearch,
  listSort,
  rowsInView,
  runThroughForm,
  writePhotos,
  type RowView
} from './support'

/**
 * The file list of a finished batch is where a person looks for one file: searched by name,
 * filtered to the problems, sorted as a file manager sorts; and it takes most of the window,
 * small windows included.
 */

/** Top-level names a plain sort gets wrong (IMG_10 before IMG_2, upper case before lower). */
const TOP = [...Array.from({ length: 24 }, (_, i) => `IMG_${i + 1}.jpg`), 'img_3b.jpg']
/** Walked after the top level's files, but first by name. */
const ARCHIVE = ['Archive/IMG_7.jpg', 'Archive/IMG_12.jpg']
const NOTES = 'notes.txt'
const ALL = [...TOP, ...ARCHIVE, NOTES]

let folders: TempFolders
let app: BrowserApp
let summary: Summary
let rows: RowView[]

beforeAll(async () => {
  folders = await tempFolders()
  const [first, ...rest] = [...TOP, ...ARCHIVE]
  await writePhotos(folders.source, { [first!]: { width: 1200, height: 800, seed: 101 } }, { [first!]: rest })
  await writeFile(join(folders.source, NOTES), 'captions to write\n')
  ;({ app, summary, rows } = await runThroughForm(folders.source, folders.target, { size: 400, workers: 2 }))
})

afterAll(async () => {
  await app?.close()
  await folders?.cleanup()
})

const files = (list: RowView[]): string[] => list.map((row) => row.file)
const countLine = (text: string) => app.page.getByText(text, { exact: true })

describe('the file list after a batch', () => {
  it('lists every file of the batch, as the disk has them', async () => {
    expect(summary).toMatchObject({ files: ALL.length, counts: { scaled: ALL.length - 1, skipped: 1, failed: 0, canceled: 0 } })
    expect(files(rows).sort()).toEqual([...ALL].sort())
    expect(await listOutputs(folders.target)).toEqual([...TOP, ...ARCHIVE].sort())
  })

  it('searches by name, ignoring case, and says when nothing matches', async () => {
    const { page } = app
    await listSearch(page).fill('img_1')
    const wanted = ALL.filter((file) => file.toLowerCase().includes('img_1'))
    expect(wanted.length).toBeGreaterThan(5)
    await eventually(
      async () => files(await collectRows(page)).sort(),
      (found) => expect(found).toEqual([...wanted].sort())
    )
    expect(await countLine(`${wanted.length} of ${ALL.length} files`).count()).toBe(1)

    await listSearch(page).fill('holiday')
    await eventually(
      () => page.getByRole('region', { name: 'Files', exact: true }).textContent(),
      (text) => expect(text).toBe('No file named like "holiday" here.')
    )
    await listSearch(page).fill('')
    await eventually(
      async () => (await collectRows(page)).length,
      (count) => expect(count).toBe(ALL.length)
    )
  })

  it('filters to the problems, and to one outcome', async () => {
    const { page } = app
    await listFilter(page).selectOption('problems')
    await eventually(
      async () => (await collectRows(page)).map((row) => [row.file, row.state, row.detail]),
      (found) => expect(found).toEqual([[NOTES, 'skipped', 'not an image']])
    )
    expect(await page.getByRole('heading', { level: 2, name: 'Problems' }).count()).toBe(1)
    await listFilter(page).selectOption('scaled')
    await eventually(
      async () => files(await collectRows(page)).sort(),
      (found) => expect(found).toEqual([...TOP, ...ARCHIVE].sort())
    )
    // Nothing was canceled in this batch: the filter says so rather than showing an empty box.
    await listFilter(page).selectOption('canceled')
    await eventually(
      () => page.getByRole('region', { name: 'Canceled', exact: true }).textContent(),
      (text) => expect(text).toBe('No canceled here.')
    )
    await listFilter(page).selectOption('all')
  })

  it('sorts by name as a file manager does: numbers by value, case ignored, sub-folders among the rest', async () => {
    const { page } = app
    await listSort(page).selectOption('name')
    const sorted = await eventually(
      async () => files(await collectRows(page)),
      (found) => expect(found[0]).toBe('Archive/IMG_7.jpg')
    )
    expect(sorted).toEqual([
      'Archive/IMG_7.jpg',
      'Archive/IMG_12.jpg',
      ...Array.from({ length: 24 }, (_, i) => `IMG_${i + 1}.jpg`).flatMap((file) => (file === 'IMG_3.jpg' ? [file, 'img_3b.jpg'] : [file])),
      NOTES
    ])
    // Found order is the scan's: a folder's own files, then its sub-folders.
    await listSort(page).selectOption('found')
    await eventually(
      async () => files(await collectRows(page)).slice(-3),
      (last) => expect(last.filter((file) => file.startsWith('Archive/'))).toHaveLength(2)
    )
  })

  for (const viewport of [
    { width: 800, height: 600 },
    { width: 1280, height: 800 }
  ]) {
    it(`takes at least 45% of a ${viewport.width}×${viewport.height} window${viewport.width === 800 ? ', with at least 6 rows in view' : ''}`, async () => {
      const { page } = app
      await page.setViewportSize(viewport)
      // Once the layout has settled: two reads in a row agree.
      let previous = ''
      const measured = await eventually(
        () => rowsInView(page),
        (view) => {
          const now = JSON.stringify(view)
          const settled = now === previous
          previous = now
          expect(view.windowHeight).toBe(viewport.height)
          expect(settled).toBe(true)
        }
      )
      // Measured, then checked, so a failure reports the numbers.
      const share = measured.regionHeight / measured.windowHeight
      console.info(`file list at ${viewport.width}×${viewport.height}: ${measured.regionHeight.toFixed(0)} px (${(share * 100).toFixed(1)}%), ${measured.rows} rows in view`)
      expect(share, `list ${measured.regionHeight.toFixed(0)} px of ${measured.windowHeight} px, ${measured.rows} rows`).toBeGreaterThanOrEqual(0.45)
      if (viewport.width === 800) expect(measured.rows, `list ${measured.regionHeight.toFixed(0)} px of ${measured.windowHeight} px`).toBeGreaterThanOrEqual(6)
      else expect(measured.rows).toBeGreaterThanOrEqual(1)
    })
  }
})
