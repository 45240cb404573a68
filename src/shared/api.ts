import type { BatchRequest } from './recipe'
import type { AppInfo, BatchUpdate, FolderPurpose, StartResult } from './ipc'

/** What the preload exposes as `window.api`: named functions only, nothing Electron-shaped. */
export interface ImageScaleApi {
  appInfo(): Promise<AppInfo>
  pickFolder(purpose: FolderPurpose, current?: string): Promise<string | null>
  start(options: BatchRequest): Promise<StartResult>
  cancel(): Promise<void>
  /** While canceling: stop the files on a worker too. */
  stopNow(): Promise<void>
  showTarget(): Promise<void>
  showOutput(file: string): Promise<void>
  /** Subscribes to batch updates; returns the unsubscribe. */
  onUpdate(listener: (update: BatchUpdate) => void): () => void
  /** The real path of a folder dropped on the window, or null when it has none. */
  pathForDroppedFile(file: File): string | null
}

declare global {
  interface Window {
    api: ImageScaleApi
  }
}
