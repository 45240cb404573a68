import { readFile, writeFile } from 'node:fs/promises'
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
  fitted,
  isTempName,
  listFiles,
  shownSize,
  summaryFromUpdates,
  tileCount,
  runThroughForm,
  writePhotos,
  type RowView
} from './support'

/**
 * One whole batch through the page: folders from the dialog buttons, a size typed in, Start,
 * then everything the page claims is checked against the files really written.
 */

const SIZE = 1024

/** Source file → the size a viewer shows it at. */
const SHOWN: Record<string, { width: number; height: number }> = {
  'IMG_0001.jpg': { width: 2400, height: 1600 },
  'IMG_0002.jpg': { width: 1200, height: 1800 },
  // Stored landscape, shown portrait: EXIF orientation 6.
  'IMG_0003.jpg': { width: 1200, height: 1600 },
  'scan-0004.png': { width: 1800, height: 1200 },
  'Lisbon/IMG_0005.webp': { width: 1300, height: 900 },
  'Lisbon/IMG_0006.jpg': { width: 800, height: 600 },
  'icon.png': { width: 256, height: 256 }
}
const NOT_IMAGES = ['notes.txt']

let folders: TempFolders
let app: BrowserApp
let summary: Summary
let rows: RowView[]

beforeAll(async () => {
  folders = await tempFolders()
  await writePhotos(folders.source, {
    'IMG_0001.jpg': { width: 2400, height: 1600, seed: 1 },
    'IMG_0002.jpg': { width: 1200, height: 1800, seed: 2 },
    'IMG_0003.jpg': { width: 1600, height: 1200, seed: 3, orientation: 6 },
    'scan-0004.png': { width: 1800, height: 1200, seed: 4, format: 'png' },
    'Lisbon/IMG_0005.webp': { width: 1300, height: 900, seed: 5, format: 'webp' },
    'Lisbon/IMG_0006.jpg': { width: 800, height: 600, seed: 6 },
    'icon.png': { width: 256, height: 256, seed: 7, format: 'png' }
  })
  await writeFile(join(folders.source, 'notes.txt'), 'shot list: tram 28, Alfama, sunset at Senhora do Monte\n')

  ;({ app, summary, rows } = await runThroughForm(folders.source, folders.target, { size: SIZE, workers: 2 }))
})

afterAll(async () => {
  await app?.close()
  await folders?.cleanup()
})

describe('a full run in the browser', () => {
  it('ran the batch the form described, on the real engine', () => {
    expect(summary).toMatchObject({ todo: 8, copied: 2, scaled: 5, skipped: 1, failed: 0, canceled: false, canceledFiles: 0, workers: 2 })
    expect(summary.skippedBy).toEqual({ 'not-an-image': 1 })
    // The summary main was told about is the one that went to the page.
    expect(summaryFromUpdates(app)).toEqual([summary])
    expect(app.problems).toEqual([])
  })

  it('shows the book line of the summary the engine produced', async () => {
    await expect.poll(() => app.page.getByRole('status').textContent()).toBe(summaryLine(summary))
    expect(summaryLine(summary)).toBe('copied 2 scaled 5 skipped 1 using 2 worker threads')
    await expect.poll(() => app.page.getByRole('heading', { level: 2, name: 'Done' }).count()).toBe(1)
  })

  it('lists every file once, with a state and sizes that match the files on disk', async () => {
    const onDisk = await listFiles(folders.target)
    expect(onDisk.filter(isTempName)).toEqual([])
    expect(rows.map((row) => row.file).sort()).toEqual([...Object.keys(SHOWN), ...NOT_IMAGES].sort())

    // Rows that produced something are exactly the files in the target.
    const produced = rows.filter((row) => row.state === 'copied' || row.state === 'scaled')
    expect(produced.map((row) => row.file).sort()).toEqual(onDisk)

    for (const row of produced) {
      const input = SHOWN[row.file]!
      const output = await shownSize(join(folders.target, row.file))
      // Every output decodes fully, in the input's format.
      const pixels = await decodeStrict(join(folders.target, row.file))
      expect(pixels.data.length).toBeGreaterThan(0)
      expect(output.format).toBe(row.file.endsWith('.png') ? 'png' : row.file.endsWith('.webp') ? 'webp' : 'jpeg')
      const expected = fitted(input.width, input.height, SIZE)
      expect(Math.abs(output.width - expected.width), row.file).toBeLessThanOrEqual(1)
      expect(Math.abs(output.height - expected.height), row.file).toBeLessThanOrEqual(1)
      expect(Math.max(output.width, output.height)).toBeLessThanOrEqual(SIZE)
      if (input.width <= SIZE && input.height <= SIZE) {
        expect(row).toMatchObject({ state: 'copied', status: 'copied', detail: `${input.width}×${input.height}` })
        // A copy is the same file.
        expect(await readFile(join(folders.target, row.file))).toEqual(await readFile(join(folders.source, row.file)))
      } else {
        expect(row).toMatchObject({
          state: 'scaled',
          status: 'scaled',
          detail: `${input.width}×${input.height} → ${output.width}×${output.height}`
        })
      }
      expect(row.time).toMatch(/^\d+ ms$|^\d+\.\ds$/)
      expect(row.showInFolder).toBe(true)
    }

    const skipped = rows.find((row) => row.file === 'notes.txt')
    expect(skipped).toMatchObject({ state: 'skipped', status: 'skipped', detail: 'not an image', showInFolder: false })
  })

  it('agrees with what the engine reported for each file', () => {
    const results = engineResults(app)
    expect(results).toHaveLength(summary.todo)
    for (const result of results) {
      const row = rows.find((r) => r.file === result.file)
      expect(row?.state, result.file).toBe(result.action)
      if (result.action === 'scaled') expect(row?.detail).toBe(`${result.input!.width}×${result.input!.height} → ${result.output!.width}×${result.output!.height}`)
    }
  })

  it('shows summary numbers that match the target folder', async () => {
    const onDisk = await listFiles(folders.target)
    const count = (state: string): number => rows.filter((row) => row.state === state).length
    expect(await tileCount(app.page, 'copied')).toBe(summary.copied)
    expect(await tileCount(app.page, 'scaled')).toBe(summary.scaled)
    expect(await tileCount(app.page, 'skipped')).toBe(summary.skipped)
    expect(await tileCount(app.page, 'failed')).toBe(0)
    expect(await tileCount(app.page, 'canceled')).toBe(0)
    expect(summary.copied + summary.scaled).toBe(onDisk.length)
    expect({ copied: count('copied'), scaled: count('scaled'), skipped: count('skipped') }).toEqual({
      copied: summary.copied,
      scaled: summary.scaled,
      skipped: summary.skipped
    })
    await expect.poll(() => app.page.getByRole('list', { name: 'Reasons' }).textContent()).toBe('skipped: not an image 1')
    await expect.poll(() => app.page.getByText(`${rows.length} files`, { exact: true }).count()).toBe(1)
  })

  it('opens the target folder through the shell', async () => {
    await button(app.page, 'Open target folder').click()
    await expect.poll(() => app.opened).toEqual([folders.target])
  })

  it("reveals a row's output in its folder", async () => {
    const row = app.page.getByTestId('file-row').filter({ has: app.page.getByTitle('Lisbon/IMG_0005.webp', { exact: true }) })
    await row.getByRole('button', { name: 'Show in folder' }).click()
    await expect.poll(() => app.revealed).toEqual([join(folders.target, 'Lisbon/IMG_0005.webp')])
  })

  it('filters the list to problems in one click, and back', async () => {
    const toggle = button(app.page, 'Show problems')
    await toggle.click()
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true')
    await expect.poll(() => app.page.getByRole('heading', { name: 'Problems' }).count()).toBe(1)
    const problems = await collectRows(app.page)
    expect(problems.map(({ file, state }) => ({ file, state }))).toEqual(
      rows.filter((row) => row.state === 'skipped' || row.state === 'failed').map(({ file, state }) => ({ file, state }))
    )
    expect(problems).toHaveLength(1)
    await expect.poll(() => app.page.getByText(`1 of ${rows.length} files`, { exact: true }).count()).toBe(1)

    await toggle.click()
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false')
    expect(await collectRows(app.page)).toHaveLength(rows.length)
  })
})
