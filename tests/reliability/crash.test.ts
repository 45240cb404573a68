import { truncateSync, writeFileSync } from 'node:fs'
import { copyFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchEvent, FileResult, Summary } from '../../src/shared/batch'
import { expectAddsUp, isAlive, isTempName, jsonEvents, lastSummary, listFiles, resultsByFile, resultsOf, startCli, until, writeCopies } from '../cli/harness'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { finishedResults, hostPidOf, hostPidsOf, messageOfResult, reasonOf, sleep } from './support'

/**
 * A pool host that dies or stops answering costs only the files it held: they are reported
 * with the reason, a new host takes the rest, and the summary adds up. And a source that
 * changes under the decoder is that file's problem, never the whole pool's (SIGBUS).
 */

const startedFiles = (events: readonly BatchEvent[]): string[] => events.flatMap((event) => (event.type === 'started' ? [event.file] : []))

const isScaled = (result: FileResult): boolean => result.outcome === 'done' && result.outputs[0]?.outcome === 'scaled'

describe('sources truncated and rewritten while the batch reads and decodes them', () => {
  let folders: TempFolders
  const files: string[] = []
  beforeAll(async () => {
    folders = await tempFolders()
    // WebP and TIFF are the formats libvips maps into memory when it decodes from a file.
    const formats = ['webp', 'tiff', 'png', 'jpeg'] as const
    for (const format of formats) {
      const original = await writeImage(folders.root, `original.${format}`, { width: 2400, height: 1600, format })
      for (let i = 0; i < 4; i += 1) {
        const name = `${format}-${i}.${format === 'jpeg' ? 'jpg' : format}`
        await copyFile(original, join(folders.source, name))
        files.push(name)
      }
    }
  })
  afterAll(() => folders?.cleanup())

  it('each file gets its own result; no host crashes (no SIGBUS), and the summary adds up', async () => {
    const contents = new Map(await Promise.all(files.map(async (file) => [file, await readFile(join(folders.source, file))] as const)))
    let tick = 0
    // Churn: one file after another is cut to a stub, then written back whole, every 3 ms.
    const churn = setInterval(() => {
      const file = files[tick % files.length]!
      const path = join(folders.source, file)
      if (Math.floor(tick / files.length) % 2 === 0) truncateSync(path, 100)
      else writeFileSync(path, contents.get(file)!)
      tick += 1
    }, 3)
    let truncatedOnStart = 0
    let recorded
    try {
      recorded = await runRecorded(
        folders.source,
        folders.target,
        { workers: 2, size: 800 },
        {
          onEvent: (event: BatchEvent) => {
            // The file a worker is about to decode is cut short under it.
            if (event.type !== 'started') return
            truncateSync(join(folders.source, event.file), 0)
            truncatedOnStart += 1
          }
        }
      )
    } finally {
      clearInterval(churn)
    }
    const { summary, events } = recorded
    expect(truncatedOnStart).toBeGreaterThan(0)
    expectAddsUp(summary)
    expect(summary.hostRestarts, 'the pool host never died').toBe(0)
    expect(summary.failedBy['host-crashed'] ?? 0).toBe(0)
    const results = finishedResults(events)
    expect(results.map((result) => result.file).sort()).toEqual([...files].sort())
    for (const result of results) {
      // Scaled from the bytes read, or skipped with a reason that says what happened to the file.
      if (isScaled(result)) continue
      expect(['source-changed', 'corrupt', 'not-an-image'], `${result.file}: ${messageOfResult(result)}`).toContain(reasonOf(result))
    }
    // A file cut short after it was read is made from the bytes read, which are whole.
    for (const result of results.filter(isScaled)) {
      const output = await sharp(join(folders.target, result.file)).raw().toBuffer({ resolveWithObject: true })
      expect(output.info, result.file).toMatchObject({ width: 800, height: 533 })
    }
    expect((await listFiles(folders.target)).filter(isTempName)).toEqual([])
  })
})

/**
 * Runs the engine on one worker and does `fault` to the pool host: the moment the first file
 * starts (its start frees a read-ahead slot, so the next file's probe is on its way to the host
 * and unanswered), or 40 ms after the third starts (mid-decode, every probe long answered).
 */
async function runWithFault(
  source: string,
  target: string,
  fault: { signal: NodeJS.Signals; when: 'at-start' | 'mid-decode'; hostTimeoutMs?: number }
): Promise<{ summary: Summary; events: BatchEvent[]; started: Set<string>; host: number | null }> {
  const started = new Set<string>()
  let host: number | null = null
  let done: Promise<void> | null = null
  const { summary, events } = await runRecorded(
    source,
    target,
    { workers: 1, size: 800 },
    {
      ...(fault.hostTimeoutMs ? { hostTimeoutMs: fault.hostTimeoutMs } : {}),
      onEvent: (event: BatchEvent) => {
        if (event.type !== 'started') return
        started.add(event.file)
        if (started.size !== (fault.when === 'at-start' ? 1 : 3) || done) return
        if (fault.when === 'at-start') {
          host = hostPidsOf(process.pid)[0] ?? null
          if (host !== null) process.kill(host, fault.signal)
          done = Promise.resolve()
          return
        }
        done = (async () => {
          host = await hostPidOf(process.pid)
          await sleep(40)
          process.kill(host, fault.signal)
        })()
      }
    }
  )
  await done
  return { summary, events, started, host }
}

/** Only the file on the worker is lost: a file merely read ahead was never worked on, and is made by the next host. */
function expectOnlyTheFileOnTheWorkerFailed(events: BatchEvent[], started: Set<string>, reason: string, message: RegExp | string, count: number): void {
  const results = finishedResults(events)
  expect(results).toHaveLength(count)
  const failed = results.filter((result) => result.outcome === 'failed')
  for (const result of failed) expect(started, `${result.file} failed (${messageOfResult(result)}) but was never on a worker, only read ahead`).toContain(result.file)
  expect(failed, 'one file fails: the one on the worker').toHaveLength(1)
  expect(failed[0]).toMatchObject({ outcome: 'failed', reason })
  expect(messageOfResult(failed[0]!)).toMatch(message)
  expect(results.filter(isScaled)).toHaveLength(count - 1)
}

describe('the pool host killed mid-run', () => {
  let folders: TempFolders
  const COUNT = 8
  beforeAll(async () => {
    folders = await tempFolders()
    // PNGs (no shrink-on-load), a few hundred ms each: a kill sent 40 ms into the third file
    // still lands on a file at work when a loaded machine delays the test's timer many times over.
    await writeCopies(folders.root, folders.source, COUNT, { width: 3000, height: 2000, format: 'png' }, (i) => `img-${i}.png`)
  })
  afterAll(() => folders?.cleanup())

  it.each([
    ['SIGKILL', 'mid-decode'],
    ['SIGBUS', 'mid-decode'],
    ['SIGKILL', 'at-start']
  ] as const)('engine, %s %s: the file on the worker fails host-crashed naming the signal, the rest are done', async (signal, when) => {
    const target = join(folders.root, `engine-${signal}-${when}`)
    const { summary, events, started, host } = await runWithFault(folders.source, target, { signal, when })
    expect(host).not.toBeNull()
    expectAddsUp(summary)
    expect(summary.files).toBe(COUNT)
    expect(summary.hostRestarts).toBeGreaterThanOrEqual(1)
    expectOnlyTheFileOnTheWorkerFailed(events, started, 'host-crashed', signal, COUNT)
    expect(summary.counts).toMatchObject({ scaled: COUNT - 1, failed: 1, canceled: 0 })
    expect(summary.failedBy).toEqual({ 'host-crashed': 1 })
    expect((await listFiles(target)).filter(isTempName)).toEqual([])
    expect(hostPidsOf(process.pid), 'no pool host is left running').toEqual([])
  })

  it('CLI --json, host SIGKILLed: exit 1, the file on the worker failed host-crashed, the rest done, restarts counted', async () => {
    const target = join(folders.root, 'cli-kill')
    const cli = startCli(['--json', '-c', '1', '-s', '800', folders.source, target])
    await cli.line((text) => text.includes('"type":"started"'))
    const host = await hostPidOf(cli.child.pid!)
    await sleep(40)
    process.kill(host, 'SIGKILL')
    const run = await cli.closed
    expect(run.code, run.stderr).toBe(1)
    const events = jsonEvents(run.stdout)
    const summary = lastSummary(events)
    expectAddsUp(summary)
    expect(summary.hostRestarts).toBeGreaterThanOrEqual(1)
    expect(resultsByFile(events).size).toBe(COUNT)
    const failed = resultsOf(events).filter((result) => result.outcome === 'failed')
    expect(failed.length).toBeGreaterThanOrEqual(1)
    for (const result of failed) {
      expect(result).toMatchObject({ reason: 'host-crashed' })
      expect(messageOfResult(result)).toContain('SIGKILL')
    }
    expect(startedFiles(events)).toContain(failed[0]!.file)
    expect(summary.counts.scaled + summary.counts.failed).toBe(COUNT)
  })
})

describe('a pool host that stops answering', () => {
  let folders: TempFolders
  const COUNT = 5
  beforeAll(async () => {
    folders = await tempFolders()
    await writeCopies(folders.root, folders.source, COUNT, { width: 2400, height: 1600 }, (i) => `img-${i}.jpg`)
  })
  afterAll(() => folders?.cleanup())

  it('engine, SIGSTOP as a file starts (host timeout 3 s): that file fails host-hung, the rest are done', async () => {
    const { summary, events, started, host } = await runWithFault(folders.source, join(folders.root, 'engine'), { signal: 'SIGSTOP', when: 'at-start', hostTimeoutMs: 3000 })
    try {
      expect(host).not.toBeNull()
      expectAddsUp(summary)
      expect(summary.hostRestarts).toBeGreaterThanOrEqual(1)
      expectOnlyTheFileOnTheWorkerFailed(events, started, 'host-hung', /sent nothing for 3 s/, COUNT)
      await until(() => !isAlive(host!))
    } finally {
      if (host !== null && isAlive(host)) process.kill(host, 'SIGKILL')
    }
  })

  it('CLI, SIGSTOP with IMAGESCALE_HOST_TIMEOUT_MS=3000: reports host-hung, finishes the rest and exits', async () => {
    const cli = startCli(['--json', '-c', '1', '-s', '800', folders.source, folders.target], { IMAGESCALE_HOST_TIMEOUT_MS: '3000' })
    await cli.line((text) => text.includes('"type":"started"'))
    const host = await hostPidOf(cli.child.pid!)
    process.kill(host, 'SIGSTOP')
    const run = await cli.closed
    try {
      expect(run.code, run.stderr).toBe(1)
      const events = jsonEvents(run.stdout)
      const summary = lastSummary(events)
      expectAddsUp(summary)
      expect(summary.hostRestarts).toBeGreaterThanOrEqual(1)
      expect(resultsByFile(events).size).toBe(COUNT)
      const failed = resultsOf(events).filter((result) => result.outcome === 'failed')
      expect(failed.length).toBeGreaterThanOrEqual(1)
      for (const result of failed) {
        expect(result).toMatchObject({ reason: 'host-hung' })
        expect(messageOfResult(result)).toMatch(/sent nothing for 3 s/)
      }
      expect(summary.counts.scaled + summary.counts.failed).toBe(COUNT)
      // The stopped host was killed, not left behind.
      await until(() => !isAlive(host))
    } finally {
      if (isAlive(host)) process.kill(host, 'SIGKILL')
    }
  })
})
