import { existsSync, watch } from 'node:fs'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BatchEvent, FileResult, Summary } from '../../src/shared/batch'
import { singleOutput } from '../../src/shared/recipe'
import { reasonBreakdown, summaryLine } from '../../src/shared/summary-text'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { outputsOf, runRecorded } from '../helpers/run'
import { decodeStrict, expectBalanced, isAlive, isTempName, listFiles, listOutputs, resultFor, runWatched } from './fixtures'

const WORKERS = 2
const BIG = 24
const SMALL = 16
const FILES = BIG + SMALL

let folders: TempFolders
beforeEach(async () => {
  folders = await tempFolders()
  // Camera-ish files to scale and small ones to copy, spread over two folders.
  const big = await writeImage(folders.root, 'big.jpg', { width: 1600, height: 1200, seed: 7 })
  const small = await writeImage(folders.root, 'small.jpg', { width: 200, height: 150, seed: 8 })
  await mkdir(join(folders.source, 'more'))
  for (let i = 0; i < BIG; i += 1) await copyFile(big, join(folders.source, i < BIG / 2 ? '' : 'more', `big-${i}.jpg`))
  for (let i = 0; i < SMALL; i += 1) await copyFile(small, join(folders.source, `small-${i}.jpg`))
})
afterEach(() => folders.cleanup())

/**
 * What a canceled run must leave: whole outputs for exactly the outputs it reports made,
 * nothing else, every file accounted for, and progress that settles on the truth.
 */
async function expectCleanCancel(summary: Summary, events: BatchEvent[]): Promise<FileResult[]> {
  const results = expectBalanced(summary, events)
  // Read the target only once the batch is over: what is there now must stay (checked below).
  await sleep(200)
  expect(summary.canceled).toBe(true)
  // Every file is accounted for: a result, or counted as not started.
  expect(summary.files).toBe(FILES)
  expect(summary.todo).toBe(FILES)
  expect(summary.counts.canceled).toBeGreaterThan(0)
  expect(summaryLine(summary)).toMatch(/\[canceled\]$/)
  const files = await listFiles(folders.target)
  expect(files.filter(isTempName)).toEqual([])
  const made = outputsOf(events).filter((o) => o.outcome === 'copied' || o.outcome === 'scaled')
  const onDisk = await listOutputs(folders.target)
  const unexplained = onDisk.filter((path) => !made.some((o) => o.path === path))
  const reported = unexplained.map((path) => results.find((r) => r.file === path) ?? `${path}: no result`)
  expect(unexplained, `on disk but not reported made: ${JSON.stringify(reported)}`).toEqual([])
  expect(onDisk).toEqual(made.map((o) => o.path).sort())
  for (const output of made) {
    const image = await decodeStrict(join(folders.target, output.path))
    expect({ width: image.width, height: image.height }).toEqual(output.file.includes('big') ? { width: 400, height: 300 } : { width: 200, height: 150 })
  }
  const last = events.filter((e) => e.type === 'progress').at(-1)
  expect(last?.type === 'progress' && last.progress).toMatchObject({ done: FILES, total: FILES, scanning: false, inFlight: 0, counts: summary.counts })
  expect(events.at(-1)?.type).toBe('summary')
  return results
}

describe('cancel', () => {
  it('mid-run stops dispatching at once, counts the rest as not started and leaves no partial file', async () => {
    const controller = new AbortController()
    let finishedWhenAborted = 0
    const { summary, events } = await runRecorded(
      folders.source,
      folders.target,
      { workers: WORKERS },
      {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'finished' && !controller.signal.aborted) {
            finishedWhenAborted += 1
            controller.abort()
          }
        }
      }
    )
    const results = await expectCleanCancel(summary, events)
    expect(finishedWhenAborted).toBe(1)
    // Only the files already on a worker when cancel came may finish, at most one per worker,
    // and they finish whole: cancel never abandons work that has started.
    expect(results.length).toBeGreaterThanOrEqual(1)
    expect(results.length).toBeLessThanOrEqual(WORKERS)
    expect(results.every((r) => r.outcome === 'done' && r.outputs.every((o) => o.outcome === 'copied' || o.outcome === 'scaled'))).toBe(true)
    expect(events.filter((e) => e.type === 'started')).toHaveLength(results.length)
    // The rest were never started: counted once in the summary, with no event for each.
    expect(summary.notStarted).toBe(FILES - results.length)
    expect(summary.counts.canceled).toBe(summary.notStarted)
    expect(reasonBreakdown(summary)).toContain(`canceled ${summary.notStarted}: not started (${summary.notStarted} files)`)
  })

  it('later in the run, still with nothing half-written, and nothing appears after it returns', async () => {
    const controller = new AbortController()
    let finished = 0
    const { summary, events } = await runRecorded(
      folders.source,
      folders.target,
      { workers: WORKERS },
      { signal: controller.signal, onEvent: (event) => void (event.type === 'finished' && ++finished === 10 && controller.abort()) }
    )
    const results = await expectCleanCancel(summary, events)
    expect(results.length).toBeGreaterThanOrEqual(10)
    expect(results.length).toBeLessThanOrEqual(10 + WORKERS)
    expect(summary.notStarted).toBe(FILES - results.length)
    const settled = await listFiles(folders.target)
    await sleep(500)
    expect(await listFiles(folders.target)).toEqual(settled)
  })

  it('before the start: every file is counted as not started, nothing is started or written', async () => {
    const controller = new AbortController()
    controller.abort()
    const { summary, events, hosts } = await runWatched(folders.source, folders.target, { workers: WORKERS }, { signal: controller.signal })
    await expectCleanCancel(summary, events)
    expect(summary).toMatchObject({ notStarted: FILES, counts: { canceled: FILES, copied: 0, scaled: 0 } })
    expect(events.some((e) => e.type === 'started' || e.type === 'finished')).toBe(false)
    expect(await listFiles(folders.target)).toEqual([])
    // Nothing to do needs no image pool.
    expect(hosts).toEqual([])
  })

  it('stops the pool host when the batch ends, so nothing is left running', async () => {
    const controller = new AbortController()
    const { summary, hosts } = await runWatched(
      folders.source,
      folders.target,
      { workers: WORKERS },
      { signal: controller.signal, onEvent: (event) => void (event.type === 'finished' && controller.abort()) }
    )
    expect(summary.canceled).toBe(true)
    expect(hosts).toHaveLength(1)
    expect(hosts.filter(isAlive)).toEqual([])
    expect(summary.hostRestarts).toBe(0)
  })
})

describe('stop now', () => {
  it('abandons the files on a worker too: they end canceled with nothing of them written, and the pool is gone', async () => {
    const stopNow = new AbortController()
    let started = 0
    const { summary, events, hosts } = await runWatched(
      folders.source,
      folders.target,
      { workers: WORKERS },
      {
        stopNow: stopNow.signal,
        // Some files done, some on a worker: the moment a second Ctrl-C or the app's button comes.
        onEvent: (event) => void (event.type === 'started' && ++started === 6 && stopNow.abort())
      }
    )
    const results = await expectCleanCancel(summary, events)
    const stopped = results.filter((r) => r.outcome === 'canceled')
    // The file that had just started, at least, was on a worker: it is reported, not silently dropped.
    expect(stopped.length).toBeGreaterThanOrEqual(1)
    expect(stopped.length).toBeLessThanOrEqual(WORKERS * 3 + 2)
    for (const r of stopped) {
      expect(r.message).toMatch(/no half-written file was left/)
      expect(await listOutputs(folders.target)).not.toContain(r.file)
    }
    // Files on a worker can only have been started; everything not reported was never started.
    expect(summary.notStarted).toBe(FILES - results.length)
    expect(summary.counts.canceled).toBe(summary.notStarted + stopped.length)
    expect(reasonBreakdown(summary)).toContain(`canceled ${stopped.length}: stopped while being worked on, nothing written`)
    // Stopping the pool on purpose is not a crash: nothing was restarted, and no host outlives the batch.
    expect(summary.hostRestarts).toBe(0)
    expect(summary.failedBy).toEqual({})
    expect(hosts.length).toBeGreaterThanOrEqual(1)
    expect(hosts.filter(isAlive)).toEqual([])
    // What was made before the stop stays made.
    expect(summary.counts.copied + summary.counts.scaled).toBe(results.filter((r) => r.outcome === 'done').length)
  })

  it('before anything started: nothing is written and no pool host is left', async () => {
    const stopNow = new AbortController()
    stopNow.abort()
    const { summary, events, hosts } = await runWatched(folders.source, folders.target, { workers: WORKERS }, { stopNow: stopNow.signal })
    await expectCleanCancel(summary, events)
    expect(summary.notStarted).toBe(FILES)
    expect(await listFiles(folders.target)).toEqual([])
    expect(hosts.filter(isAlive)).toEqual([])
  })
})

describe('stop now, while a file is being written', () => {
  /** A 12 MP photo of sensor noise: about 10 MB, so writing a copy of it takes a while. */
  async function writeLargePhotos(count: number): Promise<string> {
    const source = join(folders.root, 'large-photos')
    await mkdir(source)
    const photo = join(folders.root, 'large.jpg')
    await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .jpeg({ quality: 95 })
      .toFile(photo)
    for (let i = 0; i < count; i += 1) await copyFile(photo, join(source, `large-${i}.jpg`))
    return source
  }

  /** Our temp file names, as the pool host writes them (`.<name>.imagescale-<pid>-<hex>.tmp`). */
  const HOST_TEMP = /\.imagescale-\d+-[0-9a-f]{12}\.tmp$/

  it('reports what it had already published as made, and a re-run finishes the rest without mistaking it for a stranger’s file', async () => {
    const source = await writeLargePhotos(3)
    // Two outputs a file: the full-size copy is published first, then the reduced one is worked on.
    const recipe = { outputs: [{ ...singleOutput(6000, 'smooth'), folder: 'full' }, { ...singleOutput(2000, 'smooth'), folder: 'medium' }] }
    await mkdir(join(folders.target, 'full'), { recursive: true })
    const stopNow = new AbortController()
    const watcher = watch(join(folders.target, 'full'), (_type, name) => void (name && !isTempName(name) && stopNow.abort()))
    const first = await runWatched(source, folders.target, { workers: 1, recipe }, { stopNow: stopNow.signal }).finally(() => watcher.close())
    const results = expectBalanced(first.summary, first.events)
    expect(first.summary.canceled).toBe(true)
    const made = outputsOf(first.events).filter((o) => o.outcome === 'copied' || o.outcome === 'scaled')
    expect(made.map((o) => o.path)).toContain('full/large-0.jpg')
    // Exactly what is on disk is reported made; whatever was stopped is canceled, with nothing of it left.
    expect(await listOutputs(folders.target)).toEqual(made.map((o) => o.path).sort())
    expect((await listFiles(folders.target)).filter(isTempName)).toEqual([])
    const large0 = resultFor(results, 'large-0.jpg')
    expect(large0.outcome === 'done' && large0.outputs.map((o) => o.outcome)).toEqual(['copied', 'canceled'])
    expect(first.hosts.filter(isAlive)).toEqual([])

    const again = await runRecorded(source, folders.target, { workers: 1, recipe })
    expectBalanced(again.summary, again.events)
    expect(again.summary.skippedBy['target-exists']).toBeUndefined()
    expect(again.summary.counts).toMatchObject({ failed: 0, canceled: 0, skipped: made.length })
    for (const output of outputsOf(again.events)) {
      const before = made.some((o) => o.path === output.path)
      expect(output, output.path).toMatchObject(before ? { outcome: 'skipped', reason: 'already-done' } : { outcome: expect.stringMatching(/^(copied|scaled)$/) })
    }
    expect(await listOutputs(folders.target)).toEqual(['full/large-0.jpg', 'full/large-1.jpg', 'full/large-2.jpg', 'medium/large-0.jpg', 'medium/large-1.jpg', 'medium/large-2.jpg'])
  })

  it('has removed the stopped pool’s temp files by the time the batch returns (a front end may exit right after)', async () => {
    const source = await writeLargePhotos(2)
    // A target that already holds many files, as a photo library does: sweeping it takes a moment.
    await mkdir(folders.target)
    for (let i = 0; i < 10_000; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => writeFile(join(folders.target, `earlier-output-of-another-program-${String(i + j).padStart(6, '0')}.txt`), '')))
    }
    const seen = new Set<string>()
    const leftAtReturn: string[] = []
    for (let round = 0; round < 2; round += 1) {
      const stopNow = new AbortController()
      let temp: string | null = null
      // Stop the moment the pool host starts writing an output: its temp file is there to clean up.
      const watcher = watch(folders.target, (_type, name) => {
        if (!name || !HOST_TEMP.test(name) || seen.has(name) || stopNow.signal.aborted) return
        temp = name
        seen.add(name)
        stopNow.abort()
      })
      const { summary, hosts } = await runWatched(source, folders.target, { workers: 1, size: 6000, existing: 'rename' }, { stopNow: stopNow.signal })
      const stillThere = temp !== null && existsSync(join(folders.target, temp))
      watcher.close()
      expect(temp, 'the stop came while an output was being written').not.toBeNull()
      expect(summary.canceled).toBe(true)
      expect(hosts.filter(isAlive)).toEqual([])
      if (stillThere) leftAtReturn.push(temp!)
    }
    expect(leftAtReturn, 'temp files of the killed pool host were still there when the batch returned').toEqual([])
    // And none is left for good.
    await sleep(500)
    expect((await listFiles(folders.target)).filter(isTempName)).toEqual([])
  })
})
