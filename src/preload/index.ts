import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { createApi, type Invoke, type Listen } from '../shared/api'
import type { EventChannel, EventContract } from '../shared/ipc'

// Sandboxed preload: no npm imports (the shared mapping is bundled in), only the transport.

const invoke: Invoke = (channel, arg) => ipcRenderer.invoke(channel, arg)

/** Subscribes without ever handing the raw IPC event to the page; returns the unsubscribe. */
const listen: Listen = <C extends EventChannel>(channel: C, listener: (payload: EventContract[C]) => void): (() => void) => {
  const wrapped = (_event: IpcRendererEvent, payload: EventContract[C]): void => listener(payload)
  ipcRenderer.on(channel, wrapped)
  return () => {
    ipcRenderer.removeListener(channel, wrapped)
  }
}

contextBridge.exposeInMainWorld('api', createApi(invoke, listen, (file) => webUtils.getPathForFile(file) || null))
