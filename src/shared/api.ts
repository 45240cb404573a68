import type { PresetName } from './presets'
import type { Preview } from './preview'
import type { BatchRequest, Recipe } from './recipe'
import type { AppInfo, BatchUpdate, FilePurpose, FolderPurpose, PresetList, SourceFiles, StartResult } from './ipc'

/** What the preload exposes as `window.api`: named functions only, nothing Electron-shaped. */
export interface ImageScaleApi {
  appInfo(): Promise<AppInfo>
  pickFolder(purpose: FolderPurpose, current?: string): Promise<string | null>
  pickFiles(purpose: FilePurpose, current?: string): Promise<string[]>
  /** Starts the batch the page names `batchId`: every update of it carries that id. */
  start(batchId: string, request: BatchRequest): Promise<StartResult>
  cancel(): Promise<void>
  /** While canceling: stop the files on a worker too. */
  stopNow(): Promise<void>
  showTarget(): Promise<void>
  showOutput(file: string): Promise<void>
  copyText(text: string): Promise<void>
  sourceFiles(source: string, recursive: boolean): Promise<SourceFiles>
  preview(path: string, recipe: Recipe, maxPixels: number): Promise<Preview>
  presets: {
    list(): Promise<PresetList>
    save(name: PresetName, description: string, recipe: Recipe): Promise<PresetList>
    rename(from: PresetName, to: PresetName): Promise<PresetList>
    remove(name: PresetName): Promise<PresetList>
    import(): Promise<{ imported: PresetName | null; presets: PresetList }>
    export(name: PresetName): Promise<boolean>
  }
  /** Subscribes to batch updates; returns the unsubscribe. */
  onUpdate(listener: (update: BatchUpdate) => void): () => void
  /** The real path of a file or folder dropped on the window, or null when it has none. */
  pathForDroppedFile(file: File): string | null
}

declare global {
  interface Window {
    api: ImageScaleApi
  }
}
