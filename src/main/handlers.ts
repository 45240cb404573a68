import { realpath } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Summary } from '../shared/batch'
import type { BatchRequest } from '../shared/recipe'
import { PREVIEW_LISTED, START_BUSY, type AppInfo, type BatchUpdate, type FilePurpose, type FolderPurpose, type ReportFormat } from '../shared/ipc'
import { ScaleError, messageOf } from '../core/errors'
import { checkFolders, prepareTarget } from '../core/folders'
import type { SpawnHost } from '../core/host-protocol'
import { fsPath, isInside, nameFromBytes } from '../core/paths'
import { deletePreset, exportPreset, importPreset, listPresets, loadPreset, renamePreset, savePreset } from '../core/presets'
import { makePreview } from '../core/preview'
import { RunRecorder } from '../core/run-record'
import { runBatch } from '../core/runner'
import { checkReportFile, writeReport } from '../core/report-path'
import { reportText } from '../core/trace'
import { scan } from '../core/scan'
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
  /** Files chosen in one folder; [] when the dialog was canceled. */
  pickFiles(purpose: FilePurpose, current?: string): Promise<string[]>
  /** Where to save a file, starting from `suggestedName`; null when canceled. */
  pickSavePath(suggestedName: string): Promise<string | null>
  openFolder(path: string): Promise<void>
  showItemInFolder(path: string): void
  sendUpdate(update: BatchUpdate): void
  writeClipboard(text: string): void
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

/** What the last batch's reports are made of, kept until the next batch starts. */
interface LastRun {
  source: string
  target: string
  recorder: RunRecorder
  summary: Summary | null
}

const REPORT_NAMES: Record<ReportFormat, string> = { trace: 'imagescale-trace.json', csv: 'imagescale-timings.csv', json: 'imagescale-timings.json' }

/** The first files a batch of this source would find, for choosing one to preview. */
async function sourceFiles(source: string, recursive: boolean): Promise<{ files: string[]; more: boolean }> {
  const real = nameFromBytes(await realpath(fsPath(source), { encoding: 'buffer' }).catch(() => {
    throw new ScaleError('source-missing', `the source folder does not exist: ${source}`)
  }))
  const files: string[] = []
  // No target yet: nothing is left out for being in it.
  for await (const entry of scan(real, { recursive, realSource: real, realTarget: '\0' })) {
    if (entry.kind !== 'file') continue
    if (files.length === PREVIEW_LISTED) return { files, more: true }
    files.push(entry.relative)
  }
  return { files, more: false }
}

export function createHandlers(deps: MainDeps): Handlers {
  let running: Running | null = null
  let lastTarget: string | null = null
  let lastRun: LastRun | null = null

  /** The preview being made; a newer request (the recipe changed) stops it. */
  let preview: AbortController | null = null

  const run = (request: BatchRequest, batch: Running, batchId: string): void => {
    const batcher = new UpdateBatcher(batchId, deps.sendUpdate)
    const recorder = new RunRecorder((sample) => batcher.pushCpu(sample))
    const thisRun: LastRun = { source: request.source, target: request.target, recorder, summary: null }
    lastRun = thisRun
    runBatch(request, {
      spawnHost: deps.spawnHost,
      workerPath: deps.workerPath,
      signal: batch.cancel.signal,
      stopNow: batch.stopNow.signal,
      onEvent: (event) => {
        if (event.type === 'progress' && event.progress.total > 0) deps.setProgress(event.progress.done / event.progress.total)
        batcher.push(event, recorder.observe(event))
      }
    })
      .then((summary) => {
        thisRun.summary = summary
        deps.batchEnded(summary)
      })
      .catch((error: unknown) => {
        batcher.flush({ code: error instanceof ScaleError ? error.code : 'internal', message: messageOf(error) })
      })
      .finally(() => {
        recorder.dispose()
        running = null
        deps.setProgress(null)
      })
  }

  return {
    'app:info': async () => deps.appInfo,
    'dialog:pick-folder': async ({ purpose, current }) => deps.pickFolder(purpose, current),
    'dialog:pick-files': async ({ purpose, current }) => deps.pickFiles(purpose, current),
    'batch:start': async ({ batchId, request }) => {
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
        run(request, batch, batchId)
      } catch (error) {
        running = null
        return { ok: false, code: error instanceof ScaleError ? error.code : 'internal', message: messageOf(error) }
      }
      return { ok: true, request }
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
    },
    'clipboard:write': async ({ text }) => deps.writeClipboard(text),
    'source:files': async ({ source, recursive }) => sourceFiles(source, recursive),
    'preview:make': async (request) => {
      preview?.abort()
      const mine = new AbortController()
      preview = mine
      try {
        return await makePreview(request, { spawnHost: deps.spawnHost, workerPath: deps.workerPath, signal: mine.signal })
      } finally {
        if (preview === mine) preview = null
      }
    },
    'presets:list': async () => listPresets(),
    'presets:save': async ({ name, description, recipe }) => {
      await savePreset(name, { description, outputs: recipe.outputs })
      return listPresets()
    },
    'presets:rename': async ({ from, to }) => {
      await renamePreset(from, to)
      return listPresets()
    },
    'presets:delete': async ({ name }) => {
      await deletePreset(name)
      return listPresets()
    },
    'presets:import': async () => {
      const [file] = await deps.pickFiles('preset')
      const imported = file === undefined ? null : await importPreset(file)
      return { imported, presets: await listPresets() }
    },
    'report:export': async ({ format }) => {
      const last = lastRun
      if (!last?.summary) throw new ScaleError('bad-request', 'there is no finished batch to export yet')
      const file = await deps.pickSavePath(REPORT_NAMES[format])
      if (file === null) return false
      const checked = await checkReportFile(file, [
        { folder: last.source, what: 'source folder' },
        { folder: last.target, what: 'target folder' }
      ])
      await writeReport(checked, reportText(format, last.recorder.record(last.summary), deps.appInfo.version))
      return true
    },
    'presets:export': async ({ name }) => {
      // Read first: a preset that cannot be exported says so before a dialog asks where to.
      const preset = await loadPreset(name)
      const file = await deps.pickSavePath(`${name}.json`)
      if (file === null) return false
      await exportPreset(preset, file)
      return true
    }
  }
}
