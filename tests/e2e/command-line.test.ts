import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseCommand } from '../../src/cli/args'
import type { BatchRequest } from '../../src/shared/recipe'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { launchBrowserApp, type BrowserApp } from './browser-app'
import { button, chooseExisting, eventually, setOutput, waitForSummary } from './support'

/**
 * "Copy as command line" puts on the clipboard the `imagescale …` command for the batch the form
 * describes. Pasted into a shell and read by the CLI, it must ask for exactly the request main
 * accepts when Start is pressed on the same form (see tests/cli/command-line.test.ts).
 */

let folders: TempFolders
let cwd: string
beforeAll(async () => {
  // Awkward folder names: the command quotes them for the shell.
  folders = await tempFolders()
  folders.source = join(folders.root, "Lisbon 'June' $HOME")
  await writeImage(folders.source, 'IMG_0001.jpg', { width: 2400, height: 1600, seed: 121 })
  cwd = await mkdtemp(join(folders.root, 'cwd-'))
})
afterAll(() => folders?.cleanup())

let app: BrowserApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

/** The words a POSIX shell gives `imagescale` from a pasted line (a function prints them NUL-separated). */
function shellArgs(command: string): string[] {
  const printed = execFileSync('/bin/sh', ['-c', `imagescale() { printf '%s\\0' "$@"; }\n${command}`], { encoding: 'utf8' })
  return printed.split('\0').slice(0, -1)
}

/** What the CLI makes of the copied text, run from `cwd` (where a preset it names is saved). */
async function cliRequest(copied: string): Promise<BatchRequest> {
  const lines = copied.split('\n')
  const command = lines.at(-1)!
  const saveAs = /^# save as (.+):$/.exec(lines[0] ?? '')
  if (saveAs) await writeFile(join(cwd, saveAs[1]!), `${lines.slice(1, -1).join('\n')}\n`)
  const here = process.cwd()
  process.chdir(cwd)
  try {
    const parsed = await parseCommand(shellArgs(command))
    if (parsed.kind !== 'run') throw new Error(`not a run: ${command}`)
    return parsed.request
  } finally {
    process.chdir(here)
  }
}

/** Copies, checks what the page shows and the clipboard got, then starts the same form and returns both requests. */
async function copyThenStart(opened: BrowserApp): Promise<{ copied: string; accepted: BatchRequest }> {
  const { page } = opened
  await button(page, 'Copy as command line').click()
  const copied = await eventually(
    () => opened.clipboard,
    (clipboard) => expect(clipboard).toHaveLength(1)
  ).then((clipboard) => clipboard[0]!)
  expect(await page.getByTestId('command-line').textContent()).toBe(copied)
  await button(page, 'Start').click()
  await waitForSummary(opened)
  return { copied, accepted: opened.accepted[0]! }
}

async function openWith(target: string): Promise<BrowserApp> {
  app = await launchBrowserApp()
  // Typed, not picked: the command must carry the paths exactly.
  await app.page.getByLabel('Source folder', { exact: true }).fill(folders.source)
  await app.page.getByLabel('Target folder', { exact: true }).fill(target)
  // One worker: not this machine's default, so the command has to say it.
  await app.page.getByLabel('Worker threads').fill('1')
  return app
}

describe('Copy as command line', () => {
  it('copies a command the CLI reads back as the request main accepted, for sizes the flags can say', async () => {
    const opened = await openWith(join(folders.root, 'out sizes'))
    await setOutput(opened.page, 1, { size: '1920, 800', format: 'webp', quality: '70' })
    await chooseExisting(opened.page, 'rename')
    const { copied, accepted } = await copyThenStart(opened)
    expect(copied.startsWith('imagescale ')).toBe(true)
    expect(copied).not.toContain('\n')
    expect(copied).toContain('--sizes long:1920,long:800')
    expect(accepted.recipe.outputs.map((output) => output.folder)).toEqual(['1920', '800'])
    expect(await cliRequest(copied)).toEqual(accepted)
    expect(app!.problems).toEqual([])
  })

  it('copies a preset beside the command when the flags cannot say the recipe, and the two read back as the same request', async () => {
    const opened = await openWith(join(folders.root, 'out preset'))
    const { page } = opened
    await setOutput(page, 1, { size: 1600, format: 'webp', folder: 'web' })
    await button(page, 'Add output').click()
    await setOutput(page, 2, { size: 300, format: 'jpeg', metadata: 'strip', folder: 'thumbs', name: '{name}-{width}.{ext}' })
    const { copied, accepted } = await copyThenStart(opened)
    const lines = copied.split('\n')
    expect(lines[0]).toBe('# save as recipe.json:')
    expect(lines.at(-1)!.startsWith('imagescale --preset recipe.json ')).toBe(true)
    expect(await cliRequest(copied)).toEqual(accepted)
    await rm(join(cwd, 'recipe.json'))
    expect(app!.problems).toEqual([])
  })
})
