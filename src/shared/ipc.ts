import type { BatchEvent } from './batch'
import type { Problem } from './reasons'
import type { BatchRequest } from './recipe'

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

/** `batchId` names the accepted batch; every update it sends carries the same id. */
export type StartResult = { ok: true; batchId: number } | ({ ok: false } & Problem)

/** Why a start was refused because another batch is running. */
export const START_BUSY = 'busy' satisfies Problem['code']

/** Requests from the renderer, answered by main: `channel: [argument, result]`. */
export interface InvokeContract {
  'app:info': [undefined, AppInfo]
  'dialog:pick-folder': [{ purpose: FolderPurpose; current?: string }, string | null]
  'batch:start': [BatchRequest, StartResult]
  'batch:cancel': [undefined, void]
  /** While canceling: abandon the files on a worker too (kills the pool host; nothing partial is left). */
  'batch:stop-now': [undefined, void]
  /** Opens the target folder of the last batch; main owns the path. */
  'shell:show-target': [undefined, void]
  /** Reveals one output of the last batch, named by its path relative to the target. */
  'shell:show-output': [{ file: string }, void]
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
  batchId: number
  events: BatchEvent[]
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
  'batch:start',
  'batch:cancel',
  'batch:stop-now',
  'shell:show-target',
  'shell:show-output'
] as const satisfies readonly InvokeChannel[]

