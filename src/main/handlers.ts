import { resolve } from 'node:path'
import type { Summary } from '../shared/batch'
import type { BatchRequest } from '../shared/recipe'
import { START_BUSY, type AppInfo, type BatchUpdate, type FolderPurpose } from '../shared/ipc'
import { ScaleError, messageOf } from '../core/errors'
import { checkFolders, prepareTarget } from '../core/folders'
import type { SpawnHost } from '../core/host-protocol'
import { isInside } from '../core/paths'
import { runBatch } from '../core/runner'
import type { Handlers } from './ipc'
import { UpdateBatcher } from './update-batcher'

/**
 * What the app does for each request, with Electron reached only through `MainDeps`: the
 * desktop app passes dialogs, shell and a utilityProcess host; the browser tests pass a forked
 * Node host and record the rest. The batch itself runs here, in main, on the same engine as
 * the CLI; only reading and making images happen in the pool host.
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

/**
 * How long the folders may take to answer before a start is refused. A folder on a share that
 * stopped answering would otherwise leave the app "busy" with nothing to cancel.
 */
export const START_CHECK_MS = 10_000

function withinTime<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScaleError('target-not-writable', `${what} did not answer within ${ms / 1000} s`)), ms)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

interface Running {
  cancel: AbortController
  stopNow: AbortController
}

export function createHandlers(deps: MainDeps): Handlers {
  let running: Running | null = null
  let lastTarget: string | null = null
  let batches = 0

  const run = (request: BatchRequest, batch: Running, batchId: number): void => {
    const batcher = new UpdateBatcher(batchId, deps.sendUpdate)
    runBatch(request, {
      spawnHost: deps.spawnHost,
      workerPath: deps.workerPath,
      signal: batch.cancel.signal,
      stopNow: batch.stopNow.signal,
      onEvent: (event) => {
        if (event.type === 'progress' && event.progress.total > 0) deps.setProgress(event.progress.done / event.progress.total)
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
    'batch:start': async (request) => {
      if (running) return { ok: false, code: START_BUSY, message: 'a batch is already running: cancel it or wait for it to finish' }
      const batch: Running = { cancel: new AbortController(), stopNow: new AbortController() }
      running = batch
      try {
        // Checked here too, not only in the batch, so the form hears about a bad folder at once.
        const folders = await withinTime(
          checkFolders(request.source, request.target, request.existing).then(async (checked) => {
            if (!request.dryRun) await prepareTarget(checked.target)
            return checked
          }),
          START_CHECK_MS,
          'the folders'
        )
        lastTarget = folders.target
        batches += 1
        run(request, batch, batches)
      } catch (error) {
        running = null
        return { ok: false, code: error instanceof ScaleError ? error.code : 'internal', message: messageOf(error) }
      }
      return { ok: true, batchId: batches }
    },
    'batch:cancel': async () => {
      running?.cancel.abort()
    },
    'batch:stop-now': async () => {
      running?.cancel.abort()
      running?.stopNow.abort()
    },
    'shell:show-target': async () => {
      if (lastTarget) await deps.openFolder(lastTarget)
    },
    'shell:show-output': async ({ file }) => {
      if (!lastTarget) return
      const path = resolve(lastTarget, file)
      // Only outputs of the last batch: a name climbing out of the target is refused.
      if (!isInside(path, lastTarget)) throw new ScaleError('bad-request', 'that file is not in the target folder')
      deps.showItemInFolder(path)
    }
  }
}
