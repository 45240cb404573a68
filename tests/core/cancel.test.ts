import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { forkHost, runInHost } from '../../src/core/host-client'
import { defaultOptions } from '../../src/core/options'
import type { BatchEvent, FileResult, Summary } from '../../src/shared/batch'
import { HOST_PATH, WORKER_PATH } from '../helpers/built'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { decodeStrict, expectBalanced, isTempName, listFiles } from './fixtures'

const WORKERS = 2
const BIG = 24
const SMALL = 16

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

/** What a canceled run must leave: whole outputs for exactly the files it reports done, nothing else. */
async function expectCleanCancel(summary: Summary, events: BatchEvent[]): Promise<FileResult[]> {
  const results = expectBalanced(summary, events)
  expect(summary.canceled).toBe(true)
  expect(summary.todo).toBe(BIG + SMALL)
  expect(summary.canceledFiles).toBeGreaterThan(0)
  for (const r of results.filter((r) => r.action === 'canceled')) {
    expect(r.bytesOut).toBe(0)
    expect(r.output).toBeUndefined()
  }
  const files = await listFiles(folders.target)
  expect(files.filter(isTempName)).toEqual([])
  const done = results.filter((r) => r.action === 'copied' || r.action === 'scaled')
  expect(files).toEqual(done.map((r) => r.file).sort())
  for (const r of done) {
    const image = await decodeStrict(join(folders.target, r.file))
    expect({ width: image.width, height: image.height }).toEqual(r.file.includes('big') ? { width: 400, height: 300 } : { width: 200, height: 150 })
  }
  const last = events.filter((e) => e.type === 'progress').at(-1)
  expect(last?.type === 'progress' && last.progress).toMatchObject({ done: summary.todo, total: summary.todo, scanning: false, inFlight: 0 })
  expect(events.at(-1)?.type).toBe('summary')
  return results
}

describe('cancel', () => {
  it('mid-run stops dispatching at once, reports the rest as canceled and leaves no partial file', async () => {
    const controller = new AbortController()
    let finishedWhenAborted = 0
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: WORKERS }, controller.signal, (event) => {
      if (event.type === 'finished' && !controller.signal.aborted) {
        finishedWhenAborted += 1
        controller.abort()
      }
    })
    const results = await expectCleanCancel(summary, events)
    expect(finishedWhenAborted).toBe(1)
    // Only the files already in a worker when cancel came may finish: at most one per worker.
    const processed = results.filter((r) => r.action !== 'canceled')
    expect(processed.length).toBeGreaterThanOrEqual(1)
    expect(processed.length).toBeLessThanOrEqual(WORKERS)
    expect(summary.canceledFiles).toBe(BIG + SMALL - processed.length)
    const started = events.filter((e) => e.type === 'started').length
    expect(started).toBe(processed.length)
  })

  it('later in the run, still with nothing half-written, and nothing appears after it returns', async () => {
    const controller = new AbortController()
    let finished = 0
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: WORKERS }, controller.signal, (event) => {
      if (event.type === 'finished' && ++finished === 10) controller.abort()
    })
    const results = await expectCleanCancel(summary, events)
    expect(results.filter((r) => r.action !== 'canceled').length).toBeLessThanOrEqual(10 + WORKERS - 1)
    const settled = await listFiles(folders.target)
    await sleep(500)
    expect(await listFiles(folders.target)).toEqual(settled)
  })

  it('before the start: every file is canceled, nothing is started or written', async () => {
    const controller = new AbortController()
    controller.abort()
    const { summary, events } = await runRecorded(folders.source, folders.target, { workers: WORKERS }, controller.signal)
    await expectCleanCancel(summary, events)
    expect(summary).toMatchObject({ canceledFiles: BIG + SMALL, copied: 0, scaled: 0 })
    expect(events.some((e) => e.type === 'started')).toBe(false)
    expect(await listFiles(folders.target)).toEqual([])
  })

  it('through the pool host process, as the CLI and the app run it', async () => {
    const controller = new AbortController()
    const events: BatchEvent[] = []
    const summary = await runInHost(
      { ...defaultOptions(folders.source, folders.target), workers: WORKERS },
      {
        spawn: forkHost(HOST_PATH),
        workerPath: WORKER_PATH,
        signal: controller.signal,
        onEvent: (event) => {
          events.push(event)
          if (event.type === 'finished') controller.abort()
        }
      }
    )
    const results = await expectCleanCancel(summary, events)
    // The cancel message crosses a process boundary, so a file or two more may start meanwhile.
    expect(results.filter((r) => r.action !== 'canceled').length).toBeLessThan(BIG + SMALL / 2)
  })
})
