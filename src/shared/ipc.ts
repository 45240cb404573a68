import type { BatchEvent } from './batch'
import type { PresetEntry, PresetName } from './presets'
import type { Preview } from './preview'
import type { Problem } from './reasons'
import type { BatchRequest, Recipe } from './recipe'
import type { CpuSample } from './timeline'

/**
 * The IPC contract, written once: channel names and the payload each carries.
 * Main validates every request at runtime (zod, src/main/schemas.ts); these are the types.
 */

export type FolderPurpose = 'source' | 'target'

export interface AppInfo {
  cores: number
  version: string
  platform: string
}

/**
 * The page names its batch itself, so an update of a batch that is just ending is told from its
 * own first one without waiting for main's answer; every update carries the id it was started
 * with. `request` is what main accepted (the schema's defaults filled in): what a page shows.
 */
export interface StartArg {
  batchId: string
  request: BatchRequest
}
export type StartResult = { ok: true; request: BatchRequest } | ({ ok: false } & Problem)

/** Files a person can pick: photos to scale, or a preset to import. */
export type FilePurpose = 'images' | 'preset'

/** The top of a source's files, for choosing one to preview: at most PREVIEW_LISTED names. */
export interface SourceFiles {
  files: string[]
  /** More files were found than are listed. */
  more: boolean
}
export const PREVIEW_LISTED = 500

/** What the last batch's timeline can be saved as: a Chrome trace (Perfetto), or the per-file table. */
export const REPORT_FORMATS = ['trace', 'csv', 'json'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

/** Presets after a change: the list as it now is, built-ins first. */
export type PresetList = PresetEntry[]

/** Why a start was refused because another batch is running. */
export const START_BUSY = 'busy' satisfies Problem['code']

/** Requests from the renderer, answered by main: `channel: [argument, result]`. */
export interface InvokeContract {
  'app:info': [undefined, AppInfo]
  'dialog:pick-folder': [{ purpose: FolderPurpose; current?: string }, string | null]
  /** Several files from one folder (a dialog shows one folder at a time); [] when canceled. */
  'dialog:pick-files': [{ purpose: FilePurpose; current?: string }, string[]]
  'batch:start': [StartArg, StartResult]
  'batch:cancel': [undefined, void]
  /** While canceling: abandon the files on a worker too (kills the pool host; nothing partial is left). */
  'batch:stop-now': [undefined, void]
  /** Opens the target folder of the last batch; main owns the path. */
  'shell:show-target': [undefined, void]
  /** Reveals one output of the last batch, named by its path relative to the target. */
  'shell:show-output': [{ file: string }, void]
  /** The clipboard, written by main: the page's own clipboard access needs a permission the app refuses. */
  'clipboard:write': [{ text: string }, void]
  /** Files of a source, for the preview's file picker (the walk the batch makes, cut short). */
  'source:files': [{ source: string; recursive: boolean }, SourceFiles]
  /** One file through the recipe, in the pool host: nothing is written anywhere. */
  'preview:make': [{ path: string; recipe: Recipe; maxPixels: number }, Preview]
  /** The built-ins and the presets of the config folder (the ones `--preset NAME` reads). */
  'presets:list': [undefined, PresetList]
  'presets:save': [{ name: PresetName; description: string; recipe: Recipe }, PresetList]
  'presets:rename': [{ from: PresetName; to: PresetName }, PresetList]
  'presets:delete': [{ name: PresetName }, PresetList]
  /** Asks for a preset file and copies it into the config folder; `imported` is its name there. */
  'presets:import': [undefined, { imported: PresetName | null; presets: PresetList }]
  /** Asks where to save the preset's JSON; false when the person canceled. */
  'presets:export': [{ name: PresetName }, boolean]
  /** Asks where to save the last batch's trace or timings table; false when the person canceled. */
  'report:export': [{ format: ReportFormat }, boolean]
}

export type InvokeChannel = keyof InvokeContract
export type InvokeArg<C extends InvokeChannel> = InvokeContract[C][0]
export type InvokeResult<C extends InvokeChannel> = InvokeContract[C][1]

/**
 * Everything that happened since the last update, at most 20 updates a second,
 * so a folder of 100,000 files never floods the renderer.
 */
export interface BatchUpdate {
  /**
   * Which batch these events belong to. A page that starts a batch just as another ends can
   * receive the old one's last update before its own start is answered: the id tells them apart.
   */
  batchId: string
  events: BatchEvent[]
  /** When main heard each event, in ms from the batch's start (one per event, in order): the lanes' clock. */
  at: number[]
  /** The cores' busy shares main sampled since the last update, if any. */
  cpu?: CpuSample[]
  /** Set once, when the batch ended without a summary (the pool host crashed). */
  error?: Problem
}

/** Messages pushed from main to the renderer: `channel: payload`. */
export interface EventContract {
  'batch:update': BatchUpdate
}

export type EventChannel = keyof EventContract

export const INVOKE_CHANNELS = [
  'app:info',
  'dialog:pick-folder',
  'dialog:pick-files',
  'batch:start',
  'batch:cancel',
  'batch:stop-now',
  'shell:show-target',
  'shell:show-output',
  'clipboard:write',
  'source:files',
  'preview:make',
  'presets:list',
  'presets:save',
  'presets:rename',
  'presets:delete',
  'presets:import',
  'presets:export',
  'report:export'
] as const satisfies readonly InvokeChannel[]

