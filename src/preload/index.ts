import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import type { ImageScaleApi } from '../shared/api'
import type { EventChannel, EventContract, InvokeArg, InvokeChannel, InvokeResult } from '../shared/ipc'

// Sandboxed preload: no npm imports, only typed wrappers over the shared contract.

const invoke = <C extends InvokeChannel>(channel: C, arg: InvokeArg<C>): Promise<InvokeResult<C>> =>
  ipcRenderer.invoke(channel, arg) as Promise<InvokeResult<C>>

/** Subscribes without ever handing the raw IPC event to the page; returns the unsubscribe. */
function listen<C extends EventChannel>(channel: C, listener: (payload: EventContract[C]) => void): () => void {
  const wrapped = (_event: IpcRendererEvent, payload: EventContract[C]): void => listener(payload)
  ipcRenderer.on(channel, wrapped)
  return () => {
    ipcRenderer.removeListener(channel, wrapped)
  }
}

const api: ImageScaleApi = {
  appInfo: () => invoke('app:info', undefined),
  pickFolder: (purpose, current) => invoke('dialog:pick-folder', current ? { purpose, current } : { purpose }),
  start: (options) => invoke('batch:start', options),
  cancel: () => invoke('batch:cancel', undefined),
  stopNow: () => invoke('batch:stop-now', undefined),
  showTarget: () => invoke('shell:show-target', undefined),
  showOutput: (file) => invoke('shell:show-output', { file }),
  onUpdate: (listener) => listen('batch:update', listener),
  pathForDroppedFile: (file) => webUtils.getPathForFile(file) || null
}

contextBridge.exposeInMainWorld('api', api)
