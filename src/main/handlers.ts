import { relative, resolve, isAbsolute } from 'node:path'
import type { BatchOptions, Summary } from '../shared/batch'
import { START_BUSY, type AppInfo, type BatchUpdate, type FolderPurpose } from '../shared/ipc'
import { ScaleError, messageOf } from '../core/errors'
import { checkFolders, prepareTarget } from '../core/folders'
import { runInHost } from '../core/host-client'
import type { SpawnHost } from '../core/host-protocol'
import type { Handlers } from './ipc'
import { UpdateBatcher } from './update-batcher'

/**
 * What the app does for each request, with Electron reached only through `MainDeps`:
 * the desktop app passes dialogs, shell and a utilityProcess host; the browser tests pass
 * a forked Node host and record the rest. The engine underneath is the same.
 */
export interface MainDeps {
  spawnHost: SpawnHost
  workerPath: string
  appInfo: AppInfo
  pickFolder(purpose: FolderPurpose, current?: string): Promise<string | null>
  openFolder(path: string): Promise<void>
  showItemInFolder(path: string): void
  sendUpdate(update: BatchUpdate): void
  /** Taskbar/dock progress: a fraction, or null to clear it. */
  setProgress(fraction: number | null): void
  /** Called when a batch ends; the app notifies if the window is in the background. */
  batchEnded(summary: Summary): void
}

export function createHandlers(deps: MainDeps): Handlers {
  let running: AbortController | null = null
  let lastTarget: string | null = null
  let batches = 0

  const run = (options: BatchOptions, controller: AbortController, batchId: number): void => {
    const batcher = new UpdateBatcher(batchId, deps.sendUpdate)
    runInHost(options, {
      spawn: deps.spawnHost,
      workerPath: deps.workerPath,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'progress' && event.progress.total > 0) {
          deps.setProgress(event.progress.done / event.progress.total)
        }
        batcher.push(event)
      }
    })
      .then((summary) => deps.batchEnded(summary))
      .catch((error: unknown) => {
        batcher.flush({ code: error instanceof ScaleError ? error.code : 'internal', message: messageOf(error) })
      })
      .finally(() => {
        running = null
        deps.setProgress(null)
      })
  }

  return {
    'app:info': async () => deps.appInfo,
    'dialog:pick-folder': async ({ purpose, current }) => deps.pickFolder(purpose, current),
    'batch:start': async (options) => {
      if (running) return { ok: false, code: START_BUSY, message: 'a batch is already running: cancel it or wait for it to finish' }
      const controller = new AbortController()
      running = controller
      try {
        // Checked here too, not only in the host, so the form hears about a bad folder at once.
        const folders = await checkFolders(options.source, options.target)
        await prepareTarget(folders.target)
        lastTarget = folders.target
        // Inside the try: a host that cannot even be spawned must not leave the app 'busy' forever.
        batches += 1
        run(options, controller, batches)
      } catch (error) {
        running = null
        return { ok: false, code: error instanceof ScaleError ? error.code : 'internal', message: messageOf(error) }
      }
      return { ok: true, batchId: batches }
    },
    'batch:cancel': async () => {
      running?.abort()
    },
    'shell:show-target': async () => {
      if (lastTarget) await deps.openFolder(lastTarget)
    },
    'shell:show-output': async ({ file }) => {
      if (!lastTarget) return
      const path = resolve(lastTarget, file)
      const inside = relative(lastTarget, path)
      // Only outputs of the last batch: a name climbing out of the target is refused.
      if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
        throw new ScaleError('outside-target', 'that file is not in the target folder')
      }
      deps.showItemInFolder(path)
    }
  }
}
