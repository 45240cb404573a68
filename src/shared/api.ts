import type { PresetName } from './presets'
import type { Preview } from './preview'
import type { BatchRequest, Recipe } from './recipe'
import type { AppInfo, BatchUpdate, EventChannel, EventContract, FilePurpose, FolderPurpose, InvokeArg, InvokeChannel, InvokeResult, PresetList, ReportFormat, SourceFiles, StartResult } from './ipc'

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
  /** Saves the last batch's trace or timings where the person chooses; false when canceled. */
  exportReport(format: ReportFormat): Promise<boolean>
  /** Subscribes to batch updates; returns the unsubscribe. */
  onUpdate(listener: (update: BatchUpdate) => void): () => void
  /** The real path of a file or folder dropped on the window, or null when it has none. */
  pathForDroppedFile(file: File): string | null
}

/** Calls a channel of the contract: ipcRenderer.invoke in the preload, a Playwright binding in the browser tests. */
export type Invoke = <C extends InvokeChannel>(channel: C, arg: InvokeArg<C>) => Promise<InvokeResult<C>>
/** Subscribes to an event of the contract, handing over the payload only; returns the unsubscribe. */
export type Listen = <C extends EventChannel>(channel: C, listener: (payload: EventContract[C]) => void) => () => void

/**
 * `window.api` over a transport: the one mapping of functions to channels. It uses nothing
 * from outside its arguments, so the browser tests can send its very source into a page and
 * exercise the preload's own mapping.
 */
export function createApi(invoke: Invoke, listen: Listen, pathForDroppedFile: (file: File) => string | null): ImageScaleApi {
  return {
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
    exportReport: (format) => invoke('report:export', { format }),
    onUpdate: (listener) => listen('batch:update', listener),
    pathForDroppedFile
  }
}

declare global {
  interface Window {
    api: ImageScaleApi
  }
}
