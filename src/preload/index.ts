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
  pickFiles: (purpose, current) => invoke('dialog:pick-files', current ? { purpose, current } : { purpose }),
  start: (batchId, request) => invoke('batch:start', { batchId, request }),
  cancel: () => invoke('batch:cancel', undefined),
  stopNow: () => invoke('batch:stop-now', undefined),
  showTarget: () => invoke('shell:show-target', undefined),
  showOutput: (file) => invoke('shell:show-output', { file }),
  copyText: (text) => invoke('clipboard:write', { text }),
  sourceFiles: (source, recursive) => invoke('source:files', { source, recursive }),
  preview: (path, recipe, maxPixels) => invoke('preview:make', { path, recipe, maxPixels }),
  presets: {
    list: () => invoke('presets:list', undefined),
    save: (name, description, recipe) => invoke('presets:save', { name, description, recipe }),
    rename: (from, to) => invoke('presets:rename', { from, to }),
    remove: (name) => invoke('presets:delete', { name }),
    import: () => invoke('presets:import', undefined),
    export: (name) => invoke('presets:export', { name })
  },
  onUpdate: (listener) => listen('batch:update', listener),
  pathForDroppedFile: (file) => webUtils.getPathForFile(file) || null
}

contextBridge.exposeInMainWorld('api', api)
