import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INVOKE_CHANNELS } from '../../src/shared/ipc'
import { tempFolders, type TempFolders } from '../helpers/images'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import { button, chooseSettings, eventually, listFiles, writePhotos } from './support'

/**
 * A start that main refuses, for whatever reason, is told to the person on the form in their
 * words: what is wrong and with which folder, never the plumbing (channel names, error class
 * names, Electron's "Error invoking remote method"). Nothing starts, and the form stays usable.
 */

let folders: TempFolders
let app: BrowserApp

beforeAll(async () => {
  folders = await tempFolders()
  await writePhotos(folders.source, { 'IMG_0001.jpg': { width: 1200, height: 800, seed: 61 } })
  app = await launchBrowserApp()
})

afterAll(async () => {
  await app?.close()
  await folders?.cleanup()
})

/** Types both folders into their fields, as a person pasting paths would, and presses Start. */
async function startWith(page: Page, source: string, target: string): Promise<string> {
  await page.getByLabel('Source folder', { exact: true }).fill(source)
  await page.getByLabel('Target folder', { exact: true }).fill(target)
  await chooseSettings(page, { size: 400, workers: 1 })
  await button(page, 'Start').click()
  const alert = page.getByRole('alert')
  return eventually(
    async () => ((await alert.count()) === 1 ? ((await alert.textContent()) ?? '') : ''),
    (text) => expect(text).not.toBe('')
  )
}

/** The message is for people: none of the app's internals show through. */
function expectForPeople(message: string): void {
  for (const channel of INVOKE_CHANNELS) expect(message, message).not.toContain(channel)
  expect(message).not.toMatch(/remote method|IpcRequestError|ScaleError|Error:|invalid-request|\bat .*\.js:\d+/)
}

/** Still the form, ready for another try, and no batch was started. */
async function expectStillTheForm(page: Page): Promise<void> {
  expect(await button(page, 'Start').isEnabled()).toBe(true)
  expect(await page.getByRole('heading', { level: 2, name: 'Folders' }).count()).toBe(1)
  expect(app.updates).toEqual([])
  expect(app.ended).toEqual([])
}

describe('a start that main refuses', () => {
  it('because a folder was typed as a relative path: says the folder must be a full path', async () => {
    const message = await startWith(app.page, 'holiday photos', folders.target)
    expect(message).toContain('the source folder must be a full path, starting from the top of a disk')
    expectForPeople(message)
    await expectStillTheForm(app.page)
  })

  it('because the source folder does not exist: names it', async () => {
    const missing = join(folders.root, 'no such folder')
    const message = await startWith(app.page, missing, folders.target)
    expect(message).toBe(`the source folder does not exist: ${missing}`)
    expectForPeople(message)
    await expectStillTheForm(app.page)
  })

  it('because the target is the source: says why that is refused, and writes nothing', async () => {
    const message = await startWith(app.page, folders.source, folders.source)
    expect(message).toBe('the target folder is the source folder; outputs would replace the originals')
    expectForPeople(message)
    await expectStillTheForm(app.page)
    expect(await listFiles(folders.source)).toEqual(['IMG_0001.jpg'])
  })

  it('is cleared by the next start, which runs', async () => {
    await mkdir(folders.target, { recursive: true })
    await app.page.getByLabel('Target folder', { exact: true }).fill(folders.target)
    await button(app.page, 'Start').click()
    await eventually(
      () => app.ended.length,
      (ended) => expect(ended).toBe(1),
      45_000
    )
    expect(app.ended[0]).toMatchObject({ todo: 1, counts: { scaled: 1 }, canceled: false })
    expect(await app.page.getByRole('alert').count()).toBe(0)
    expect(app.problems).toEqual([])
  })
})
