import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadPreset } from '../../src/core/presets'
import { BUILT_IN_PRESETS, presetSchema } from '../../src/shared/presets'
import { outputSchema, type OutputSpec } from '../../src/shared/recipe'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import { button, chooseFolders, eventually, expectReadableMessage, listOutputs, outputCard, setOutput, sizeField, waitForSummary } from './support'

/**
 * Presets are the config folder's JSON files that the CLI's `--preset NAME` reads: saved,
 * applied, renamed, deleted, imported and exported from the form, each checked on disk and
 * read back by the CLI's own loader. The handlers run in this process, so the config folder is
 * a temporary one set before the app starts.
 */

let folders: TempFolders
let config: string
let presets: string
let app: BrowserApp
const previousConfig = process.env.IMAGESCALE_CONFIG_DIR

beforeAll(async () => {
  folders = await tempFolders()
  config = join(folders.root, 'config')
  presets = join(config, 'presets')
  process.env.IMAGESCALE_CONFIG_DIR = config
  await writeImage(folders.source, 'IMG_0001.jpg', { width: 3000, height: 2000, seed: 111 })
  app = await launchBrowserApp()
})

afterAll(async () => {
  await app?.close()
  if (previousConfig === undefined) delete process.env.IMAGESCALE_CONFIG_DIR
  else process.env.IMAGESCALE_CONFIG_DIR = previousConfig
  await folders?.cleanup()
})

const card = () => app.page.getByRole('group', { name: 'Presets', exact: true })
const presetSelect = () => card().getByLabel('Preset', { exact: true })
const nameField = () => card().getByLabel('Name', { exact: true })
const message = () => card().getByRole('status')

/** The card's message once it says `text` (or matches it), and whether it is shown as an error. */
async function said(text: string | RegExp): Promise<{ text: string; error: boolean }> {
  return eventually(
    async () => ({ text: (await message().textContent()) ?? '', error: ((await message().getAttribute('class')) ?? '').includes('field-error') }),
    (shown) => (typeof text === 'string' ? expect(shown.text).toBe(text) : expect(shown.text).toMatch(text))
  )
}

const presetFiles = async (): Promise<string[]> => (existsSync(presets) ? (await readdir(presets)).sort() : [])
const options = async (): Promise<string[]> => presetSelect().locator('option').evaluateAll((all) => all.map((option) => (option as unknown as { value: string }).value))

/** The recipe typed into the editor below: a WebP for the web and a stripped JPEG thumbnail. */
const MINE: OutputSpec[] = [
  outputSchema.parse({ resize: { kind: 'long', size: 1920 }, format: 'webp', quality: 75, folder: 'web' }),
  outputSchema.parse({ resize: { kind: 'long', size: 400 }, format: 'jpeg', metadata: 'strip', folder: 'thumbs' })
]

describe('presets', () => {
  it('saves the recipe as a preset file the CLI reads back as the same outputs', async () => {
    const { page } = app
    await eventually(options, (values) => expect(values).toEqual(['', ...Object.keys(BUILT_IN_PRESETS)]))
    await setOutput(page, 1, { size: 1920, format: 'webp', quality: '75', folder: 'web' })
    await button(page, 'Add output').click()
    await setOutput(page, 2, { size: 400, format: 'jpeg', metadata: 'strip', folder: 'thumbs' })
    await nameField().fill('my-web')
    await button(page, 'Save recipe as preset').click()
    expect(await said('Saved "my-web".')).toEqual({ text: 'Saved "my-web".', error: false })

    expect(await presetFiles()).toEqual(['my-web.json'])
    const saved = await loadPreset('my-web')
    expect(saved.outputs).toEqual(MINE)
    // The file is complete JSON, every setting written out.
    expect(presetSchema.parse(JSON.parse(await readFile(join(presets, 'my-web.json'), 'utf8')))).toEqual(saved)
    expect(await presetSelect().inputValue()).toBe('my-web')

    // The same outputs as the page sends main for a batch.
    await chooseFolders(app, folders.source, join(folders.root, 'never-written'))
    await button(page, 'Preview plan').click()
    await waitForSummary(app)
    expect(app.accepted[0]?.recipe.outputs).toEqual(saved.outputs)
    await button(page, 'New batch').click()
    await eventually(options, (values) => expect(values).toContain('my-web'))
  })

  it('applies a built-in ("web"): the form shows its settings, and a run makes what it says', async () => {
    const { page } = app
    await presetSelect().selectOption('web')
    // A built-in can be applied and exported, not renamed or deleted.
    expect(await button(page, 'Delete').isDisabled()).toBe(true)
    expect(await button(page, 'Rename chosen').isDisabled()).toBe(true)
    await button(page, 'Apply').click()
    await said('Applied "web".')

    const output = outputCard(page, 1)
    await eventually(
      async () => ({
        outputs: await page.getByRole('group', { name: /^Output \d+$/ }).count(),
        resize: await output.getByLabel('Resize', { exact: true }).inputValue(),
        size: await sizeField(page).inputValue(),
        format: await output.getByLabel('Format', { exact: true }).inputValue(),
        quality: await output.getByLabel('Quality (1–100)', { exact: true }).inputValue(),
        metadata: await output.getByLabel('Metadata', { exact: true }).inputValue(),
        progressive: await output.getByLabel('Progressive JPEG', { exact: true }).isChecked(),
        srgb: await output.getByLabel('Convert to sRGB (for the web)', { exact: true }).isChecked()
      }),
      (form) =>
        expect(form).toEqual({ outputs: 1, resize: 'long', size: '2048', format: 'jpeg', quality: '82', metadata: 'strip-gps', progressive: true, srgb: true })
    )
    // Applying a built-in leaves the name for a copy empty.
    expect(await nameField().inputValue()).toBe('')

    const target = join(folders.root, 'web-run')
    await page.getByLabel('Target folder', { exact: true }).fill(target)
    await button(page, 'Start').click()
    await waitForSummary(app, 2)
    expect(app.accepted[1]?.recipe.outputs).toEqual(BUILT_IN_PRESETS.web.outputs)
    await app.idle()
    expect(await listOutputs(target)).toEqual(['IMG_0001.jpg'])
    const made = await sharp(join(target, 'IMG_0001.jpg')).metadata()
    expect({ width: made.width, height: made.height, format: made.format, progressive: made.isProgressive }).toEqual({
      width: 2048,
      height: 1365,
      format: 'jpeg',
      progressive: true
    })
    await button(page, 'New batch').click()
  })

  it('renames one of the user’s presets, file and all', async () => {
    const { page } = app
    await eventually(options, (values) => expect(values).toContain('my-web'))
    await presetSelect().selectOption('my-web')
    await nameField().fill('my-site')
    await button(page, 'Rename chosen').click()
    await said('Renamed "my-web" to "my-site".')
    expect(await presetFiles()).toEqual(['my-site.json'])
    expect((await loadPreset('my-site')).outputs).toEqual(MINE)
    expect(await presetSelect().inputValue()).toBe('my-site')
    expect(await options()).not.toContain('my-web')
  })

  it('deletes it: the file is gone and the CLI no longer finds it', async () => {
    const { page } = app
    await presetSelect().selectOption('my-site')
    await button(page, 'Delete').click()
    await said('Deleted "my-site".')
    expect(await presetFiles()).toEqual([])
    expect(await options()).not.toContain('my-site')
    await expect(loadPreset('my-site')).rejects.toThrow(/there is no preset "my-site"/)
  })

  it('imports a preset file into the config folder, and Apply uses it', async () => {
    const { page } = app
    const file = join(folders.root, 'shared', 'holiday.json')
    await mkdir(join(folders.root, 'shared'), { recursive: true })
    const json = { description: 'holiday prints', outputs: [{ resize: { kind: 'short', size: 1200 }, format: 'jpeg', quality: 88 }] }
    await writeFile(file, JSON.stringify(json))
    app.files.preset = [file]
    await button(page, 'Import…').click()
    await said('Imported "holiday": choose Apply to use it.')
    expect(await presetFiles()).toEqual(['holiday.json'])
    expect(await loadPreset('holiday')).toEqual(presetSchema.parse(json))
    expect(await presetSelect().inputValue()).toBe('holiday')

    await button(page, 'Apply').click()
    await said('Applied "holiday".')
    await eventually(
      async () => [await outputCard(page, 1).getByLabel('Resize', { exact: true }).inputValue(), await sizeField(page).inputValue()],
      (form) => expect(form).toEqual(['short', '1200'])
    )
    expect(await nameField().inputValue()).toBe('holiday')
  })

  it('refuses a broken file with a readable message, and copies nothing', async () => {
    const { page } = app
    const notJson = join(folders.root, 'shared', 'broken.json')
    await writeFile(notJson, '{ "description": "half a preset", "outputs": [')
    app.files.preset = [notJson]
    await button(page, 'Import…').click()
    const first = await said(/broken\.json/)
    expect(first.error).toBe(true)
    expect(first.text).toMatch(new RegExp(`^the preset ${notJson.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON \\(`))
    expectReadableMessage(first.text)

    const wrong = join(folders.root, 'shared', 'too-good.json')
    await writeFile(wrong, JSON.stringify({ outputs: [{ resize: { kind: 'long', size: 800 }, quality: 500 }] }))
    app.files.preset = [wrong]
    await button(page, 'Import…').click()
    const second = await said(/too-good\.json/)
    expect(second.error).toBe(true)
    expect(second.text).toBe(`the preset ${wrong}: output 1: quality must be at most 100`)
    expectReadableMessage(second.text)
    expect(await presetFiles()).toEqual(['holiday.json'])

    // A canceled dialog imports nothing and says nothing new.
    app.files.preset = []
    await button(page, 'Import…').click()
    await eventually(
      () => app.handled.filter((channel) => channel === 'presets:import').length,
      (count) => expect(count).toBe(4)
    )
    expect(await presetFiles()).toEqual(['holiday.json'])
  })

  it('exports a built-in and one of the user’s to where the save dialog says', async () => {
    const { page } = app
    const out = join(folders.root, 'exported')
    await presetSelect().selectOption('web')
    app.savePath = join(out, 'web.json')
    await button(page, 'Export…').click()
    await said('Exported "web".')
    const web = JSON.parse(await readFile(app.savePath, 'utf8')) as unknown
    expect(presetSchema.parse(web)).toEqual(BUILT_IN_PRESETS.web)
    expect(await loadPreset(app.savePath)).toEqual(BUILT_IN_PRESETS.web)

    await presetSelect().selectOption('holiday')
    app.savePath = join(out, 'holiday copy.json')
    await button(page, 'Export…').click()
    await said('Exported "holiday".')
    expect(await loadPreset(app.savePath)).toEqual(await loadPreset('holiday'))

    // Canceled: nothing more is written.
    app.savePath = null
    await button(page, 'Export…').click()
    await eventually(
      () => app.handled.filter((channel) => channel === 'presets:export').length,
      (count) => expect(count).toBe(3)
    )
    expect((await readdir(out)).sort()).toEqual(['holiday copy.json', 'web.json'])
    expect(app.problems).toEqual([])
  })
})
