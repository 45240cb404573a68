import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScaleError } from '../../src/core/errors'
import { forkHost } from '../../src/core/host-client'
import type { SpawnHost } from '../../src/core/host-protocol'
import { createHandlers, type MainDeps } from '../../src/main/handlers'
import { createRouter } from '../../src/main/ipc'
import type { BatchEvent, BatchOptions, FileResult, Summary } from '../../src/shared/batch'
import type { BatchUpdate, FolderPurpose, StartResult } from '../../src/shared/ipc'
import { HOST_PATH, WORKER_PATH } from '../helpers/built'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { fork } from 'node:child_process'
import type { FromHost } from '../../src/core/host-protocol'

// handlers.ts never imports electron: Electron is reached only through MainDeps, which these
// tests fill with recording fakes around the real engine (a forked pool host, the built worker).

const SIZE = 400

/** The source folder every run reads: what each file must become. */
const LARGE = ['large-1.jpg', 'large-2.jpg', 'large-3.jpg', 'large-4.png', 'large-5.png', 'large-6.webp', 'large-7.webp', 'sub/large-8.jpg', 'sub/large-9.png']
const SMALL = ['small-1.jpg', 'small-2.png', 'sub/small-3.webp']
const NOT_IMAGES = ['notes.txt']
const ALL_FILES = [...LARGE, ...SMALL, ...NOT_IMAGES]

interface Harness {
  route: (channel: string, raw: unknown) => Promise<unknown>
  start(options: BatchOptions): Promise<StartResult>
  /** Resolves when the next batch has ended (taskbar progress cleared), whatever the outcome. */
  nextEnd(): Promise<void>
  spawns: Record<string, string>[]
  updates: { at: number; update: BatchUpdate }[]
  progress: (number | null)[]
  ended: Summary[]
  opened: string[]
  revealed: string[]
  picks: { purpose: FolderPurpose; current?: string }[]
  /** Called with every update as it is delivered, after it is recorded. */
  onUpdate?: (update: BatchUpdate) => void
}

function harness(spawnHost: SpawnHost = forkHost(HOST_PATH)): Harness {
  const waiters: (() => void)[] = []
  const h: Harness = {
    route: () => Promise.reject(new Error('not ready')),
    start: (options) => h.route('batch:start', options) as Promise<StartResult>,
    nextEnd: () => new Promise((resolve) => waiters.push(resolve)),
    spawns: [],
    updates: [],
    progress: [],
    ended: [],
    opened: [],
    revealed: [],
    picks: []
  }
  const deps: MainDeps = {
    // Counted, then the real forked host: a refused start must never get this far.
    spawnHost: (env) => {
      h.spawns.push(env)
      return spawnHost(env)
    },
    workerPath: WORKER_PATH,
    appInfo: { cores: 6, version: '1.2.3', platform: 'linux' },
    pickFolder: async (purpose, current) => {
      h.picks.push(current === undefined ? { purpose } : { purpose, current })
      return purpose === 'source' ? '/chosen/source' : null
    },
    openFolder: async (path) => {
      h.opened.push(path)
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

const optionsFor = (source: string, target: string, overrides: Partial<BatchOptions> = {}): BatchOptions => ({
  source,
  target,
  size: SIZE,
  mode: 'smooth',
  workers: 2,
  recursive: true,
  existing: 'overwrite',
  maxPixels: 268_402_689,
  ...overrides
})

const eventsOf = (h: Harness): BatchEvent[] => h.updates.flatMap(({ update }) => update.events)
const resultsOf = (h: Harness): FileResult[] =>
  eventsOf(h).flatMap((event) => (event.type === 'finished' ? [event.result] : []))
const summariesOf = (h: Harness): Summary[] => eventsOf(h).flatMap((event) => (event.type === 'summary' ? [event.summary] : []))

function onlySummary(h: Harness): Summary {
  const summaries = summariesOf(h)
  expect(summaries).toHaveLength(1)
  const [summary] = summaries
  if (!summary) throw new Error('no summary was delivered')
  return summary
}

async function filesUnder(folder: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => [])
  const names: string[] = []
  for (const entry of entries) {
    if (entry.isDirectory()) names.push(...(await filesUnder(join(folder, entry.name), `${prefix}${entry.name}/`)))
    else names.push(`${prefix}${entry.name}`)
  }
  return names.sort()
}

/** Waits for a batch to end; a batch that never clears the taskbar progress fails here, not by timeout. */
async function untilEnded(ended: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const tooLate = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the batch never ended: the taskbar progress was never cleared')), 30_000)
  })
  await Promise.race([ended, tooLate]).finally(() => clearTimeout(timer))
}

/** Runs one batch to its end and returns its harness. */
async function runToEnd(options: BatchOptions, h: Harness = harness()): Promise<Harness> {
  const ended = h.nextEnd()
  await expect(h.start(options)).resolves.toMatchObject({ ok: true, batchId: expect.any(Number) })
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

afterAll(() => folders?.cleanup())

describe('a full batch through the handlers', () => {
  let h: Harness
  let target: string

  beforeAll(async () => {
    target = freshTarget()
    h = await runToEnd(optionsFor(folders.source, target))
  })

  it('spawned exactly one pool host, with enough libuv threads for its workers', () => {
    expect(h.spawns).toHaveLength(1)
    expect(Number(h.spawns[0]?.UV_THREADPOOL_SIZE)).toBeGreaterThanOrEqual(2)
  })

  it('delivers updates at most every ~50 ms, except the summary, which is sent at once', () => {
    expect(h.updates.length).toBeGreaterThan(1)
    for (let i = 1; i < h.updates.length; i += 1) {
      const gap = (h.updates[i]?.at ?? 0) - (h.updates[i - 1]?.at ?? 0)
      const carriesSummary = h.updates[i]?.update.events.some((event) => event.type === 'summary')
      if (!carriesSummary) expect(gap, `gap before update ${i}`).toBeGreaterThanOrEqual(45)
    }
  })

  it('tags every update with the batch id its start returned, and a new start gets a new id', async () => {
    const ids = new Set(h.updates.map(({ update }) => update.batchId))
    expect(ids.size).toBe(1)
    const next = harness()
    const ended = next.nextEnd()
    const first = await next.start(optionsFor(folders.source, freshTarget()))
    await untilEnded(ended)
    const again = next.nextEnd()
    const second = await next.start(optionsFor(folders.source, freshTarget()))
    await untilEnded(again)
    expect(first.ok && second.ok && first.batchId !== second.batchId).toBe(true)
    for (const { update } of next.updates) expect([first, second].some((start) => start.ok && start.batchId === update.batchId)).toBe(true)
  })

  it('ends with exactly one summary, as the last event of the last update, and no error', () => {
    const last = h.updates.at(-1)?.update
    expect(last?.events.at(-1)?.type).toBe('summary')
    expect(summariesOf(h)).toHaveLength(1)
    expect(h.updates.filter(({ update }) => update.error)).toEqual([])
  })

  it('reports every file of the source exactly once, as copied, scaled or skipped', () => {
    const results = resultsOf(h)
    expect(results.map((result) => result.file).sort()).toEqual([...ALL_FILES].sort())
    const actions = Object.fromEntries(results.map((result) => [result.file, result.action]))
    for (const file of LARGE) expect(actions[file], file).toBe('scaled')
    for (const file of SMALL) expect(actions[file], file).toBe('copied')
    expect(results.find((result) => result.file === 'notes.txt')).toMatchObject({ action: 'skipped', reason: 'not-an-image' })
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
    expect(onlySummary(h)).toMatchObject({
      todo: ALL_FILES.length,
      copied: SMALL.length,
      scaled: LARGE.length,
      skipped: 1,
      skippedBy: { 'not-an-image': 1 },
      failed: 0,
      canceled: false,
      canceledFiles: 0,
      workers: 2
    })
  })

  it('wrote one output per image and nothing else into the target', async () => {
    expect(await filesUnder(target)).toEqual([...LARGE, ...SMALL].sort())
  })

  it('moved the taskbar progress through fractions in (0, 1], ending at 1, then cleared it', () => {
    const fractions = h.progress.slice(0, -1)
    expect(fractions.length).toBeGreaterThan(0)
    for (const fraction of fractions) {
      expect(fraction).not.toBeNull()
      expect(fraction).toBeGreaterThan(0)
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
      expect(error).toMatchObject({ code: 'outside-target', message: expect.stringMatching(/not in the target folder/) })
      expect(h.revealed).toHaveLength(before)
    }
  )

  it('shell:show-output refuses the source’s own copy of a file, named by its absolute path', async () => {
    const before = h.revealed.length
    await expect(h.route('shell:show-output', { file: join(folders.source, 'large-1.jpg') })).rejects.toMatchObject({ code: 'outside-target' })
    expect(h.revealed).toHaveLength(before)
  })
})

describe('one batch at a time', () => {
  it('refuses a second start while one runs, without spawning a second host, and accepts one after it ended', async () => {
    const h = harness()
    const ended = h.nextEnd()
    const target = freshTarget()
    // Both requests arrive before the first has checked its folders: the lock must already hold.
    const [first, second] = await Promise.all([
      h.start(optionsFor(folders.source, target)),
      h.start(optionsFor(folders.source, freshTarget()))
    ])
    expect(first).toMatchObject({ ok: true, batchId: expect.any(Number) })
    expect(second).toMatchObject({ ok: false, code: 'busy', message: expect.stringMatching(/already running/) })
    const third = await h.start(optionsFor(folders.source, freshTarget()))
    expect(third).toMatchObject({ ok: false, code: 'busy' })
    await untilEnded(ended)
    expect(h.spawns).toHaveLength(1)
    // The refusals did not disturb the running batch.
    expect(h.ended).toHaveLength(1)
    expect(h.ended[0]).toMatchObject({ todo: ALL_FILES.length, canceled: false })
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
    ['a target that is a file', () => optionsFor(folders.source, join(folders.root, 'a-file')), 'target-not-folder', /not a folder/]
  ])('refuses %s with a clear message, before any host is spawned', async (_what, options, code, message) => {
    const before = { opened: h.opened.length, spawns: h.spawns.length }
    const result = await h.start(options())
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
})

describe('cancel', () => {
  it('stops a running batch: the rest are reported canceled, the summary says so, nothing half-written stays', async () => {
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
    expect(summary.canceledFiles).toBeGreaterThan(0)
    expect(summary.scaled).toBeGreaterThan(0)
    expect(summary.copied + summary.scaled + summary.skipped + summary.failed + summary.canceledFiles).toBe(MANY)
    expect(summary.todo).toBe(MANY)
    expect(h.ended).toEqual([summary])

    const results = resultsOf(h)
    expect(new Set(results.map((result) => result.file)).size).toBe(MANY)
    expect(results.filter((result) => result.action === 'canceled')).toHaveLength(summary.canceledFiles)
    // Exactly the finished outputs exist: no temporary or partial file is left behind.
    const written = results.filter((result) => result.action === 'copied' || result.action === 'scaled').map((result) => result.file)
    expect(await filesUnder(target)).toEqual(written.sort())
    expect(h.progress.at(-1)).toBeNull()
  })

  it('right after start, cancels every file and writes nothing', async () => {
    const h = harness()
    const target = freshTarget()
    const ended = h.nextEnd()
    await expect(h.start(optionsFor(folders.source, target))).resolves.toMatchObject({ ok: true, batchId: expect.any(Number) })
    await h.route('batch:cancel', undefined)
    await untilEnded(ended)
    expect(h.ended).toHaveLength(1)
    expect(h.ended[0]).toMatchObject({ canceled: true, todo: ALL_FILES.length, canceledFiles: ALL_FILES.length, copied: 0, scaled: 0 })
    expect(await filesUnder(target)).toEqual([])
  })

  it('does nothing when no batch runs', async () => {
    const h = harness()
    await expect(h.route('batch:cancel', undefined)).resolves.toBeUndefined()
    expect(h.spawns).toEqual([])
    expect(h.updates).toEqual([])
  })
})

describe('when the pool host fails', () => {
  it('a host that dies mid-batch ends the batch with an error update, clears progress, and frees the app', async () => {
    // The real host, killed from outside after its first file, as a crash would end it.
    const crashing: SpawnHost = (env) => {
      const child = fork(HOST_PATH, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      child.on('message', (message: FromHost) => {
        if (message.type === 'finished') child.kill('SIGKILL')
      })
      return {
        send: (message) => {
          if (child.connected) child.send(message)
        },
        onMessage: (listener) => child.on('message', (message: FromHost) => listener(message)),
        onExit: (listener) => child.on('exit', (code) => listener(code)),
        release: () => child.unref()
      }
    }
    const h = harness(crashing)
    await runToEnd(optionsFor(folders.source, freshTarget(), { workers: 1 }), h)
    const errors = h.updates.flatMap(({ update }) => (update.error ? [update.error] : []))
    expect(errors).toEqual([{ code: 'host-crashed', message: expect.stringMatching(/image pool stopped unexpectedly/) }])
    expect(h.updates.at(-1)?.update.error).toBeDefined()
    expect(summariesOf(h)).toEqual([])
    expect(h.ended).toEqual([])
    expect(h.progress.at(-1)).toBeNull()
    // Not stuck as busy: the next start is accepted (and this host crashes again).
    await runToEnd(optionsFor(folders.source, freshTarget(), { workers: 1 }), h)
    expect(h.updates.filter(({ update }) => update.error)).toHaveLength(2)
  })

  it('a host that cannot be started is reported, and does not leave the app stuck as busy', async () => {
    let attempts = 0
    const failingOnce: SpawnHost = (env) => {
      attempts += 1
      if (attempts === 1) throw new Error('utility process could not be created')
      return forkHost(HOST_PATH)(env)
    }
    const h = harness(failingOnce)
    const result = await h.start(optionsFor(folders.source, freshTarget())).catch((error: unknown) => ({ rejected: error }))
    expect(result).toEqual({ ok: false, code: 'internal', message: 'utility process could not be created' })
    await runToEnd(optionsFor(folders.source, freshTarget(), { recursive: false }), h)
    expect(h.ended).toHaveLength(1)
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

  it('before any batch, show-target and show-output do nothing', async () => {
    const h = harness()
    await h.route('shell:show-target', undefined)
    await h.route('shell:show-output', { file: 'a.jpg' })
    expect(h.opened).toEqual([])
    expect(h.revealed).toEqual([])
  })
})
