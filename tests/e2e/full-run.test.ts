import { readFile, writeFile } from 'node:fs/promises'
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
  fitted,
  eventually,
  isTempName,
  listFiles,
  listOutputs,
  outcomeOf,
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
    expect(summary).toMatchObject({
      files: 8,
      todo: 8,
      counts: { copied: 2, scaled: 5, skipped: 1, failed: 0, canceled: 0 },
      canceled: false,
      notStarted: 0,
      warnings: 0,
      hostRestarts: 0,
      workers: 2
    })
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
    expect((await listFiles(folders.target)).filter(isTempName)).toEqual([])
    const onDisk = await listOutputs(folders.target)
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
      expect(row?.state, result.file).toBe(outcomeOf(result))
      if (result.outcome === 'done' && result.outputs[0]?.outcome === 'scaled') {
        const { shown } = result.info!
        const { size } = result.outputs[0]
        expect(row?.detail, result.file).toBe(`${shown.width}×${shown.height} → ${size.width}×${size.height}`)
      }
      if (result.outcome === 'skipped') expect(row?.detail, result.file).toBe(result.message)
    }
  })

  it('shows summary numbers that match the target folder', async () => {
    const onDisk = await listOutputs(folders.target)
    const count = (state: string): number => rows.filter((row) => row.state === state).length
    const { counts } = summary
    expect(await tileCount(app.page, 'copied')).toBe(counts.copied)
    expect(await tileCount(app.page, 'scaled')).toBe(counts.scaled)
    expect(await tileCount(app.page, 'skipped')).toBe(counts.skipped)
    expect(await tileCount(app.page, 'failed')).toBe(0)
    expect(await tileCount(app.page, 'canceled')).toBe(0)
    expect(counts.copied + counts.scaled).toBe(onDisk.length)
    expect({ copied: count('copied'), scaled: count('scaled'), skipped: count('skipped') }).toEqual({
      copied: counts.copied,
      scaled: counts.scaled,
      skipped: counts.skipped
    })
    await expect.poll(() => app.page.getByRole('list', { name: 'Reasons' }).getByRole('listitem').allTextContents()).toEqual(['skipped 1: not an image'])
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
    // One button: its name says what a click will show.
    const toggle = app.page.locator('.summary-head button[aria-pressed]')
    expect(await toggle.textContent()).toBe('Show problems')
    await button(app.page, 'Show problems').click()
    await eventually(
      async () => ({ pressed: await toggle.getAttribute('aria-pressed'), name: await toggle.textContent() }),
      (state) => expect(state).toEqual({ pressed: 'true', name: 'Show all files' })
    )
    await expect.poll(() => app.page.getByRole('heading', { name: 'Problems' }).count()).toBe(1)
    const problems = await collectRows(app.page)
    expect(problems.map(({ file, state }) => ({ file, state }))).toEqual(
      rows.filter((row) => row.state === 'skipped' || row.state === 'failed').map(({ file, state }) => ({ file, state }))
    )
    expect(problems).toHaveLength(1)
    await expect.poll(() => app.page.getByText(`1 of ${rows.length} files`, { exact: true }).count()).toBe(1)

    await button(app.page, 'Show all files').click()
    await eventually(
      async () => ({ pressed: await toggle.getAttribute('aria-pressed'), name: await toggle.textContent() }),
      (state) => expect(state).toEqual({ pressed: 'false', name: 'Show problems' })
    )
    expect(await collectRows(app.page)).toEqual(rows)
  })
})
