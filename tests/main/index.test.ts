import { existsSync } from 'node:fs'
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { hostEnvironment } from '../../src/core/host-protocol'
import { loadPreset, presetJson } from '../../src/core/presets'
import { BUILT_IN_PRESETS } from '../../src/shared/presets'
import type { BatchEvent, Summary } from '../../src/shared/batch'
import type { BatchRequest } from '../../src/shared/recipe'
import { INVOKE_CHANNELS, type BatchUpdate } from '../../src/shared/ipc'
import { OUT_MAIN } from '../helpers/built'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { requestFor, type RunOverrides } from '../helpers/run'
import { eventFrom, FakeBrowserWindow, FakeWebContents, invoke, state } from './fake-electron'

// The composition root with a fake Electron around it: the real window, security, IPC, handlers
// and a utility process that runs the real built pool host. This is where the sender check lives.
vi.mock('electron', async () => (await import('./fake-electron')).electronModule)

const LARGE = Array.from({ length: 8 }, (_, i) => `large-${i + 1}.jpg`)
const SMALL = ['small-1.jpg', 'small-2.jpg']

let folders: TempFolders
/** A folder big enough that closing the window always lands mid-batch. */
let many: string
let window: FakeBrowserWindow

const fromApp = () => eventFrom(window.contents)

const optionsFor = (target: string, overrides: RunOverrides = {}): BatchRequest =>
  requestFor(folders.source, target, { size: 400, mode: 'smooth', workers: 2, existing: 'overwrite', ...overrides })

/** A batch:start payload as the page sends it: its own id for the batch, and the request. */
let starts = 0
const startOf = (request: BatchRequest, batchId = `index-batch-${++starts}`) => ({ batchId, request })

const sentUpdates = (): BatchUpdate[] =>
  window.contents.sent.filter(({ channel }) => channel === 'batch:update').map(({ payload }) => payload as BatchUpdate)
const sentEvents = (): BatchEvent[] => sentUpdates().flatMap((update) => update.events)

function lastFork() {
  const fork = state.forks.at(-1)
  if (!fork) throw new Error('no utility process was forked')
  return fork
}

/**
 * Resolves once main is free again, i.e. the batch has ended (summary sent, or dropped for a
 * closed window): a start of a folder that does not exist is then refused for that, not as busy.
 */
async function untilNotBusy(): Promise<void> {
  const probe = optionsFor(join(folders.root, 'never-target'), { source: join(folders.root, 'no-such-source') })
  await vi.waitFor(async () => expect(await invoke('batch:start', fromApp(), startOf(probe))).toMatchObject({ ok: false, code: 'source-missing' }), {
    timeout: 30_000,
    interval: 50
  })
}

beforeAll(async () => {
  // Without a dev server the app loads its built page.
  Reflect.deleteProperty(process.env, 'ELECTRON_RENDERER_URL')
  folders = await tempFolders()
  // The app's presets live in its config folder: a temporary one, never the user's own.
  process.env.IMAGESCALE_CONFIG_DIR = join(folders.root, 'config')
  const seed = await writeImage(folders.root, 'seed.jpg', { width: 1600, height: 1200, seed: 7 })
  for (const name of LARGE) await copyFile(seed, join(folders.source, name))
  await writeImage(folders.source, 'small-1.jpg', { width: 300, height: 200, seed: 8 })
  await writeImage(folders.source, 'small-2.jpg', { width: 200, height: 300, seed: 9 })
  many = join(folders.root, 'many')
  await mkdir(many)
  for (let i = 0; i < 40; i += 1) await copyFile(seed, join(many, `photo-${i}.jpg`))
  await import('../../src/main/index')
  await vi.waitFor(() => expect(FakeBrowserWindow.created).toHaveLength(1))
  const [created] = FakeBrowserWindow.created
  if (!created) throw new Error('no window')
  window = created
})

afterAll(async () => {
  for (const { child } of state.forks) child.kill()
  await folders?.cleanup()
})

describe('the app’s main process', () => {
  it('holds the single-instance lock and opens exactly one window', () => {
    expect(state.quits).toBe(0)
    expect(FakeBrowserWindow.created).toHaveLength(1)
  })

  it('registers every channel of the contract', () => {
    expect([...state.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
  })

  it('answers its own window’s main frame', async () => {
    await expect(invoke('app:info', fromApp())).resolves.toEqual({
      cores: availableParallelism(),
      version: '0.1.0',
      platform: process.platform
    })
  })

  it.each([
    ['another web contents', () => eventFrom(new FakeWebContents())],
    ['a frame inside its own window', () => eventFrom(window.contents, { name: 'iframe' })],
    ['an event without a frame', () => eventFrom(window.contents, null)]
  ])('ignores %s: the request rejects and does nothing', async (_who, event) => {
    const dialogs = state.dialogs.length
    await expect(invoke('dialog:pick-folder', event(), { purpose: 'source' })).rejects.toThrow(/unknown sender/)
    await expect(invoke('app:info', event())).rejects.toThrow(/unknown sender/)
    await expect(invoke('batch:start', event(), startOf(optionsFor(join(folders.root, 'never'))))).rejects.toThrow(/unknown sender/)
    await expect(invoke('presets:export', event(), { name: 'web' })).rejects.toThrow(/unknown sender/)
    await expect(invoke('clipboard:write', event(), { text: 'x' })).rejects.toThrow(/unknown sender/)
    expect(state.dialogs).toHaveLength(dialogs)
    expect(state.saveDialogs).toHaveLength(0)
    expect(state.clipboard).toEqual([])
    expect(state.forks).toHaveLength(0)
  })

  it('opens the folder dialog on its window, for folders only, starting at the current folder', async () => {
    state.dialogAnswer = { canceled: false, filePaths: ['/photos/holiday'] }
    await expect(invoke('dialog:pick-folder', fromApp(), { purpose: 'source', current: '/photos' })).resolves.toBe('/photos/holiday')
    const [shown] = state.dialogs.slice(-1)
    expect(shown?.window).toBe(window)
    expect(shown?.options.properties).toContain('openDirectory')
    expect(shown?.options.properties).not.toContain('openFile')
    expect(shown?.options.defaultPath).toBe('/photos')
  })

  it('answers null when the folder dialog is canceled', async () => {
    state.dialogAnswer = { canceled: true, filePaths: [] }
    await expect(invoke('dialog:pick-folder', fromApp(), { purpose: 'target' })).resolves.toBeNull()
  })

  it('opens the file dialog on its window for several photos, starting at the current folder', async () => {
    state.dialogAnswer = { canceled: false, filePaths: ['/photos/a.jpg', '/photos/b.jpg'] }
    await expect(invoke('dialog:pick-files', fromApp(), { purpose: 'images', current: '/photos' })).resolves.toEqual(['/photos/a.jpg', '/photos/b.jpg'])
    const [shown] = state.dialogs.slice(-1)
    expect(shown?.window).toBe(window)
    expect(shown?.options.properties).toEqual(expect.arrayContaining(['openFile', 'multiSelections']))
    expect(shown?.options.properties).not.toContain('openDirectory')
    expect(shown?.options.defaultPath).toBe('/photos')
  })

  it('opens the file dialog for one preset, of JSON files, and answers [] when canceled', async () => {
    state.dialogAnswer = { canceled: true, filePaths: [] }
    await expect(invoke('dialog:pick-files', fromApp(), { purpose: 'preset' })).resolves.toEqual([])
    const [shown] = state.dialogs.slice(-1)
    expect(shown?.window).toBe(window)
    expect(shown?.options.properties).toContain('openFile')
    expect(shown?.options.properties).not.toContain('multiSelections')
    expect(shown?.options.filters).toEqual([{ name: expect.any(String), extensions: ['json'] }])
  })

  it('writes the clipboard through Electron', async () => {
    await expect(invoke('clipboard:write', fromApp(), { text: "imagescale '/photos/a b' /out" })).resolves.toBeUndefined()
    expect(state.clipboard).toEqual(["imagescale '/photos/a b' /out"])
  })

  it('exports a preset where the save dialog, opened on its window with NAME.json, says', async () => {
    const path = join(folders.root, 'exported', 'my web.json')
    await mkdir(join(folders.root, 'exported'))
    state.saveDialogAnswer = { canceled: false, filePath: path }
    await expect(invoke('presets:export', fromApp(), { name: 'web' })).resolves.toBe(true)
    const [shown] = state.saveDialogs.slice(-1)
    expect(shown?.window).toBe(window)
    expect(shown?.options.defaultPath).toBe('web.json')
    expect(shown?.options.filters).toEqual([{ name: expect.any(String), extensions: ['json'] }])
    expect(await readFile(path, 'utf8')).toBe(presetJson(BUILT_IN_PRESETS.web))
  })

  it('exports nothing when the save dialog is canceled', async () => {
    const before = await readdir(join(folders.root, 'exported'))
    state.saveDialogAnswer = { canceled: true, filePath: '' }
    await expect(invoke('presets:export', fromApp(), { name: 'email' })).resolves.toBe(false)
    expect(state.saveDialogs.at(-1)?.options.defaultPath).toBe('email.json')
    expect(await readdir(join(folders.root, 'exported'))).toEqual(before)
  })

  it('imports the preset file the open dialog gives into the app’s config folder', async () => {
    const file = join(folders.root, 'friend.json')
    await writeFile(file, JSON.stringify({ description: 'from a friend', outputs: [{ resize: { kind: 'long', size: 900 } }] }))
    state.dialogAnswer = { canceled: false, filePaths: [file] }
    const answer = (await invoke('presets:import', fromApp())) as { imported: string | null }
    expect(answer.imported).toBe('friend')
    expect(state.dialogs.at(-1)?.options.filters).toEqual([{ name: expect.any(String), extensions: ['json'] }])
    expect(await readdir(join(folders.root, 'config', 'presets'))).toEqual(['friend.json'])
    await expect(loadPreset('friend')).resolves.toMatchObject({ description: 'from a friend', outputs: [{ resize: { kind: 'long', size: 900 } }] })
  })

  it('shows no target before any batch ran', async () => {
    await invoke('shell:show-target', fromApp())
    await invoke('shell:show-output', fromApp(), { file: 'large-1.jpg' })
    expect(state.opened).toEqual([])
    expect(state.revealed).toEqual([])
  })
})

describe('a batch in the utility process', () => {
  let target: string
  let summary: Summary | undefined

  beforeAll(async () => {
    target = join(folders.root, 'target-run')
    const start = startOf(optionsFor(target), 'the-batch')
    await expect(invoke('batch:start', fromApp(), start)).resolves.toEqual({ ok: true, request: start.request })
    // The batch runs in main; it forks its pool host when the first file needs reading.
    await vi.waitFor(() => expect(window.progress.at(-1)).toBe(-1), { timeout: 30_000 })
    expect(state.forks).toHaveLength(1)
    await lastFork().child.exited
    summary = sentEvents().flatMap((event) => (event.type === 'summary' ? [event.summary] : []))[0]
  })

  it('forks the pool host that sits beside the worker in the build, with the worker and the worker count as arguments', () => {
    const fork = lastFork()
    const [workerPath = '', workers] = fork.args
    expect(basename(fork.modulePath)).toBe('pool-host.js')
    expect(basename(workerPath)).toBe('worker.js')
    expect(dirname(fork.modulePath)).toBe(dirname(workerPath))
    expect(workers).toBe('2')
    expect(existsSync(join(OUT_MAIN, basename(fork.modulePath)))).toBe(true)
    expect(existsSync(join(OUT_MAIN, basename(workerPath)))).toBe(true)
    // Main only reads and makes through the host: the batch's own work never reaches it as a request.
    const kinds = new Set(fork.child.posted.map((message) => message.type))
    expect([...kinds].sort()).toEqual(['make', 'probe', 'stop'])
    expect(fork.child.posted.at(-1)?.type).toBe('stop')
  })

  it('starts the host with libuv’s pool sized for the workers, on top of the app’s environment', () => {
    const { options } = lastFork()
    expect(options.env).toMatchObject({ ...hostEnvironment(2), PATH: process.env.PATH })
    expect(options.serviceName).toBeTruthy()
  })

  it('sends the renderer every file and a summary that matches the folder, under the id the page gave', () => {
    expect(window.contents.sent.every(({ channel }) => channel === 'batch:update')).toBe(true)
    expect(new Set(sentUpdates().map((update) => update.batchId))).toEqual(new Set(['the-batch']))
    const finished = sentEvents().flatMap((event) => (event.type === 'finished' ? [event.result.file] : []))
    expect(finished.sort()).toEqual([...LARGE, ...SMALL].sort())
    expect(summary).toMatchObject({ todo: 10, counts: { scaled: LARGE.length, copied: SMALL.length, skipped: 0, failed: 0, canceled: 0 }, canceled: false })
    expect(sentUpdates().at(-1)?.events.at(-1)?.type).toBe('summary')
  })

  it('moves the taskbar progress bar and clears it at the end', () => {
    const fractions = window.progress.slice(0, -1)
    expect(fractions.length).toBeGreaterThan(0)
    // Electron reads a negative value as "no bar": while running, every value is a fraction in [0, 1].
    for (const fraction of fractions) {
      expect(fraction).toBeGreaterThanOrEqual(0)
      expect(fraction).toBeLessThanOrEqual(1)
    }
    expect(fractions.at(-1)).toBe(1)
    expect(window.progress.at(-1)).toBe(-1)
  })

  it('does not notify about a short batch in a focused window', () => {
    expect(state.notifications).toEqual([])
  })

  it('opens the target and reveals an output through the shell', async () => {
    await invoke('shell:show-target', fromApp())
    expect(state.opened).toEqual([resolve(target)])
    await invoke('shell:show-output', fromApp(), { file: 'large-1.jpg' })
    expect(state.revealed).toEqual([join(target, 'large-1.jpg')])
    await expect(invoke('shell:show-output', fromApp(), { file: '../source/large-1.jpg' })).rejects.toThrow(/not in the target/)
    expect(state.revealed).toHaveLength(1)
  })

  it('reports it when the shell cannot open the target', async () => {
    state.openPathProblem = 'no application is registered to open folders'
    await expect(invoke('shell:show-target', fromApp())).rejects.toThrow('no application is registered to open folders')
    state.openPathProblem = ''
  })
})

describe('the app around the window', () => {
  it('brings a minimized window back when the app is launched again', () => {
    window.minimized = true
    window.calls.length = 0
    state.appEvents.emit('second-instance', {}, [], '/')
    expect(window.calls).toEqual(['restore', 'focus'])
  })

  it('quits when its window is gone', () => {
    const before = state.quits
    state.appEvents.emit('window-all-closed')
    expect(state.quits).toBe(before + 1)
  })

  it('closing the window mid-batch cancels it, and the late summary does not crash the main process', async () => {
    const forks = state.forks.length
    const startedBefore = sentEvents().filter((event) => event.type === 'started').length
    await expect(invoke('batch:start', fromApp(), startOf(optionsFor(join(folders.root, 'target-close'), { source: many, workers: 1 })))).resolves.toMatchObject({
      ok: true
    })
    await vi.waitFor(() => expect(sentEvents().filter((event) => event.type === 'started').length).toBeGreaterThan(startedBefore), {
      timeout: 20_000
    })
    expect(state.forks).toHaveLength(forks + 1)
    const host = lastFork().child
    const sentBefore = window.contents.sent.length
    window.close()
    const code = await host.exited
    // Canceled, not stopped: the files on the worker finished, then the host was told to stop and exited cleanly.
    expect(code).toBe(0)
    expect(host.posted.at(-1)?.type).toBe('stop')
    expect(host.posted.filter((message) => message.type === 'make').length).toBeLessThan(40)
    await untilNotBusy()
    // Main handled the host's last messages and the late summary without throwing, and sent nothing to the closed window.
    expect(state.listenerErrors).toEqual([])
    expect(window.contents.sent).toHaveLength(sentBefore)
    // A second launch now finds no window to focus, and must not throw either.
    expect(() => state.appEvents.emit('second-instance', {}, [], '/')).not.toThrow()
  })
})
