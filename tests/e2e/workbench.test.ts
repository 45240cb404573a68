import { existsSync } from 'node:fs'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import type { Page } from 'playwright-core'
import type { Summary } from '../../src/shared/batch'
import type { ExistingPolicy } from '../../src/shared/recipe'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { syntheticPhoto } from '../../src/core/synthetic'
import { formatBytes } from '../../src/shared/format'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import type { PageElement } from './page-globals'
import {
  button,
  chooseExisting,
  chooseFolders,
  collectRows,
  decodeStrict,
  enginePlans,
  eventually,
  expectReadableMessage,
  fitted,
  isTempName,
  listFiles,
  listFilter,
  listOutputs,
  outputCard,
  plannedPaths,
  setOutput,
  shownSize,
  waitForSummary
} from './support'

/**
 * The outputs editor end to end: a recipe of two outputs typed into its cards, planned before
 * it runs, previewed without writing, run on picked files only; and what each makes on disk.
 */

/** Source file → the size it is shown at. IMG_0001 carries EXIF a stripped output must lose. */
const PHOTOS: Record<string, { width: number; height: number }> = {
  'IMG_0001.jpg': { width: 3000, height: 2000 },
  'IMG_0002.jpg': { width: 1600, height: 2400 },
  'scan.png': { width: 2400, height: 1200 }
}
const ARTIST = 'A. Photographer'

let folders: TempFolders
beforeAll(async () => {
  folders = await tempFolders()
  await syntheticPhoto({ width: 3000, height: 2000, seed: 71 })
    .withExif({ IFD0: { Artist: ARTIST, Copyright: '(c) 2024 A. Photographer' } })
    .jpeg({ quality: 90 })
    .toFile(join(folders.source, 'IMG_0001.jpg'))
  await writeImage(folders.source, 'IMG_0002.jpg', { width: 1600, height: 2400, seed: 72 })
  await writeImage(folders.source, 'scan.png', { width: 2400, height: 1200, seed: 73, format: 'png' })
})
afterAll(() => folders?.cleanup())

let app: BrowserApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function open(target: string, source = folders.source): Promise<BrowserApp> {
  app = await launchBrowserApp()
  await chooseFolders(app, source, target)
  return app
}

/**
 * Web and thumbs into `root/folder`, by the button `press`; with `existing`, the target holds
 * a stranger's file first and the form says what to do about it.
 */
async function webAndThumbsInto(
  folder: string,
  press: 'Start' | 'Preview plan',
  existing?: { foreign: string; policy: ExistingPolicy }
): Promise<{ page: Page; target: string; summary: Summary }> {
  const target = join(folders.root, folder)
  if (existing) {
    await mkdir(dirname(join(target, existing.foreign)), { recursive: true })
    await writeFile(join(target, existing.foreign), 'somebody else’s file\n')
  }
  const { page } = await open(target)
  await webAndThumbs(app!)
  if (existing) await chooseExisting(page, existing.policy)
  await button(page, press).click()
  return { page, target, summary: await waitForSummary(app!) }
}

/** The recipe of the first scenarios: a web size in WebP, and a thumbnail in JPEG without metadata. */
async function webAndThumbs(opened: BrowserApp): Promise<void> {
  const { page } = opened
  await setOutput(page, 1, { size: 1920, format: 'webp', folder: 'web' })
  await button(page, 'Add output').click()
  await setOutput(page, 2, { size: 400, format: 'jpeg', metadata: 'strip', folder: 'thumbs' })
  // The cards' live examples say where IMG_2041 of a camera would go.
  await eventually(
    async () => [
      await outputCard(page, 1).getByRole('list', { name: 'Output 1 names' }).textContent(),
      await outputCard(page, 2).getByRole('list', { name: 'Output 2 names' }).textContent()
    ],
    (examples) => expect(examples).toEqual(['IMG_2041.jpg → web/IMG_2041.webp (1920×1280)', 'IMG_2041.jpg → thumbs/IMG_2041.jpg (400×267)'])
  )
  await eventually(
    () => page.getByText('2 outputs per photo, on 2 worker threads.', { exact: true }).count(),
    (count) => expect(count).toBe(1)
  )
}

const stem = (file: string): string => file.replace(/\.[^.]+$/, '')
const WEB_LINE = 'longest side 1920 px · WebP 80 · all metadata → web/'
const THUMBS_LINE = 'longest side 400 px · JPEG 90 · no metadata → thumbs/'

describe('a recipe of two outputs', () => {
  it('makes a WebP of each photo in web/ and a stripped JPEG thumbnail in thumbs/, and the run view lists both', async () => {
    const { page, target, summary } = await webAndThumbsInto('two-outputs', 'Start')
    expect(summary).toMatchObject({ files: 3, outputs: 2, todo: 6, counts: { scaled: 6, copied: 0, skipped: 0, failed: 0, canceled: 0 }, canceled: false })

    // The run view says what main accepted, one line per output.
    expect(await page.getByRole('list', { name: 'Outputs' }).getByRole('listitem').allTextContents()).toEqual([WEB_LINE, THUMBS_LINE])
    expect(app!.accepted[0]?.recipe.outputs.map((output) => [output.folder, output.format, output.metadata])).toEqual([
      ['web', 'webp', 'keep'],
      ['thumbs', 'jpeg', 'strip']
    ])

    // Each row says what both of its outputs became.
    const rows = await collectRows(page)
    expect(rows.map((row) => row.file).sort()).toEqual(Object.keys(PHOTOS).sort())
    for (const row of rows) {
      const { width, height } = PHOTOS[row.file]!
      const web = fitted(width, height, 1920)
      const thumb = fitted(width, height, 400)
      expect(row, row.file).toMatchObject({
        state: 'scaled',
        detail: `${width}×${height} → ${web.width}×${web.height}; ${width}×${height} → ${thumb.width}×${thumb.height}`
      })
    }

    // On disk: exactly those files, in those folders, formats and sizes.
    await app!.idle()
    expect((await listFiles(target)).filter(isTempName)).toEqual([])
    const expected = Object.keys(PHOTOS).flatMap((file) => [`web/${stem(file)}.webp`, `thumbs/${stem(file)}.jpg`])
    expect(await listOutputs(target)).toEqual(expected.sort())
    for (const [file, { width, height }] of Object.entries(PHOTOS)) {
      const web = await shownSize(join(target, `web/${stem(file)}.webp`))
      expect(web, file).toEqual({ ...fitted(width, height, 1920), format: 'webp' })
      const thumb = await shownSize(join(target, `thumbs/${stem(file)}.jpg`))
      expect(thumb, file).toEqual({ ...fitted(width, height, 400), format: 'jpeg' })
      await decodeStrict(join(target, `web/${stem(file)}.webp`))
      await decodeStrict(join(target, `thumbs/${stem(file)}.jpg`))
    }
    // Metadata: kept in the web copy, gone from the thumbnail.
    const exifOf = async (path: string): Promise<string> => (await sharp(path).metadata()).exif?.toString('latin1') ?? ''
    expect(await exifOf(join(target, 'web/IMG_0001.webp'))).toContain(ARTIST)
    expect(await exifOf(join(target, 'thumbs/IMG_0001.jpg'))).not.toContain(ARTIST)
    expect(app!.problems).toEqual([])
  })
})

describe('Preview plan', () => {
  it('lists what would be made and writes nothing; "Start this plan" then makes exactly the planned paths', async () => {
    const { page, target, summary: plan } = await webAndThumbsInto('planned', 'Preview plan')
    expect(plan).toMatchObject({ dryRun: true, files: 3, todo: 6, counts: { scaled: 6, copied: 0, skipped: 0, failed: 0, canceled: 0 } })
    expect(await page.getByRole('heading', { level: 2, name: 'Plan' }).count()).toBe(1)

    // Every row is planned, and says what, how big, where, and about how many bytes.
    const rows = await collectRows(page)
    expect(rows.map((row) => row.file).sort()).toEqual(Object.keys(PHOTOS).sort())
    for (const row of rows) {
      const { width, height } = PHOTOS[row.file]!
      const web = fitted(width, height, 1920)
      const thumb = fitted(width, height, 400)
      expect(row.state, row.file).toBe('planned')
      expect(row.detail, row.file).toMatch(
        new RegExp(
          `^scale ${width}×${height} → ${web.width}×${web.height} → web/${stem(row.file)}\\.webp, about [\\d.]+ KB; ` +
            `scale ${width}×${height} → ${thumb.width}×${thumb.height} → thumbs/${stem(row.file)}\\.jpg, about [\\d.]+ KB$`
        )
      )
    }
    const planned = plannedPaths(app!)
    expect(planned).toEqual(Object.keys(PHOTOS).flatMap((file) => [`web/${stem(file)}.webp`, `thumbs/${stem(file)}.jpg`]).sort())
    // A plan writes nothing at all: not even the target folder.
    await app!.idle()
    expect(existsSync(target)).toBe(false)

    // Carried out: the same request for real, and exactly what was planned.
    await button(page, 'Start this plan').click()
    const done = await waitForSummary(app!, 2)
    expect(done).toMatchObject({ dryRun: false, files: 3, todo: 6, counts: { scaled: 6 }, canceled: false })
    expect(app!.accepted.map((request) => request.dryRun)).toEqual([true, false])
    expect({ ...app!.accepted[1], dryRun: true }).toEqual(app!.accepted[0])
    await app!.idle()
    expect((await listFiles(target)).filter(isTempName)).toEqual([])
    expect(await listOutputs(target)).toEqual(planned)
    expect(app!.problems).toEqual([])
  })

  it('highlights a file whose output would be renamed around an existing file, and the filter shows only such files', async () => {
    const foreign = 'web/IMG_0002.webp'
    const { page, target } = await webAndThumbsInto('collisions', 'Preview plan', { foreign, policy: 'rename' })

    const plans = enginePlans(app!)
    expect(plans.get('IMG_0002.jpg')?.[0]).toMatchObject({ path: 'web/IMG_0002 (1).webp', renamed: { from: foreign, because: 'existing' } })
    const collision = page.locator('[data-testid="file-row"].collision')
    await eventually(
      () => collision.locator('.file-path').allTextContents(),
      (files) => expect(files).toEqual(['IMG_0002.jpg'])
    )
    expect(await collision.locator('.file-detail').textContent()).toContain(`web/IMG_0002 (1).webp (${foreign} was already there)`)
    expect(await page.getByTestId('file-row').count()).toBe(3)

    await listFilter(page).selectOption({ label: 'Renamed or replacing' })
    await eventually(
      async () => (await collectRows(page)).map((row) => row.file),
      (files) => expect(files).toEqual(['IMG_0002.jpg'])
    )
    expect(await page.getByRole('heading', { level: 2, name: 'Renamed or replacing' }).count()).toBe(1)
    await listFilter(page).selectOption('all')
    await eventually(
      async () => (await collectRows(page)).length,
      (count) => expect(count).toBe(3)
    )
    // Still only the stranger's file in the target.
    await app!.idle()
    expect(await listFiles(target)).toEqual([foreign])
    expect(app!.problems).toEqual([])
  })

  it('highlights a file whose output would replace one with the overwrite policy', async () => {
    const foreign = 'thumbs/scan.jpg'
    const { page, target } = await webAndThumbsInto('replacing', 'Preview plan', { foreign, policy: 'overwrite' })
    const collision = page.locator('[data-testid="file-row"].collision')
    await eventually(
      () => collision.locator('.file-path').allTextContents(),
      (files) => expect(files).toEqual(['scan.png'])
    )
    expect(await collision.locator('.file-detail').textContent()).toMatch(/→ thumbs\/scan\.jpg, about [\d.]+ KB, replacing what is there$/)
    await app!.idle()
    expect(await listFiles(target)).toEqual([foreign])
  })
})

describe('Before and after', () => {
  it('shows the original and one pane per output at the sizes a run makes, follows a change of size, and writes nothing', async () => {
    const target = join(folders.root, 'previewed')
    const { page } = await open(target)
    await setOutput(page, 1, { size: 1920, format: 'webp', folder: 'web' })
    await button(page, 'Add output').click()
    await setOutput(page, 2, { kind: 'width', size: 600, format: 'jpeg', folder: 'small' })
    await button(page, 'Show preview').click()
    await page.getByLabel('Photo', { exact: true }).selectOption('IMG_0001.jpg')
    const details = page.getByTestId('pane-details')
    await eventually(
      () => details.allTextContents(),
      (texts) => {
        expect(texts).toHaveLength(3)
        expect(texts[0]).toMatch(/^3000×2000 · JPEG · [\d.]+ [KM]B$/)
        expect(texts[1]).toMatch(/^1920×1280 · WEBP · [\d.]+ KB \(\d+% smaller\) · made in /)
        expect(texts[2]).toMatch(/^600×400 · JPEG · [\d.]+ KB \(\d+% smaller\) · made in /)
      },
      30_000
    )
    expect(await page.getByTestId('preview-pane').count()).toBe(3)
    expect(await page.getByRole('img', { name: 'Output 2 of IMG_0001.jpg' }).count()).toBe(1)

    // A new size: the preview is made again, and says so.
    await setOutput(page, 2, { size: 800 })
    await eventually(
      () => details.allTextContents(),
      (texts) => {
        expect(texts).toHaveLength(3)
        expect(texts[1]).toMatch(/^1920×1280 · WEBP · /)
        expect(texts[2]).toMatch(/^800×533 · JPEG · /)
      },
      30_000
    )
    // 1:1 shows real pixels: each image drawn as wide as it is.
    await page.getByRole('radio', { name: '1:1', exact: true }).check()
    const images = page.locator('.preview-image img')
    const drawnWidths = (): Promise<number[]> => images.evaluateAll((all) => all.map((img) => Math.round((img as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width)))
    await eventually(drawnWidths, (widths) => expect(widths).toEqual([3000, 1920, 800]))
    // The panes pan together: the output pane scrolled to its far corner takes the others to theirs.
    const panes = page.locator('.preview-image')
    await panes.nth(1).evaluate((pane) => {
      const element = pane as unknown as PageElement
      element.scrollLeft = element.scrollWidth
      element.scrollTop = element.scrollHeight
    })
    const shares = (): Promise<number[][]> =>
      panes.evaluateAll((all) =>
        all.map((pane) => {
          const element = pane as unknown as PageElement
          return [element.scrollLeft / (element.scrollWidth - element.clientWidth), element.scrollTop / (element.scrollHeight - element.clientHeight)].map((share) => Math.round(share * 100))
        })
      )
    await eventually(shares, (all) => expect(all).toEqual([[100, 100], [100, 100], [100, 100]]))
    // 2:1: every pixel twice as large, for judging sharpening and artefacts.
    await page.getByRole('radio', { name: '2:1', exact: true }).check()
    await eventually(drawnWidths, (widths) => expect(widths).toEqual([6000, 3840, 1600]))
    await page.getByRole('radio', { name: 'Fit', exact: true }).check()
    // Another photo of the folder: the original's pane follows.
    await page.getByLabel('Photo', { exact: true }).selectOption('scan.png')
    await eventually(
      () => details.allTextContents(),
      (texts) => expect(texts.map((text) => text.split(' · ').slice(0, 2).join(' · '))).toEqual(['2400×1200 · PNG', '1920×960 · WEBP', '800×400 · JPEG'])
    )
    // Nothing was written anywhere: no target, and the source as it was.
    expect(existsSync(target)).toBe(false)
    expect(await listFiles(folders.source)).toEqual(Object.keys(PHOTOS).sort())

    // The run makes what the preview showed: the same sizes, and the same bytes.
    await page.getByLabel('Photo', { exact: true }).selectOption('IMG_0001.jpg')
    await eventually(
      () => details.allTextContents(),
      (texts) => expect(texts[0]).toMatch(/^3000×2000 · JPEG/),
      30_000
    )
    const shown = await eventually(
      () => details.allTextContents(),
      (texts) => expect(texts[2]).toMatch(/^800×533 · JPEG/),
      30_000
    )
    await button(page, 'Start').click()
    await waitForSummary(app!)
    await app!.idle()
    expect(await listOutputs(target)).toEqual(Object.keys(PHOTOS).flatMap((file) => [`small/${stem(file)}.jpg`, `web/${stem(file)}.webp`]).sort())
    const web = join(target, 'web/IMG_0001.webp')
    const small = join(target, 'small/IMG_0001.jpg')
    expect(await shownSize(web)).toEqual({ width: 1920, height: 1280, format: 'webp' })
    expect(await shownSize(small)).toEqual({ width: 800, height: 533, format: 'jpeg' })
    expect(shown[1]).toContain(` · ${formatBytes((await stat(web)).size)} (`)
    expect(shown[2]).toContain(` · ${formatBytes((await stat(small)).size)} (`)
    expect(app!.problems).toEqual([])
  })
})

describe('Choose files instead…', () => {
  it('makes only the two files picked of five, into the target itself', async () => {
    const picked = await tempFolders()
    try {
      const names = ['DSC_0001.jpg', 'DSC_0002.jpg', 'DSC_0003.jpg', 'DSC_0004.jpg', 'DSC_0005.jpg']
      for (const [i, name] of names.entries()) await writeImage(picked.source, name, { width: 1800, height: 1200, seed: 80 + i })
      // A sub-folder a whole-folder run would walk.
      await writeImage(picked.source, 'extra/DSC_0006.jpg', { width: 1800, height: 1200, seed: 86 })
      app = await launchBrowserApp()
      const { page } = app
      app.files.images = [join(picked.source, 'DSC_0002.jpg'), join(picked.source, 'DSC_0004.jpg')]
      await button(page, 'Choose files instead…').click()
      await eventually(
        () => page.getByTestId('picked-files').textContent(),
        (text) => expect(text).toBe('Only 2 picked files of the source folder, into the target itself (no sub-folders).')
      )
      expect(await page.getByLabel('Source folder', { exact: true }).inputValue()).toBe(picked.source)
      expect(await page.getByLabel('Include sub-folders').isDisabled()).toBe(true)
      // The command line scales whole folders: it cannot say this batch.
      await page.getByLabel('Target folder', { exact: true }).fill(picked.target)
      expect(await button(page, 'Copy as command line').isDisabled()).toBe(true)
      await setOutput(page, 1, { size: 900 })
      await button(page, 'Start').click()
      const summary = await waitForSummary(app)
      expect(summary).toMatchObject({ files: 2, todo: 2, counts: { scaled: 2, copied: 0, skipped: 0, failed: 0, canceled: 0 } })
      expect(app.accepted[0]).toMatchObject({ files: ['DSC_0002.jpg', 'DSC_0004.jpg'], recursive: false })
      expect(await page.locator('.run-header .hint').last().textContent()).toBe('2 picked files · 2 worker threads · flat · existing outputs kept')
      expect((await collectRows(page)).map((row) => [row.file, row.state])).toEqual([
        ['DSC_0002.jpg', 'scaled'],
        ['DSC_0004.jpg', 'scaled']
      ])
      await app.idle()
      expect(await listOutputs(picked.target)).toEqual(['DSC_0002.jpg', 'DSC_0004.jpg'])
      for (const file of ['DSC_0002.jpg', 'DSC_0004.jpg']) expect(await shownSize(join(picked.target, file))).toEqual({ width: 900, height: 600, format: 'jpeg' })
      expect(app.problems).toEqual([])
    } finally {
      await app?.close()
      app = undefined
      await picked.cleanup()
    }
  })
})

describe('a request main refuses', () => {
  it('reads as a sentence, without channel or error class names, for Start, Preview plan and the preview alike', async () => {
    app = await launchBrowserApp()
    const { page } = app
    await page.getByLabel('Source folder', { exact: true }).fill('photos')
    await page.getByLabel('Target folder', { exact: true }).fill(join(folders.root, 'never'))
    const alert = page.getByRole('alert')
    for (const [tries, start] of ['Start', 'Preview plan'].entries()) {
      await button(page, start).click()
      // Main has answered this start (not only the one before), and the page says why it refused.
      await eventually(
        () => app!.handled.filter((channel) => channel === 'batch:start').length,
        (count) => expect(count).toBe(tries + 1)
      )
      const message = await eventually(
        async () => ((await alert.count()) === 1 && (await button(page, 'Start').isEnabled()) ? ((await alert.textContent()) ?? '') : ''),
        (text) => expect(text).not.toBe('')
      )
      expect(message, start).toBe('the source folder must be a full path, starting from the top of a disk')
      expectReadableMessage(message)
      // Still the form, and nothing started.
      expect(await button(page, 'Start').isEnabled()).toBe(true)
    }
    expect(app.accepted).toEqual([])

    // The preview asks main for the folder's files: refused the same way, in the same words.
    await button(page, 'Show preview').click()
    const problem = page.locator('.preview .field-error')
    const said = await eventually(
      async () => ((await problem.count()) === 1 ? ((await problem.textContent()) ?? '') : ''),
      (text) => expect(text).not.toBe('')
    )
    expectReadableMessage(said)
    expect(said).toBe('the source folder must be a full path, starting from the top of a disk')
    expect(existsSync(join(folders.root, 'never'))).toBe(false)
  })
})
