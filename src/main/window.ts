import { BrowserWindow, session } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { hardenContents, hardenSession } from './security'

export interface AppWindow {
  window: BrowserWindow
  /** True for the page the app loaded itself, false for anything a page might navigate to. */
  isAppUrl(url: string): boolean
}

export function createMainWindow(outDir: string, devServerUrl: string | undefined): AppWindow {
  hardenSession(session.defaultSession)
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 560,
    minHeight: 480,
    show: false,
    title: 'ImageScale',
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(outDir, 'preload/index.js'),
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
      // Middle-click would open links in new windows, past setWindowOpenHandler's intent.
      disableBlinkFeatures: 'Auxclick'
    }
  })
  const pageUrl = devServerUrl ?? pathToFileURL(join(outDir, 'renderer/index.html')).href
  const isAppUrl = (url: string): boolean => url.split('#')[0] === pageUrl.split('#')[0]
  hardenContents(window.webContents, isAppUrl)
  window.once('ready-to-show', () => window.show())
  void window.loadURL(pageUrl)
  return { window, isAppUrl }
}
