import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { WebContents } from 'electron'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createMainWindow } from '../../src/main/window'
import { ROOT } from '../helpers/built'
import { defaultSession, FakeBrowserWindow, state } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule)

/** The folder the built index.js runs from the parent of: out/, as in the packaged app. */
const OUT_DIR = join(ROOT, 'out')
const PAGE_URL = pathToFileURL(join(OUT_DIR, 'renderer/index.html')).href

function lastWindow(): FakeBrowserWindow {
  const window = FakeBrowserWindow.created.at(-1)
  if (!window) throw new Error('no window was created')
  return window
}

beforeEach(() => {
  FakeBrowserWindow.created.length = 0
  state.log.length = 0
})

describe('createMainWindow, from the built files', () => {
  it('creates one hidden window whose webPreferences are exactly the hardened ones', () => {
    createMainWindow(OUT_DIR, undefined)
    expect(FakeBrowserWindow.created).toHaveLength(1)
    const { options } = lastWindow()
    // Every security setting of the window, and nothing else.
    expect(options.webPreferences).toStrictEqual({
      preload: join(OUT_DIR, 'preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick'
    })
    expect(options.show).toBe(false)
  })

  it('points the preload and the page at files the build really produced', () => {
    createMainWindow(OUT_DIR, undefined)
    const window = lastWindow()
    const preload = window.options.webPreferences?.preload ?? ''
    expect(existsSync(preload), preload).toBe(true)
    expect(window.loaded).toEqual([PAGE_URL])
    expect(existsSync(fileURLToPath(PAGE_URL))).toBe(true)
  })

  it('hardens the session before the page loads', () => {
    createMainWindow(OUT_DIR, undefined)
    const hardened = state.log.indexOf('session: headers')
    const loaded = state.log.indexOf(`loadURL ${PAGE_URL}`)
    expect(state.log).toContain('session: permission requests')
    expect(state.log).toContain('session: permission checks')
    expect(hardened).toBeGreaterThanOrEqual(0)
    expect(hardened).toBeLessThan(loaded)
    const answers: boolean[] = []
    defaultSession.permissionRequest?.(lastWindow().contents as unknown as WebContents, 'media', (granted) => answers.push(granted), {
      isMainFrame: true,
      requestingUrl: PAGE_URL
    })
    expect(answers).toEqual([false])
  })

  it('shows the window only once it is ready to show, so no blank frame flashes', () => {
    createMainWindow(OUT_DIR, undefined)
    const window = lastWindow()
    expect(window.shown).toBe(false)
    window.emit('ready-to-show')
    expect(window.shown).toBe(true)
  })

  it('knows its own page, with or without a #fragment, and nothing else', () => {
    const { isAppUrl } = createMainWindow(OUT_DIR, undefined)
    expect(isAppUrl(PAGE_URL)).toBe(true)
    expect(isAppUrl(`${PAGE_URL}#/summary`)).toBe(true)
    expect(isAppUrl(pathToFileURL(join(OUT_DIR, 'renderer/other.html')).href)).toBe(false)
    expect(isAppUrl(`${PAGE_URL}?evil=1`)).toBe(false)
    expect(isAppUrl('file:///etc/passwd')).toBe(false)
    expect(isAppUrl('https://example.com/')).toBe(false)
  })

  it('wires the navigation guards to the window: elsewhere is blocked, its own page is not, window.open is denied', () => {
    createMainWindow(OUT_DIR, undefined)
    const { contents } = lastWindow()
    expect(contents.navigate('will-navigate', 'https://example.com/')).toBe(true)
    expect(contents.navigate('will-navigate', 'file:///home/user/photo.jpg')).toBe(true)
    expect(contents.navigate('will-navigate', PAGE_URL)).toBe(false)
    expect(contents.navigate('will-redirect', 'https://example.com/')).toBe(true)
    expect(contents.navigate('will-attach-webview', PAGE_URL)).toBe(true)
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
  })
})

describe('createMainWindow, from a dev server', () => {
  const DEV_URL = 'http://localhost:5173/'

  it('loads the dev server and treats only it as the app', () => {
    const { isAppUrl } = createMainWindow(OUT_DIR, DEV_URL)
    expect(lastWindow().loaded).toEqual([DEV_URL])
    expect(isAppUrl(DEV_URL)).toBe(true)
    expect(isAppUrl(`${DEV_URL}#/run`)).toBe(true)
    expect(isAppUrl('http://localhost:5174/')).toBe(false)
    expect(isAppUrl('http://localhost:5173.evil.example/')).toBe(false)
    expect(isAppUrl(PAGE_URL)).toBe(false)
  })

  it('still uses the hardened preferences with the built preload', () => {
    createMainWindow(OUT_DIR, undefined)
    const built = lastWindow().options.webPreferences
    createMainWindow(OUT_DIR, DEV_URL)
    expect(lastWindow().options.webPreferences).toStrictEqual(built)
  })
})
