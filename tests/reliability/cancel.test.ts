import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchEvent } from '../../src/shared/batch'
import { syntheticPhoto } from '../../src/core/synthetic'
import { CLI_PATH, ROOT } from '../helpers/built'
import { expectAddsUp, interrupt, isTempName, jsonEvents, lastSummary, listFiles, listOutputs, startCli, writeCopies } from '../cli/harness'
import { tempFolders, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { finishedResults, hostPidsOf, sleep, tinyFiles } from './support'

/**
 * However a batch is stopped (Ctrl-C on 20,000 files, Ctrl-C before the CLI has loaded, a reader
 * that goes away, Stop now during a slow encode) it ends in a summary that adds up, and nothing
 * is written after the CLI has gone.
 */

describe('Ctrl-C on 20,000 tiny files', () => {
  let folders: TempFolders
  const COUNT = 20_000
  beforeAll(async () => {
    folders = await tempFolders()
    await tinyFiles(folders.root, folders.source, COUNT)
  })
  afterAll(() => folders?.cleanup())

  it('--json: exit 130 with the summary last; it adds up and counts the files never started', { timeout: 90_000 }, async () => {
    const cli = startCli(['--json', '-c', '2', folders.source, folders.target])
    await cli.line((line) => line.includes('"type":"finished"'))
    await interrupt(cli.child)
    const run = await cli.closed
    expect(run.code, run.stderr.slice(0, 2000)).toBe(130)
    expect(run.stderr).toBe('')
    const summary = lastSummary(jsonEvents(run.stdout))
    expectAddsUp(summary)
    expect(summary.canceled).toBe(true)
    expect(summary).toMatchObject({ files: COUNT, todo: COUNT })
    expect(summary.notStarted).toBeGreaterThan(0)
    expect(summary.counts.canceled).toBeGreaterThanOrEqual(summary.notStarted)
    expect(summary.counts.copied + summary.counts.canceled).toBe(COUNT)
  })
})

/**
 * Marks, in a file, the moment the CLI's own code starts (out/main/cli.js is compiled): the
 * earliest a program can catch Ctrl-C. /proc's SigCgt cannot tell that moment: Node sets the
 * SIGINT bit itself ~20 ms after exec, for its own handler (which exits by the signal), long
 * before any JavaScript runs. Loaded with NODE_OPTIONS, so the pool host loads it too (it does nothing there).
 */
const MARKER_JS = `
if (process.env.IMAGESCALE_TEST_MARKER && (process.argv[1] || '').endsWith('imagescale.js')) {
  const Module = require('module')
  const compile = Module.prototype._compile
  Module.prototype._compile = function (content, filename) {
    if (filename.endsWith('out/main/cli.js')) {
      Module.prototype._compile = compile
      require('fs').writeFileSync(process.env.IMAGESCALE_TEST_MARKER, 'started')
    }
    return compile.call(this, content, filename)
  }
}
`

describe('Ctrl-C the moment the CLI can first catch it', () => {
  let folders: TempFolders
  let markerJs: string
  beforeAll(async () => {
    folders = await tempFolders()
    await writeCopies(folders.root, folders.source, 6, { width: 1600, height: 1200 }, (i) => `img-${i}.jpg`)
    markerJs = join(folders.root, 'marker.cjs')
    await writeFile(markerJs, MARKER_JS)
  })
  afterAll(() => folders?.cleanup())

  // Milliseconds after the CLI's code starts. Its handlers once came ~150 ms in, after its imports;
  // now they are its first statement, reached 0.3–5 ms in on a loaded 2-core machine (measured),
  // so 20 ms is the earliest a test can press without racing the scheduler.
  it.each([20, 40, 60, 80, 100, 120])('Ctrl-C %i ms after the CLI starts: exit 130 with a summary', { timeout: 30_000 }, async (delay) => {
    const json = delay % 40 !== 0
    const marker = join(folders.root, `started-${delay}`)
    const cli = startCli([...(json ? ['--json'] : []), folders.source, join(folders.root, `target-${delay}`)], {
      NODE_OPTIONS: `--require ${markerJs}`,
      IMAGESCALE_TEST_MARKER: marker
    })
    let exited = false
    void cli.exited.then(() => (exited = true))
    while (!existsSync(marker) && !exited) await new Promise((resolve) => setImmediate(resolve))
    expect(exited, 'the CLI was still running when its code started').toBe(false)
    await sleep(delay)
    cli.child.kill('SIGINT')
    const run = await cli.closed
    expect(run.signal, 'not killed by the Ctrl-C').toBeNull()
    expect(run.code, `stderr: ${run.stderr}`).toBe(130)
    if (json) {
      const summary = lastSummary(jsonEvents(run.stdout))
      expect(summary.canceled).toBe(true)
      expectAddsUp(summary)
    } else {
      expect(run.stdout).toMatch(/^copied \d+ scaled \d+ .*\[canceled\]$/m)
    }
  })
})

describe('`imagescale SRC TGT 2>&1 | head -5`', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    await writeCopies(folders.root, folders.source, 40, { width: 2000, height: 1500 }, (i) => `img-${String(i).padStart(2, '0')}.jpg`)
  })
  afterAll(() => folders?.cleanup())

  it('exits 130, and nothing new appears in the target after it has exited', { timeout: 60_000 }, async () => {
    const status = join(folders.root, 'status')
    const script = `set -o pipefail; "${process.execPath}" "${CLI_PATH}" -c 2 "$1" "$2" 2>&1 | head -5; echo "\${PIPESTATUS[0]}" > "$3"`
    const shell = spawn('bash', ['-c', script, 'bash', folders.source, folders.target, status], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let shown = ''
    shell.stdout.setEncoding('utf8').on('data', (text: string) => (shown += text))
    await new Promise<void>((resolve) => shell.on('close', () => resolve()))
    // The pipeline is over: imagescale has exited. What is in the target now is final.
    const atExit = await listFiles(folders.target)
    expect((await readFile(status, 'utf8')).trim(), `what head showed:\n${shown}`).toBe('130')
    expect(shown.split('\n').filter((line) => line !== '')).toHaveLength(5)
    expect(atExit.filter(isTempName), 'no temp file at exit').toEqual([])
    await sleep(2000)
    expect(await listFiles(folders.target), 'nothing appeared after the CLI exited').toEqual(atExit)
    // It stopped early: the point of the cancel.
    expect((await listOutputs(folders.target)).length).toBeLessThan(40)
  })
})

describe('a slow animated GIF', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    const frames = await Promise.all([1, 2, 3, 4].map((seed) => syntheticPhoto({ width: 2200, height: 1500, seed }).png().toBuffer()))
    await sharp(frames, { join: { animated: true } })
      .gif({ effort: 1, delay: 200 })
      .toFile(join(folders.source, 'party.gif'))
  })
  afterAll(() => folders?.cleanup())

  it('2200×1500 × 4 frames scaled to 1920 completes, every frame kept', { timeout: 120_000 }, async () => {
    const target = join(folders.root, 'made')
    const { summary, events } = await runRecorded(folders.source, target, { size: 1920, workers: 1 })
    expectAddsUp(summary)
    expect(summary.counts.scaled).toBe(1)
    const meta = await sharp(join(target, 'party.gif')).metadata()
    expect(meta).toMatchObject({ format: 'gif', width: 1920, pages: 4 })
    expect(finishedResults(events)).toHaveLength(1)
  })

  it('Stop now while it encodes: the file is canceled, nothing partial is left, and a summary comes back', { timeout: 120_000 }, async () => {
    const target = join(folders.root, 'stopped')
    const stopNow = new AbortController()
    const cancel = new AbortController()
    const { summary, events } = await runRecorded(
      folders.source,
      target,
      { size: 1920, workers: 1 },
      {
        signal: cancel.signal,
        stopNow: stopNow.signal,
        onEvent: (event: BatchEvent) => {
          if (event.type !== 'started') return
          // Well inside the encode (which takes seconds), as a person would press Stop now.
          setTimeout(() => {
            cancel.abort()
            stopNow.abort()
          }, 400)
        }
      }
    )
    expect(stopNow.signal.aborted).toBe(true)
    expectAddsUp(summary)
    expect(summary.canceled).toBe(true)
    expect(summary.counts).toMatchObject({ canceled: 1, scaled: 0 })
    const [result] = finishedResults(events)
    expect(result).toMatchObject({ file: 'party.gif', outcome: 'canceled' })
    expect(events.at(-1)?.type).toBe('summary')
    expect(await listOutputs(target), 'no output').toEqual([])
    expect((await listFiles(target)).filter(isTempName), 'no temp file').toEqual([])
    expect(hostPidsOf(process.pid), 'the pool host is gone').toEqual([])
  })
})
