import { app, clipboard, dialog, ipcMain, Notification, shell } from 'electron'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { summaryLine } from '../shared/summary-text'
import { createHandlers } from './handlers'
import { createRouter, registerIpc, sendEvent } from './ipc'
import { utilityHost } from './utility-host'
import { createMainWindow } from './window'

// Composition root: the only place that knows where the built files live (side by side in
// out/main, inside app.asar when packaged; sharp itself is unpacked, see electron-builder.yml).
const outDir = join(__dirname, '..')
const hostPath = join(__dirname, 'pool-host.js')
const workerPath = join(__dirname, 'worker.js')

/** A batch that took this long deserves a notification if the user looked away. */
const NOTIFY_AFTER_MS = 10_000

// A second copy quits before it is ready: it must not open a window or register IPC of its own.
if (!app.requestSingleInstanceLock()) app.quit()
else app.whenReady().then(() => {
  const { window } = createMainWindow(outDir, app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL)
  // Kept once: after 'closed' the window's webContents getter throws "Object has been destroyed",
  // and a canceled batch still sends its summary then; the contents itself can say it is destroyed.
  const contents = window.webContents
  // Launching the app again brings the running window forward instead of doing nothing.
  app.on('second-instance', () => {
    if (window.isDestroyed()) return
    if (window.isMinimized()) window.restore()
    window.focus()
  })
  const handlers = createHandlers({
    spawnHost: utilityHost(hostPath),
    workerPath,
    appInfo: { cores: availableParallelism(), version: app.getVersion(), platform: process.platform },
    pickFolder: async (purpose, current) => {
      const result = await dialog.showOpenDialog(window, {
        title: purpose === 'source' ? 'Choose the folder of photos to scale' : 'Choose where the scaled photos go',
        defaultPath: current,
        properties: ['openDirectory', 'createDirectory']
      })
      return result.canceled ? null : (result.filePaths[0] ?? null)
    },
    pickFiles: async (purpose, current) => {
      const result = await dialog.showOpenDialog(window, {
        title: purpose === 'images' ? 'Choose photos to scale' : 'Choose a preset to import',
        defaultPath: current,
        properties: purpose === 'images' ? ['openFile', 'multiSelections'] : ['openFile'],
        filters: purpose === 'preset' ? [{ name: 'ImageScale preset', extensions: ['json'] }] : []
      })
      return result.canceled ? [] : result.filePaths
    },
    pickSavePath: async (suggestedName) => {
      const result = await dialog.showSaveDialog(window, {
        title: 'Export the preset',
        defaultPath: suggestedName,
        filters: [{ name: 'ImageScale preset', extensions: ['json'] }]
      })
      return result.canceled ? null : (result.filePath ?? null)
    },
    openFolder: async (path) => {
      const problem = await shell.openPath(path)
      if (problem) throw new Error(problem)
    },
    showItemInFolder: (path) => shell.showItemInFolder(path),
    writeClipboard: (text) => clipboard.writeText(text),
    sendUpdate: (update) => sendEvent(contents, 'batch:update', update),
    setProgress: (fraction) => {
      if (!window.isDestroyed()) window.setProgressBar(fraction ?? -1)
    },
    batchEnded: (summary) => {
      if (window.isDestroyed() || window.isFocused() || summary.elapsedMs < NOTIFY_AFTER_MS) return
      if (Notification.isSupported()) new Notification({ title: 'ImageScale finished', body: summaryLine(summary) }).show()
    }
  })
  registerIpc(ipcMain, createRouter(handlers), (event) => event.sender === contents && event.senderFrame === contents.mainFrame)
  window.on('closed', () => {
    void handlers['batch:cancel'](undefined)
  })
})

app.on('window-all-closed', () => app.quit())
