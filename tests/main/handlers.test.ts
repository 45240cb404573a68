import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ScaleError } from '../../src/core/errors'
import type { HostProcess, SpawnHost } from '../../src/core/host-protocol'
import { JOURNAL_NAME } from '../../src/core/journal'
import { TEMP_MARK } from '../../src/core/safe-write'
import { TIMING_COLUMNS, type Trace } from '../../src/core/trace'
import { createHandlers, type MainDeps } from '../../src/main/handlers'
import { createRouter } from '../../src/main/ipc'
import { utilityHost } from '../../src/main/utility-host'
import type { BatchEvent, FileResult, Summary } from '../../src/shared/batch'
import { PREVIEW_LISTED, type BatchUpdate, type FilePurpose, type FolderPurpose, type SourceFiles, type StartResult } from '../../src/shared/ipc'
import type { Preview } from '../../src/shared/preview'
import { recipeSchema, type BatchRequest, type Recipe } from '../../src/shared/recipe'
import { HOST_PATH, WORKER_PATH } from '../helpers/built'
import { dimensionsOf, tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { addsUp, outcomeOf, requestFor, type RunOverrides } from '../helpers/run'
import { state as electron } from './fake-electron'

// handlers.ts never imports electron: it reaches Electron only through MainDeps. These tests
// fill MainDeps with recording fakes around the real engine, and start the pool host as the app
// does, with utility-host.ts; Electron's utilityProcess is the fake that forks the built host.
vi.mock('electron', async () => (await import('./fake-electron')).electronModule)

const SIZE = 400

/** The source folder every run reads: what each file must become. */
const LARGE = ['large-1.jpg', 'large-2.jpg', 'large-3.jpg', 'large-4.png', 'large-5.png', 'large-6.webp', 'large-7.webp', 'sub/large-8.jpg', 'sub/large-9.png']
const SMALL = ['small-1.jpg', 'small-2.png', 'sub/small-3.webp']
const NOT_IMAGES = ['notes.txt']
const ALL_FILES = [...LARGE, ...SMALL, ...NOT_IMAGES]

interface Harness {
  route: (channel: string, raw: unknown) => Promise<unknown>
  /** Starts a batch under a fresh id of the page's (or the one given), as the renderer does. */
  start(request: BatchRequest, batchId?: string): Promise<StartResult>
  /** The ids this harness's starts sent, in order. */
  startedIds: string[]
  /** Resolves when the next batch has ended (taskbar progress cleared), whatever the outcome. */
  nextEnd(): Promise<void>
  /** The environment each pool host was started with. */
  spawns: Record<string, string>[]
  updates: { at: number; update: BatchUpdate }[]
  progress: (number | null)[]
  ended: Summary[]
  opened: string[]
  revealed: string[]
  picks: { purpose: FolderPurpose; current?: string }[]
  filePicks: { purpose: FilePurpose; current?: string }[]
  /** What the file dialog answers next. */
  pickedFiles: string[]
  /** The names the save dialog was opened with. */
  savePicks: string[]
  /** What the save dialog answers: null is a canceled dialog. */
  savePath: string | null
  clipboard: string[]
  /** Called with every update as it is delivered, after it is recorded. */
  onUpdate?: (update: BatchUpdate) => void
}

/** Ids the page gives its batches: unique across harnesses, as a page's own counter would be. */
let startCount = 0

function harness(spawnHost: SpawnHost = utilityHost(HOST_PATH)): Harness {
  const waiters: (() => void)[] = []
  const h: Harness = {
    route: () => Promise.reject(new Error('not ready')),
    start: (request, batchId = `page-batch-${++startCount}`) => {
      h.startedIds.push(batchId)
      return h.route('batch:start', { batchId, request }) as Promise<StartResult>
    },
    startedIds: [],
    nextEnd: () => new Promise((resolve) => waiters.push(resolve)),
    spawns: [],
    updates: [],
    progress: [],
    ended: [],
    opened: [],
    revealed: [],
    picks: [],
    filePicks: [],
    pickedFiles: [],
    savePicks: [],
    savePath: null,
    clipboard: []
  }
  const deps: MainDeps = {
    // Counted, then the real host: a refused start must never get this far.
    spawnHost: (args, env) => {
      h.spawns.push(env)
      return spawnHost(args, env)
    },
    workerPath: WORKER_PATH,
    appInfo: { cores: 6, version: '1.2.3', platform: 'linux' },
    pickFolder: async (purpose, current) => {
      h.picks.push(current === undefined ? { purpose } : { purpose, current })
      return purpose === 'source' ? '/chosen/source' : null
    },
    pickFiles: async (purpose, current) => {
      h.filePicks.push(current === undefined ? { purpose } : { purpose, current })
      return h.pickedFiles
    },
    pickSavePath: async (suggestedName) => {
      h.savePicks.push(suggestedName)
      return h.savePath
    },
    openFolder: async (path) => {
      h.opened.push(path)
    },
    writeClipboard: (text) => {
      h.clipboard.push(text)
    },
    showItemInFolder: (path) => {
      h.revealed.push(path)
    },
    sendUpdate: (update) => {
      h.updates.push({ at: performance.now(), update })
      h.onUpdate?.(update)
    },
    setProgress: (fraction) => {
      h.progress.push(fraction)
      if (fraction === null) for (const resolve of waiters.splice(0)) resolve()
    },
    batchEnded: (summary) => {
      h.ended.push(summary)
    }
  }
  h.route = createRouter(createHandlers(deps))
  return h
}

const optionsFor = (source: string, target: string, overrides: RunOverrides = {}): BatchRequest =>
  requestFor(source, target, { size: SIZE, mode: 'smooth', workers: 2, existing: 'overwrite', ...overrides })

const eventsOf = (h: Harness): BatchEvent[] => h.updates.flatMap(({ update }) => update.events)
const resultsOf = (h: Harness): FileResult[] => eventsOf(h).flatMap((event) => (event.type === 'finished' ? [event.result] : []))
const summariesOf = (h: Harness): Summary[] => eventsOf(h).flatMap((event) => (event.type === 'summary' ? [event.summary] : []))
const errorsOf = (h: Harness): NonNullable<BatchUpdate['error']>[] => h.updates.flatMap(({ update }) => (update.error ? [update.error] : []))

function onlySummary(h: Harness): Summary {
  const summaries = summariesOf(h)
  expect(summaries).toHaveLength(1)
  const [summary] = summaries
  if (!summary) throw new Error('no summary was delivered')
  return summary
}

/** Every file below `folder`, '/'-separated and sorted, hidden ones (temp files) included. */
async function filesUnder(folder: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => [])
  const names: string[] = []
  for (const entry of entries) {
    if (entry.isDirectory()) names.push(...(await filesUnder(join(folder, entry.name), `${prefix}${entry.name}/`)))
    else names.push(`${prefix}${entry.name}`)
  }
  return names.sort()
}

/** What a batch left in its target besides its journal: outputs, and any temp file it failed to remove. */
const outputsIn = async (target: string): Promise<string[]> => (await filesUnder(target)).filter((name) => name !== JOURNAL_NAME)

/** The outputs a batch reported as made (copied or scaled), by their path below the target. */
const madeBy = (h: Harness): string[] =>
  resultsOf(h)
    .flatMap((result) => (result.outcome === 'done' ? result.outputs : []))
    .flatMap((output) => (output.outcome === 'copied' || output.outcome === 'scaled' ? [output.path] : []))
    .sort()

/** Waits for a batch to end; a batch that never clears the taskbar progress fails here, not by timeout. */
async function untilEnded(ended: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const tooLate = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the batch never ended: the taskbar progress was never cleared')), 30_000)
  })
  await Promise.race([ended, tooLate]).finally(() => clearTimeout(timer))
}

/** Runs one batch to its end and returns its harness. */
async function runToEnd(request: BatchRequest, h: Harness = harness()): Promise<Harness> {
  const ended = h.nextEnd()
  // Main answers the request as it accepted it: here, exactly what was sent (every field given).
  await expect(h.start(request)).resolves.toEqual({ ok: true, request })
  await untilEnded(ended)
  return h
}

let folders: TempFolders
/** Enough files that a cancel after the first update always finds some not yet started. */
let many: string
const MANY = 40
let targets = 0
/** A fresh target folder for each run, beside the shared source. */
const freshTarget = (): string => join(folders.root, `target-${++targets}`)

beforeAll(async () => {
  folders = await tempFolders()
  // Three distinct large pictures, copied under several names: decoding cost is what matters.
  const jpeg = await writeImage(folders.root, 'seed.jpg', { width: 1600, height: 1200, seed: 1 })
  const png = await writeImage(folders.root, 'seed.png', { width: 1200, height: 1600, seed: 2, format: 'png' })
  const webp = await writeImage(folders.root, 'seed.webp', { width: 1600, height: 900, seed: 3, format: 'webp' })
  const seeds: Record<string, string> = { jpg: jpeg, png, webp }
  await mkdir(join(folders.source, 'sub'), { recursive: true })
  for (const name of LARGE) await copyFile(seeds[name.split('.').pop() ?? ''] ?? jpeg, join(folders.source, name))
  await writeImage(folders.source, 'small-1.jpg', { width: 300, height: 200, seed: 4 })
  await writeImage(folders.source, 'small-2.png', { width: 400, height: 400, seed: 5, format: 'png' })
  await writeImage(folders.source, 'sub/small-3.webp', { width: 120, height: 380, seed: 6, format: 'webp' })
  await writeFile(join(folders.source, 'notes.txt'), 'shot on the beach, 2024\n')
  many = join(folders.root, 'many')
  await mkdir(many)
  for (let i = 0; i < MANY; i += 1) await copyFile(jpeg, join(many, `photo-${String(i).padStart(2, '0')}.jpg`))
})

afterAll(async () => {
  for (const { child } of electron.forks) child.kill()
  await folders?.cleanup()
})

describe('a full batch through the handlers', () => {
  let h: Harness
  let target: string

  beforeAll(async () => {
    target = freshTarget()
    h = await runToEnd(optionsFor(folders.source, target))
  })

  it('spawned exactly one pool host, with enough libuv threads for its workers', () => {
    expect(h.spawns).toHaveLength(1)
    expect(Number(h.spawns[0]?.UV_THREADPOOL_SIZE)).toBeGreaterThanOrEqual(2 + 2)
  })

  it('delivers updates at most every ~50 ms, except the summary, which is sent at once', () => {
    expect(h.updates.length).toBeGreaterThan(1)
    for (let i = 1; i < h.updates.length; i += 1) {
      const gap = (h.updates[i]?.at ?? 0) - (h.updates[i - 1]?.at ?? 0)
      const carriesSummary = h.updates[i]?.update.events.some((event) => event.type === 'summary')
      if (!carriesSummary) expect(gap, `gap before update ${i}`).toBeGreaterThanOrEqual(45)
    }
  })

  it('tags every update with the batch id its start sent, and two starts with different ids keep them apart', async () => {
    expect(h.startedIds).toHaveLength(1)
    expect(new Set(h.updates.map(({ update }) => update.batchId))).toEqual(new Set(h.startedIds))
    const next = harness()
    const ended = next.nextEnd()
    const first = await next.start(optionsFor(folders.source, freshTarget()), 'first-of-two')
    await untilEnded(ended)
    const firstUpdates = next.updates.length
    const again = next.nextEnd()
    const second = await next.start(optionsFor(folders.source, freshTarget()), 'second-of-two')
    await untilEnded(again)
    expect(first).toMatchObject({ ok: true })
    expect(second).toMatchObject({ ok: true })
    expect(firstUpdates).toBeGreaterThan(0)
    expect(next.updates.length).toBeGreaterThan(firstUpdates)
    // The first batch's updates all came before it ended, the second's after: each carries its own id.
    for (const { update } of next.updates.slice(0, firstUpdates)) expect(update.batchId).toBe('first-of-two')
    for (const { update } of next.updates.slice(firstUpdates)) expect(update.batchId).toBe('second-of-two')
    // Each batch ended in its own summary, under its own id.
    const summaryIds = next.updates.filter(({ update }) => update.events.some((event) => event.type === 'summary')).map(({ update }) => update.batchId)
    expect(summaryIds).toEqual(['first-of-two', 'second-of-two'])
  })

  it('ends with exactly one summary, as the last event of the last update, and no error', () => {
    const last = h.updates.at(-1)?.update
    expect(last?.events.at(-1)?.type).toBe('summary')
    expect(summariesOf(h)).toHaveLength(1)
    expect(errorsOf(h)).toEqual([])
  })

  it('reports every file of the source exactly once, as copied, scaled or skipped', () => {
    const events = eventsOf(h)
    expect(resultsOf(h).map((result) => result.file).sort()).toEqual([...ALL_FILES].sort())
    for (const file of LARGE) expect(outcomeOf(events, file), file).toBe('scaled')
    for (const file of SMALL) expect(outcomeOf(events, file), file).toBe('copied')
    expect(resultsOf(h).find((result) => result.file === 'notes.txt')).toMatchObject({ outcome: 'skipped', reason: 'not-an-image' })
  })

  it('announces each processed file as started before it is finished', () => {
    const events = eventsOf(h)
    for (const file of [...LARGE, ...SMALL]) {
      const startedAt = events.findIndex((event) => event.type === 'started' && event.file === file)
      const finishedAt = events.findIndex((event) => event.type === 'finished' && event.result.file === file)
      expect(startedAt, file).toBeGreaterThanOrEqual(0)
      expect(startedAt, file).toBeLessThan(finishedAt)
    }
  })

  it('sums up counts that match the folder', () => {
    const summary = onlySummary(h)
    expect(summary).toMatchObject({
      files: ALL_FILES.length,
      todo: ALL_FILES.length,
      counts: { copied: SMALL.length, scaled: LARGE.length, skipped: 1, failed: 0, canceled: 0 },
      skippedBy: { 'not-an-image': 1 },
      failedBy: {},
      notStarted: 0,
      hostRestarts: 0,
      canceled: false,
      dryRun: false,
      workers: 2
    })
    expect(addsUp(summary)).toBe(true)
  })

  it('wrote one output per image, and its journal, and nothing else into the target', async () => {
    expect(await filesUnder(target)).toEqual([...LARGE, ...SMALL, JOURNAL_NAME].sort())
  })

  it('moved the taskbar progress through fractions in [0, 1], ending at 1, then cleared it', () => {
    const fractions = h.progress.slice(0, -1)
    expect(fractions.length).toBeGreaterThan(0)
    for (const fraction of fractions) {
      expect(fraction).not.toBeNull()
      expect(fraction).toBeGreaterThanOrEqual(0)
      expect(fraction).toBeLessThanOrEqual(1)
    }
    expect(fractions.at(-1)).toBe(1)
    expect(h.progress.at(-1)).toBeNull()
  })

  it('told the app the batch ended, once, with the summary the renderer saw', () => {
    expect(h.ended).toEqual(summariesOf(h))
  })

  it('shell:show-target opens the target of the last batch', async () => {
    await h.route('shell:show-target', undefined)
    expect(h.opened).toEqual([resolve(target)])
  })

  it.each(['large-1.jpg', 'sub/small-3.webp'])('shell:show-output reveals %s inside the target', async (file) => {
    const before = h.revealed.length
    await h.route('shell:show-output', { file })
    expect(h.revealed.slice(before)).toEqual([join(target, file)])
  })

  it.each(['../x', '..', 'sub/../../x', '../source/large-1.jpg', '/etc/passwd', join('/', 'tmp', 'elsewhere.jpg')])(
    'shell:show-output refuses %s, which is not inside the target',
    async (file) => {
      const before = h.revealed.length
      const error = await h.route('shell:show-output', { file }).then(
        () => null,
        (reason: unknown) => reason
      )
      expect(error).toBeInstanceOf(ScaleError)
      expect(error).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/not in the target folder/) })
      expect(h.revealed).toHaveLength(before)
    }
  )

  it('shell:show-output refuses the source’s own copy of a file, named by its absolute path', async () => {
    const before = h.revealed.length
    await expect(h.route('shell:show-output', { file: join(folders.source, 'large-1.jpg') })).rejects.toMatchObject({ code: 'bad-request' })
    expect(h.revealed).toHaveLength(before)
  })

  it('report:export saves the batch as a Chrome trace: a track per worker lane, each file that reached a worker once', async () => {
    const file = join(dirname(target), `trace-${basename(target)}.json`)
    h.savePath = file
    expect(await h.route('report:export', { format: 'trace' })).toBe(true)
    expect(h.savePicks.at(-1)).toBe('imagescale-trace.json')
    const trace = JSON.parse(await readFile(file, 'utf8')) as Trace
    const lanes = trace.traceEvents.filter((event) => event.name === 'thread_name' && event.tid !== 0)
    expect(lanes).toHaveLength(h.ended[0]!.workers)
    const started = eventsOf(h).flatMap((event) => (event.type === 'started' ? [event.file] : []))
    const bars = trace.traceEvents.filter((event) => event.ph === 'X' && event.cat !== 'stage').map((event) => event.name)
    expect(bars.sort()).toEqual(started.sort())
    expect(trace.otherData).toMatchObject({ imagescale: '1.2.3', summary: h.ended[0] })
    // The cores were sampled at least once, the last time with the summary: no update comes after it.
    expect(trace.traceEvents.some((event) => event.ph === 'C' && event.name === 'cpu 1 busy')).toBe(true)
    expect(h.updates.at(-1)?.update.events.at(-1)?.type).toBe('summary')
    expect(h.updates.at(-1)?.update.cpu?.length).toBeGreaterThanOrEqual(1)
  })

  it('report:export saves the timings table as CSV, one row per file', async () => {
    const file = join(dirname(target), `timings-${basename(target)}.csv`)
    h.savePath = file
    expect(await h.route('report:export', { format: 'csv' })).toBe(true)
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\r\n')
    expect(lines[0]).toBe(TIMING_COLUMNS.join(','))
    expect(lines).toHaveLength(1 + h.ended[0]!.files)
  })

  it('report:export writes nothing when the dialog is canceled, and never into the source or the target', async () => {
    h.savePath = null
    expect(await h.route('report:export', { format: 'json' })).toBe(false)
    h.savePath = join(folders.source, 'timings.json')
    await expect(h.route('report:export', { format: 'json' })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/inside the source folder/) })
    expect(existsSync(join(folders.source, 'timings.json'))).toBe(false)
    // Nor among the outputs: the journal a resume trusts could be replaced.
    h.savePath = join(target, '.imagescale-journal.jsonl')
    await expect(h.route('report:export', { format: 'json' })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/inside the target folder/) })
  })
})

describe('one batch at a time', () => {
  it('refuses a second start while one runs, without spawning a second host, and accepts one after it ended', async () => {
    const h = harness()
    const ended = h.nextEnd()
    const target = freshTarget()
    // Both requests arrive before the first has checked its folders: the lock must already hold.
    const [first, second] = await Promise.all([h.start(optionsFor(folders.source, target)), h.start(optionsFor(folders.source, freshTarget()))])
    expect(first).toMatchObject({ ok: true })
    expect(second).toMatchObject({ ok: false, code: 'busy', message: expect.stringMatching(/already running/) })
    const third = await h.start(optionsFor(folders.source, freshTarget()))
    expect(third).toMatchObject({ ok: false, code: 'busy' })
    await untilEnded(ended)
    expect(h.spawns).toHaveLength(1)
    // The refusals did not disturb the running batch.
    expect(h.ended).toHaveLength(1)
    expect(h.ended[0]).toMatchObject({ todo: ALL_FILES.length, canceled: false })
    // Only the batch that was accepted spoke: every update carries the first start's id.
    expect(new Set(h.updates.map(({ update }) => update.batchId))).toEqual(new Set([h.startedIds[0]]))
    await runToEnd(optionsFor(folders.source, freshTarget(), { recursive: false }), h)
    expect(h.spawns).toHaveLength(2)
  })
})

describe('a start the folders do not allow', () => {
  const h = harness()
  let outside: string

  beforeAll(async () => {
    outside = join(folders.root, 'outside')
    await mkdir(join(outside, 'inner'), { recursive: true })
    await writeFile(join(folders.root, 'a-file'), 'not a folder')
  })

  it.each([
    ['a missing source', () => optionsFor(join(folders.root, 'no-such-folder'), freshTarget()), 'source-missing', /does not exist: .*no-such-folder/],
    ['a source that is a file', () => optionsFor(join(folders.root, 'a-file'), freshTarget()), 'source-not-folder', /not a folder/],
    ['the source as its own target', () => optionsFor(folders.source, folders.source), 'same-folder', /target folder is the source folder/],
    ['the same folder spelled differently', () => optionsFor(folders.source, `${folders.source}/sub/..`), 'same-folder', /target folder is the source folder/],
    ['a source inside the target', () => optionsFor(join(outside, 'inner'), outside), 'source-inside-target', /source folder is inside the target folder/],
    ['a target that is a file', () => optionsFor(folders.source, join(folders.root, 'a-file')), 'target-not-folder', /not a folder/],
    ['a target under /proc', () => optionsFor(folders.source, '/proc/imagescale-test/out'), 'pseudo-fs', /the target is on proc, a view of the kernel, not a disk/],
    [
      'overwriting inside the source',
      () => optionsFor(folders.source, join(folders.source, 'small'), { existing: 'overwrite' }),
      'overwrite-in-source',
      /inside the source.*overwriting is refused/
    ]
  ])('refuses %s with a clear message, before any host is spawned', async (_what, request, code, message) => {
    const before = { opened: h.opened.length, spawns: h.spawns.length }
    const result = await h.start(request())
    expect(result).toMatchObject({ ok: false, code, message: expect.stringMatching(message) })
    expect(h.spawns).toHaveLength(before.spawns)
    expect(h.updates).toEqual([])
    expect(h.progress).toEqual([])
    // A refused start is not "the last batch": there is still no target to show.
    await h.route('shell:show-target', undefined)
    expect(h.opened).toHaveLength(before.opened)
  })

  it('leaves the app free to start a good batch afterwards', async () => {
    await runToEnd(optionsFor(folders.source, freshTarget(), { recursive: false }), h)
    expect(h.spawns).toHaveLength(1)
    expect(h.ended).toHaveLength(1)
  })

  it('a target under /proc is refused at once, and the next start runs: the app is not left busy', async () => {
    const fresh = harness()
    const refused = await fresh.start(optionsFor(folders.source, '/proc/self/imagescale'))
    expect(refused).toMatchObject({ ok: false, code: 'pseudo-fs', message: expect.stringMatching(/^the target is on proc, a view of the kernel, not a disk: \/proc\//) })
    const target = freshTarget()
    await runToEnd(optionsFor(folders.source, target, { recursive: false }), fresh)
    expect(fresh.ended).toEqual([expect.objectContaining({ canceled: false, counts: expect.objectContaining({ failed: 0 }) })])
    expect((await outputsIn(target)).length).toBeGreaterThan(0)
  })
})

describe('folders are taken exactly as typed', () => {
  let keep: string

  beforeAll(async () => {
    keep = join(folders.root, 'keep')
    await mkdir(keep)
    await writeImage(keep, 'kept.jpg', { width: 300, height: 200, seed: 11 })
  })

  it('a source "keep " that does not exist is refused as missing, even though "keep" does', async () => {
    const h = harness()
    const target = freshTarget()
    const result = await h.start(optionsFor(`${keep} `, target))
    expect(result).toMatchObject({ ok: false, code: 'source-missing' })
    if (result.ok) return
    // The message names the folder as typed, trailing space and all.
    expect(result.message.endsWith(`${keep} `)).toBe(true)
    expect(h.spawns).toEqual([])
    expect(h.updates).toEqual([])
    expect(await filesUnder(target)).toEqual([])
  })

  it('a target "web " is made as "web ", beside an existing "web" that is left alone', async () => {
    const web = join(folders.root, 'web')
    await mkdir(web, { recursive: true })
    const h = await runToEnd(optionsFor(keep, `${web} `))
    expect(onlySummary(h).counts.copied).toBe(1)
    expect(await outputsIn(`${web} `)).toEqual(['kept.jpg'])
    expect(await filesUnder(web)).toEqual([])
  })
})

describe('cancel', () => {
  it('stops a running batch: files on a worker finish, the rest are counted as not started, nothing half-written stays', async () => {
    const h = harness()
    const target = freshTarget()
    let canceled = false
    h.onUpdate = (update) => {
      if (!canceled && update.events.some((event) => event.type === 'started')) {
        canceled = true
        void h.route('batch:cancel', undefined)
      }
    }
    await runToEnd(optionsFor(many, target, { workers: 1 }), h)
    expect(canceled).toBe(true)

    const summary = onlySummary(h)
    expect(summary.canceled).toBe(true)
    expect(summary.notStarted).toBeGreaterThan(0)
    expect(summary.counts.scaled).toBeGreaterThan(0)
    // Files canceled before they started are only counted (one unit each: one output per file).
    expect(summary.counts.canceled).toBe(summary.notStarted)
    expect(summary.todo).toBe(MANY)
    expect(addsUp(summary)).toBe(true)
    expect(h.ended).toEqual([summary])

    const results = resultsOf(h)
    expect(new Set(results.map((result) => result.file)).size).toBe(results.length)
    expect(results.length + summary.notStarted).toBe(MANY)
    // A plain cancel lets the files on a worker finish: none is abandoned.
    expect(results.filter((result) => result.outcome === 'canceled')).toEqual([])
    // Exactly the finished outputs exist: no temporary or partial file is left behind.
    expect(await outputsIn(target)).toEqual(madeBy(h))
    expect(h.progress.at(-1)).toBeNull()
  })

  it('right after start, cancels every file and writes nothing', async () => {
    const h = harness()
    const target = freshTarget()
    const ended = h.nextEnd()
    await expect(h.start(optionsFor(folders.source, target))).resolves.toMatchObject({ ok: true })
    await h.route('batch:cancel', undefined)
    await untilEnded(ended)
    expect(h.ended).toHaveLength(1)
    expect(h.ended[0]).toMatchObject({
      canceled: true,
      todo: ALL_FILES.length,
      notStarted: ALL_FILES.length,
      counts: { copied: 0, scaled: 0, skipped: 0, failed: 0, canceled: ALL_FILES.length }
    })
    expect(await outputsIn(target)).toEqual([])
  })

  it('does nothing when no batch runs, and neither does Stop now', async () => {
    const h = harness()
    await expect(h.route('batch:cancel', undefined)).resolves.toBeUndefined()
    await expect(h.route('batch:stop-now', undefined)).resolves.toBeUndefined()
    expect(h.spawns).toEqual([])
    expect(h.updates).toEqual([])
    // Still free: a start is accepted.
    await runToEnd(optionsFor(folders.source, freshTarget(), { recursive: false }), h)
  })
})

describe('Stop now', () => {
  it('during a run, abandons the files on a worker and ends in a summary, leaving nothing partial in the target', async () => {
    const h = harness()
    const target = freshTarget()
    let stopped = false
    h.onUpdate = (update) => {
      if (!stopped && update.events.some((event) => event.type === 'started')) {
        stopped = true
        void h.route('batch:cancel', undefined)
        void h.route('batch:stop-now', undefined)
      }
    }
    await runToEnd(optionsFor(many, target, { workers: 2 }), h)
    expect(stopped).toBe(true)

    const summary = onlySummary(h)
    expect(errorsOf(h)).toEqual([])
    expect(summary.canceled).toBe(true)
    expect(summary.todo).toBe(MANY)
    expect(addsUp(summary)).toBe(true)
    // Stopping the pool on purpose is not a crash: nothing is restarted, nothing failed.
    expect(summary.hostRestarts).toBe(0)
    expect(summary.counts.failed).toBe(0)
    expect(h.ended).toEqual([summary])

    const results = resultsOf(h)
    expect(results.length + summary.notStarted).toBe(MANY)
    // The files the pool held (on a worker, or being read for one) end canceled; one on a
    // worker ends in that worker's row.
    const abandoned = results.filter((result) => result.outcome === 'canceled')
    expect(abandoned.length).toBeGreaterThan(0)
    for (const result of abandoned) expect(result).toMatchObject({ message: expect.stringMatching(/no half-written file was left/) })
    const events = eventsOf(h)
    const onWorker = abandoned.filter((result) => events.some((event) => event.type === 'started' && event.file === result.file))
    expect(onWorker.length).toBeGreaterThan(0)
    expect(onWorker.length).toBeLessThanOrEqual(2)
    for (const result of onWorker) {
      const started = events.find((event) => event.type === 'started' && event.file === result.file)
      const finished = events.find((event) => event.type === 'finished' && event.result.file === result.file)
      expect(finished?.type === 'finished' && finished.worker).toBe(started?.type === 'started' && started.worker)
    }
    expect(summary.counts.canceled).toBe(summary.notStarted + abandoned.length)

    // Nothing partial: no temp file, no output of an abandoned file, and every output there is whole.
    const left = await outputsIn(target)
    expect(left.filter((name) => name.includes(TEMP_MARK))).toEqual([])
    expect(left).toEqual(madeBy(h))
    for (const result of abandoned) expect(left).not.toContain(result.file)
    for (const name of left) await expect(sharp(join(target, name)).stats(), name).resolves.toBeDefined()
    expect(h.progress.at(-1)).toBeNull()

    // The app is free again.
    await runToEnd(optionsFor(folders.source, freshTarget(), { recursive: false }), h)
    expect(h.ended).toHaveLength(2)
  })
})

describe('Stop now while the pool host is still starting', () => {
  it('still ends the batch, with no pool host left running', async () => {
    // Electron gives a utility process its pid only once it has spawned ('spawn' comes later):
    // a Stop now in that moment (the first file of a batch, or a host just restarted) must still
    // stop the host and end the batch, not wait for ever for a process it could not signal.
    const real = utilityHost(HOST_PATH)
    let asked = false
    let h: Harness | null = null
    const stoppingAtSpawn: SpawnHost = (args, env) => {
      const host = real(args, env)
      if (!asked) {
        asked = true
        queueMicrotask(() => {
          void h?.route('batch:cancel', undefined)
          void h?.route('batch:stop-now', undefined)
        })
      }
      return host
    }
    h = harness(stoppingAtSpawn)
    const target = freshTarget()
    const ended = h.nextEnd()
    await expect(h.start(optionsFor(many, target, { workers: 2 }))).resolves.toMatchObject({ ok: true })
    await untilEnded(ended)
    expect(asked).toBe(true)
    const summary = onlySummary(h)
    expect(summary).toMatchObject({ canceled: true, todo: MANY })
    expect(addsUp(summary)).toBe(true)
    const forked = electron.forks.at(-1)
    if (!forked) throw new Error('no pool host was started')
    // The host is gone, not left running beside the app.
    const exit = await Promise.race([forked.child.exited.then(() => 'exited'), new Promise((resolve) => setTimeout(() => resolve('still running'), 5000))])
    expect(exit).toBe('exited')
    expect(await outputsIn(target)).toEqual(madeBy(h))
  })
})

describe('when the pool host fails', () => {
  it('a host that dies mid-batch fails only the files it held; a new host does the rest and the batch ends in a summary', async () => {
    // The app's own utility host, killed from outside just after it was given its first file to
    // make, as a crash (SIGBUS, the OOM killer) would end it. Only the first host dies.
    const real = utilityHost(HOST_PATH)
    let hosts = 0
    const crashingOnce: SpawnHost = (args, env) => {
      const host = real(args, env)
      hosts += 1
      if (hosts > 1) return host
      let killed = false
      const wrapped: HostProcess = {
        kill: () => host.kill(),
        get pid() {
          return host.pid
        },
        send: (message) => {
          host.send(message)
          if (message.type === 'make' && !killed && host.pid !== undefined) {
            killed = true
            process.kill(host.pid, 'SIGKILL')
          }
        },
        onMessage: (listener) => host.onMessage(listener),
        onExit: (listener) => host.onExit(listener)
      }
      return wrapped
    }
    const h = harness(crashingOnce)
    const target = freshTarget()
    await runToEnd(optionsFor(many, target, { workers: 1 }), h)

    expect(errorsOf(h)).toEqual([])
    const summary = onlySummary(h)
    expect(summary).toMatchObject({ canceled: false, todo: MANY, hostRestarts: 1 })
    expect(addsUp(summary)).toBe(true)
    expect(h.spawns).toHaveLength(2)
    const crashed = resultsOf(h).filter((result) => result.outcome === 'failed')
    expect(crashed.length).toBeGreaterThan(0)
    for (const result of crashed) expect(result).toMatchObject({ reason: 'host-crashed', message: expect.stringMatching(/image pool .* while it worked on this file/) })
    expect(summary.failedBy).toEqual({ 'host-crashed': crashed.length })
    expect(summary.counts.scaled).toBe(MANY - crashed.length)
    // Nothing the dead host was writing is left behind.
    expect(await outputsIn(target)).toEqual(madeBy(h))
    expect(h.progress.at(-1)).toBeNull()
  })

  it('a host that cannot be started is reported on every file, and does not leave the app stuck as busy', async () => {
    let broken = true
    const real = utilityHost(HOST_PATH)
    const failing: SpawnHost = (args, env) => {
      if (broken) throw new Error('utility process could not be created')
      return real(args, env)
    }
    const h = harness(failing)
    await runToEnd(optionsFor(folders.source, freshTarget()), h)
    const summary = onlySummary(h)
    expect(summary).toMatchObject({ todo: ALL_FILES.length, counts: { copied: 0, scaled: 0, failed: ALL_FILES.length } })
    for (const result of resultsOf(h)) expect(result).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/utility process could not be created/) })

    broken = false
    await runToEnd(optionsFor(folders.source, freshTarget(), { recursive: false }), h)
    expect(h.ended).toHaveLength(2)
    expect(h.ended[1]).toMatchObject({ canceled: false, counts: { failed: 0 } })
  })
})

describe('the other requests', () => {
  it('app:info answers the app’s info', async () => {
    await expect(harness().route('app:info', undefined)).resolves.toEqual({ cores: 6, version: '1.2.3', platform: 'linux' })
  })

  it('dialog:pick-folder asks the dialog for the purpose and starting folder, and returns its choice', async () => {
    const h = harness()
    await expect(h.route('dialog:pick-folder', { purpose: 'source', current: '/photos' })).resolves.toBe('/chosen/source')
    await expect(h.route('dialog:pick-folder', { purpose: 'target' })).resolves.toBeNull()
    expect(h.picks).toEqual([{ purpose: 'source', current: '/photos' }, { purpose: 'target' }])
  })

  it('before any batch, report:export refuses, without asking where', async () => {
    const h = harness()
    await expect(h.route('report:export', { format: 'trace' })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/no finished batch/) })
    expect(h.savePicks).toEqual([])
  })

  it('before any batch, show-target and show-output do nothing', async () => {
    const h = harness()
    await h.route('shell:show-target', undefined)
    await h.route('shell:show-output', { file: 'a.jpg' })
    expect(h.opened).toEqual([])
    expect(h.revealed).toEqual([])
  })
})

describe('source:files, the preview’s list of files', () => {
  let listed: string
  let crowded: string

  beforeAll(async () => {
    // Names that sort differently by code unit and by number, hidden files, and folders of files.
    listed = join(folders.root, 'listed')
    await mkdir(join(listed, 'sub', 'deeper'), { recursive: true })
    await mkdir(join(listed, 'empty'))
    for (const name of ['IMG_10.jpg', 'IMG_2.jpg', 'b.txt', 'A.png', '.DS_Store', '.hidden.jpg', 'Thumbs.db', 'sub/z.jpg', 'sub/deeper/y.jpg', 'sub/.secret.jpg']) {
      await writeFile(join(listed, name), name)
    }
    // One more than is listed: tiny non-image files are enough for a listing.
    crowded = join(folders.root, 'crowded')
    await mkdir(crowded)
    for (let i = 1; i <= PREVIEW_LISTED + 1; i += 1) await writeFile(join(crowded, `file-${i}.txt`), String(i))
  })

  it('lists the top level alone in file-manager order, without hidden files, clutter or folders', async () => {
    const answer = (await harness().route('source:files', { source: listed, recursive: false })) as SourceFiles
    expect(answer).toEqual({ files: ['A.png', 'b.txt', 'IMG_2.jpg', 'IMG_10.jpg'], more: false })
  })

  it('with sub-folders, lists a folder’s own files before its sub-folders’, by their path below the source', async () => {
    const answer = (await harness().route('source:files', { source: listed, recursive: true })) as SourceFiles
    expect(answer).toEqual({ files: ['A.png', 'b.txt', 'IMG_2.jpg', 'IMG_10.jpg', 'sub/z.jpg', 'sub/deeper/y.jpg'], more: false })
  })

  it(`lists at most ${PREVIEW_LISTED} files, the first in scan order, and says there are more`, async () => {
    const answer = (await harness().route('source:files', { source: crowded, recursive: false })) as SourceFiles
    expect(answer.more).toBe(true)
    expect(answer.files).toHaveLength(PREVIEW_LISTED)
    // Numeric order: file-2 before file-10, and file-501, the last, is the one left out.
    expect(answer.files).toEqual(Array.from({ length: PREVIEW_LISTED }, (_, i) => `file-${i + 1}.txt`))
  })

  it(`says there are no more when there are exactly ${PREVIEW_LISTED}`, async () => {
    const exact = join(folders.root, 'exact')
    await mkdir(exact)
    for (let i = 1; i <= PREVIEW_LISTED; i += 1) await writeFile(join(exact, `file-${i}.txt`), String(i))
    const answer = (await harness().route('source:files', { source: exact, recursive: true })) as SourceFiles
    expect(answer).toEqual({ files: Array.from({ length: PREVIEW_LISTED }, (_, i) => `file-${i + 1}.txt`), more: false })
  })

  it('refuses a source that does not exist, naming it, without starting a pool host', async () => {
    const h = harness()
    const missing = join(folders.root, 'no-such-listing')
    await expect(h.route('source:files', { source: missing, recursive: true })).rejects.toMatchObject({
      code: 'source-missing',
      message: `the source folder does not exist: ${missing}`
    })
    expect(h.spawns).toEqual([])
  })
})

describe('a batch of files picked one by one', () => {
  const PICKED = ['small-1.jpg', 'gone.jpg', 'large-2.jpg', 'sub', 'notes.txt']
  let h: Harness
  let target: string
  let answer: StartResult

  beforeAll(async () => {
    h = harness()
    target = freshTarget()
    const ended = h.nextEnd()
    // Recursive, and named by the default {dir}/{name}.{ext}: still only the picked files, flat.
    answer = await h.start(optionsFor(folders.source, target, { files: PICKED, recursive: true }))
    await untilEnded(ended)
  })

  it('is accepted, and main answers the request with the picked files', () => {
    expect(answer).toMatchObject({ ok: true, request: { files: PICKED, recursive: true } })
  })

  it('makes only the picked files, into the top of the target', async () => {
    expect(madeBy(h)).toEqual(['large-2.jpg', 'small-1.jpg'])
    expect(await outputsIn(target)).toEqual(['large-2.jpg', 'small-1.jpg'])
    expect(await dimensionsOf(join(target, 'large-2.jpg'))).toMatchObject({ width: SIZE })
  })

  it('reports each picked name once: a missing one as no longer there, a folder as not a file', () => {
    const results = resultsOf(h)
    expect(results.map((result) => result.file).sort()).toEqual([...PICKED].sort())
    const events = eventsOf(h)
    expect(outcomeOf(events, 'small-1.jpg')).toBe('copied')
    expect(outcomeOf(events, 'large-2.jpg')).toBe('scaled')
    expect(results.find((result) => result.file === 'gone.jpg')).toMatchObject({ outcome: 'skipped', reason: 'unreadable', message: 'no longer there' })
    expect(results.find((result) => result.file === 'sub')).toMatchObject({ outcome: 'skipped', reason: 'special-file', message: expect.stringMatching(/a folder, not a file/) })
    expect(results.find((result) => result.file === 'notes.txt')).toMatchObject({ outcome: 'skipped', reason: 'not-an-image' })
    // Nothing below the source was touched, though the batch is recursive.
    for (const file of ['sub/large-8.jpg', 'sub/small-3.webp', 'large-1.jpg']) expect(results.some((result) => result.file === file), file).toBe(false)
  })

  it('sums up the picked files, not the folder', () => {
    const summary = onlySummary(h)
    expect(summary).toMatchObject({
      files: PICKED.length,
      todo: PICKED.length,
      counts: { copied: 1, scaled: 1, skipped: 3, failed: 0, canceled: 0 },
      skippedBy: { unreadable: 1, 'special-file': 1, 'not-an-image': 1 },
      canceled: false
    })
    expect(addsUp(summary)).toBe(true)
  })

  it('refuses a picked file below a sub-folder before anything runs', async () => {
    const fresh = harness()
    await expect(fresh.start(optionsFor(folders.source, freshTarget(), { files: ['sub/large-8.jpg'] }))).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/a file is named without a folder/)
    })
    expect(fresh.spawns).toEqual([])
    expect(fresh.updates).toEqual([])
  })
})

describe('dialogs and the clipboard', () => {
  it('dialog:pick-files asks the dialog for the purpose and starting folder, and returns its choice', async () => {
    const h = harness()
    h.pickedFiles = ['/photos/a.jpg', '/photos/b.jpg']
    await expect(h.route('dialog:pick-files', { purpose: 'images', current: '/photos' })).resolves.toEqual(['/photos/a.jpg', '/photos/b.jpg'])
    h.pickedFiles = []
    await expect(h.route('dialog:pick-files', { purpose: 'preset' })).resolves.toEqual([])
    expect(h.filePicks).toEqual([{ purpose: 'images', current: '/photos' }, { purpose: 'preset' }])
  })

  it('clipboard:write hands the text to the clipboard, exactly', async () => {
    const h = harness()
    const text = "imagescale '/photos/holiday ' /photos/small --preset web"
    await expect(h.route('clipboard:write', { text })).resolves.toBeUndefined()
    expect(h.clipboard).toEqual([text])
  })
})

describe('preview:make, one file through the recipe in a pool host of its own', () => {
  /** Two outputs: one that scales (and re-encodes), one that fits and is copied. */
  const RECIPE: Recipe = recipeSchema.parse({
    outputs: [
      { resize: { kind: 'long', size: SIZE }, format: 'webp', quality: 70, metadata: 'strip' },
      { resize: { kind: 'long', size: 4000 }, folder: 'big' }
    ]
  })
  const previewOf = (h: Harness, path: string, recipe: Recipe = RECIPE): Promise<Preview> =>
    h.route('preview:make', { path, recipe, maxPixels: 268_402_689 }) as Promise<Preview>
  const imageOf = (image: { base64: string }) => sharp(Buffer.from(image.base64, 'base64')).metadata()

  it('shows the original and each output as a run would make it, and writes nothing', async () => {
    const h = harness()
    const before = await filesUnder(folders.root)
    const preview = await previewOf(h, join(folders.source, 'large-1.jpg'))
    expect(preview.file).toBe('large-1.jpg')
    expect(preview.original.info).toMatchObject({ format: 'jpeg', shown: { width: 1600, height: 1200 }, frames: 1, alpha: false })
    expect(await imageOf(preview.original.image)).toMatchObject({ width: 1600, height: 1200 })
    const [scaled, copied] = preview.outputs
    expect(scaled).toMatchObject({ output: 0, action: 'scale', size: { width: SIZE, height: 300 }, format: 'webp', image: { mime: 'image/webp' } })
    expect(copied).toMatchObject({ output: 1, action: 'copy', size: { width: 1600, height: 1200 }, format: 'jpeg' })
    if (scaled?.action !== 'scale' || copied?.action !== 'copy') throw new Error('unexpected actions')
    expect(await imageOf(scaled.image)).toMatchObject({ format: 'webp', width: SIZE, height: 300 })
    expect(scaled.bytes).toBe(Buffer.from(scaled.image.base64, 'base64').length)
    // A copy is the file itself.
    expect(copied.bytes).toBe((await readFile(join(folders.source, 'large-1.jpg'))).length)
    expect(await filesUnder(folders.root)).toEqual(before)
    expect(h.spawns).toHaveLength(1)
  })

  it('reports the very bytes a run of the same recipe writes', async () => {
    const h = harness()
    const preview = await previewOf(h, join(folders.source, 'large-3.jpg'))
    const target = freshTarget()
    await runToEnd(optionsFor(folders.source, target, { files: ['large-3.jpg'], recipe: RECIPE }), h)
    const scaled = preview.outputs[0]
    if (scaled?.action !== 'scale') throw new Error('the first output was not scaled')
    expect(Buffer.from(scaled.image.base64, 'base64').equals(await readFile(join(target, 'large-3.webp')))).toBe(true)
    expect(preview.outputs[1]).toMatchObject({ bytes: (await readFile(join(target, 'big', 'large-3.jpg'))).length })
  })

  it('leaves no pool host running once the preview is made', async () => {
    const h = harness()
    await previewOf(h, join(folders.source, 'small-2.png'))
    const forked = electron.forks.at(-1)
    if (!forked) throw new Error('no pool host was started')
    await expect(forked.child.exited).resolves.toEqual(expect.any(Number))
  })

  it('refuses a file that is not an image, naming it', async () => {
    await expect(previewOf(harness(), join(folders.source, 'notes.txt'))).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/^cannot preview notes\.txt: /) })
  })

  it('refuses a file that is not there as unreadable', async () => {
    await expect(previewOf(harness(), join(folders.source, 'gone.jpg'))).rejects.toMatchObject({ code: 'source-unreadable', message: expect.stringMatching(/^cannot preview gone\.jpg: /) })
  })

  it('a newer preview (the recipe changed) cancels the one being made', async () => {
    const h = harness()
    const older = previewOf(h, join(folders.source, 'large-4.png'))
    const newer = previewOf(h, join(folders.source, 'large-4.png'), recipeSchema.parse({ outputs: [{ resize: { kind: 'long', size: 200 } }] }))
    await expect(older).rejects.toMatchObject({ code: 'canceled' })
    await expect(newer).resolves.toMatchObject({ file: 'large-4.png', outputs: [{ action: 'scale', size: { width: 150, height: 200 } }] })
  })
})
