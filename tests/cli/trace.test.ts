import { existsSync } from 'node:fs'
import { lstat, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Summary } from '../../src/shared/batch'
import type { Trace, TraceEvent } from '../../src/core/trace'
import { TIMING_COLUMNS } from '../../src/core/trace'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { fingerprint } from '../reliability/support'
import { jsonEvents, lastSummary, listFiles, runCli, writeCopies } from './harness'

/** `--trace` and `--timings`: the run's timeline, from the built CLI, checked against its own events. */

const WORKERS = 2
const PHOTOS = 12

describe('imagescale --trace and --timings', () => {
  let folders: TempFolders
  let summary: Summary
  let trace: Trace
  let csv: string
  let names: string[]
  let stderr: string

  beforeAll(async () => {
    folders = await tempFolders()
    names = await writeCopies(folders.root, folders.source, PHOTOS, { width: 1600, height: 1200 }, (i) => `IMG_${String(i + 1).padStart(2, '0')}.jpg`)
    await writeImage(folders.source, 'small.jpg', { width: 200, height: 150 })
    await writeFile(join(folders.source, 'notes.txt'), 'not a picture\n')
    // A name a spreadsheet would run as a formula, and one CSV must quote.
    await writeImage(folders.source, '=1+1.jpg', { width: 1600, height: 1200, seed: 3 })
    await writeImage(folders.source, 'a, "b".jpg', { width: 1600, height: 1200, seed: 4 })
    const run = await runCli(['--json', '-s', '400', '-c', String(WORKERS), '--trace', join(folders.root, 'run.trace.json'), '--timings', join(folders.root, 'timings.csv'), folders.source, folders.target])
    expect(run.code, run.stderr).toBe(0)
    stderr = run.stderr
    summary = lastSummary(jsonEvents(run.stdout))
    trace = JSON.parse(await readFile(join(folders.root, 'run.trace.json'), 'utf8')) as Trace
    csv = await readFile(join(folders.root, 'timings.csv'), 'utf8')
  })
  afterAll(() => folders?.cleanup())

  const files = (): TraceEvent[] => trace.traceEvents.filter((event) => event.ph === 'X' && event.cat !== 'stage')

  it('says where it wrote them, and writes nothing into the source', async () => {
    expect(stderr).toContain(`trace: ${join(folders.root, 'run.trace.json')}`)
    expect(stderr).toContain(`timings: ${join(folders.root, 'timings.csv')}`)
    expect(await listFiles(folders.source)).toEqual([...names, '=1+1.jpg', 'a, "b".jpg', 'notes.txt', 'small.jpg'].sort())
  })

  it('names one track per worker lane, plus one for files that never reached a worker', () => {
    const threads = trace.traceEvents.filter((event) => event.ph === 'M' && event.name === 'thread_name')
    expect(threads.map((event) => [event.tid, event.args?.name])).toEqual([
      [0, 'not on a worker'],
      [1, 'worker lane 1'],
      [2, 'worker lane 2']
    ])
  })

  it('has every file exactly once, on a worker lane or as an instant, with the outcome the summary counted', () => {
    const onLanes = files().map((event) => event.name)
    const settled = trace.traceEvents.filter((event) => event.ph === 'i').map((event) => event.name)
    expect([...onLanes, ...settled].sort()).toEqual([...names, '=1+1.jpg', 'a, "b".jpg', 'notes.txt', 'small.jpg'].sort())
    // The text file is skipped when probed: it never reaches a worker.
    expect(settled).toEqual(['notes.txt'])
    const outcomes = files().map((event) => event.cat)
    expect(outcomes.filter((outcome) => outcome === 'scaled')).toHaveLength(summary.counts.scaled)
    expect(outcomes.filter((outcome) => outcome === 'copied')).toHaveLength(summary.counts.copied)
    expect(trace.otherData.summary).toEqual(summary)
  })

  it('never has two files at once on one lane, and keeps each file’s stages inside it', () => {
    for (const tid of [1, 2]) {
      const spans = files()
        .filter((event) => event.tid === tid)
        .sort((a, b) => a.ts! - b.ts!)
      expect(spans.length).toBeGreaterThan(0)
      for (let i = 1; i < spans.length; i += 1) expect(spans[i]!.ts!).toBeGreaterThanOrEqual(spans[i - 1]!.ts! + spans[i - 1]!.dur!)
    }
    for (const file of files().filter((event) => event.cat === 'scaled')) {
      const stages = trace.traceEvents.filter((event) => event.cat === 'stage' && event.tid === file.tid && event.ts! >= file.ts! && event.ts! < file.ts! + file.dur!)
      expect(stages.map((stage) => stage.name)).toEqual(['scale', 'write'])
      for (const stage of stages) expect(stage.ts! + stage.dur!).toBeLessThanOrEqual(file.ts! + file.dur!)
    }
  })

  it('has timestamps in order, and counters that return to no file in flight', () => {
    const stamps = trace.traceEvents.filter((event) => event.ph !== 'M').map((event) => event.ts!)
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b))
    const inFlight = trace.traceEvents.filter((event) => event.ph === 'C' && event.name === 'in flight').map((event) => event.args?.files as number)
    expect(Math.max(...inFlight)).toBeLessThanOrEqual(WORKERS)
    expect(Math.min(...inFlight)).toBeGreaterThanOrEqual(0)
    expect(inFlight.at(-1)).toBe(0)
    const rate = trace.traceEvents.filter((event) => event.ph === 'C' && event.name === 'files finished in the last second')
    expect(rate).toHaveLength(files().length)
  })

  it('has each core’s busy share as the system counted it, sampled at least once, between 0 and 100 %', () => {
    const cores = trace.traceEvents.filter((event) => event.ph === 'C' && event.name.startsWith('cpu '))
    const names = new Set(cores.map((event) => event.name))
    expect(names).toEqual(new Set(Array.from({ length: availableParallelism() }, (_, i) => `cpu ${i + 1} busy`)))
    expect(cores.length % names.size).toBe(0)
    for (const event of cores) {
      expect(event.args?.percent).toBeGreaterThanOrEqual(0)
      expect(event.args?.percent).toBeLessThanOrEqual(100)
    }
  })

  it('writes the same files as a CSV table, quoted, with formulas disarmed', async () => {
    const lines = csv.trimEnd().split('\r\n')
    expect(lines[0]).toBe(TIMING_COLUMNS.join(','))
    expect(lines).toHaveLength(1 + PHOTOS + 4)
    expect(lines.some((line) => line.startsWith("'=1+1.jpg,"))).toBe(true)
    expect(lines.some((line) => line.startsWith('"a, ""b"".jpg",'))).toBe(true)
    const notes = lines.find((line) => line.startsWith('notes.txt,'))!.split(',')
    expect(notes[TIMING_COLUMNS.indexOf('lane')]).toBe('')
    expect(notes[TIMING_COLUMNS.indexOf('reason')]).toBe('not-an-image')
    // Bytes out are the bytes on disk; bytes in, the original's.
    for (const name of names) {
      const row = lines.find((line) => line.startsWith(`${name},`))!.split(',')
      expect(Number(row[TIMING_COLUMNS.indexOf('bytes_out')])).toBe((await stat(join(folders.target, name))).size)
      expect(Number(row[TIMING_COLUMNS.indexOf('bytes_in')])).toBe((await stat(join(folders.source, name))).size)
      expect(row[TIMING_COLUMNS.indexOf('outcome')]).toBe('scaled')
    }
  })

  it('refuses a trace among the originals or the outputs, seen through links, before anything runs', async () => {
    const before = await fingerprint(folders.source)
    const inside = await runCli(['--trace', join(folders.source, 'trace.json'), folders.source, join(folders.root, 'other')])
    expect(inside.code).toBe(2)
    expect(inside.stderr).toContain('is inside the source folder')
    // A link to the source, and an original's own name through it.
    await symlink(folders.source, join(folders.root, 'link-to-source'))
    for (const path of [join(folders.root, 'link-to-source', names[0]!), join(folders.root, 'link-to-source', 'sub', 't.csv')]) {
      const linked = await runCli(['--timings', path, folders.source, join(folders.root, 'other')])
      expect(linked.code, path).toBe(2)
      expect(linked.stderr).toContain('is inside the source folder')
    }
    // The run's own outputs and journal.
    const own = await runCli(['--trace', join(folders.root, 'other', '.imagescale-journal.jsonl'), folders.source, join(folders.root, 'other')])
    expect(own.code).toBe(2)
    expect(own.stderr).toContain('is inside the target folder')
    expect(await fingerprint(folders.source)).toEqual(before)
    expect(existsSync(join(folders.root, 'other'))).toBe(false)
  })

  it('refuses a folder as the file, --dry-run with a report, and one file for both', async () => {
    const folder = await runCli(['--trace', folders.root, folders.source, join(folders.root, 'other')])
    expect(folder.code).toBe(2)
    expect(folder.stderr).toContain('is a folder')
    const dry = await runCli(['--dry-run', '--trace', join(folders.root, 'dry.json'), folders.source, join(folders.root, 'other')])
    expect(dry.code).toBe(2)
    expect(dry.stderr).toContain('--dry-run writes nothing at all, --trace included')
    expect(existsSync(join(folders.root, 'dry.json'))).toBe(false)
    await symlink(folders.root, join(folders.root, 'here'))
    const same = await runCli(['--trace', join(folders.root, 't.json'), '--timings', join(folders.root, 'here', 't.json'), folders.source, join(folders.root, 'other')])
    expect(same.code).toBe(2)
    expect(same.stderr).toContain('--trace and --timings name the same file')
    expect(await listFiles(folders.source)).not.toContain('trace.json')
  })

  it('writes into a device in place: /dev/null stays /dev/null', async () => {
    const run = await runCli(['-s', '400', '--trace', '/dev/null', folders.source, join(folders.root, 'to-null')])
    expect(run.code, run.stderr).toBe(0)
    expect((await lstat('/dev/null')).isCharacterDevice()).toBe(true)
  })

  it('writes JSON timings for any name but .csv, one row per file', async () => {
    const target = join(folders.root, 'json-timings')
    const run = await runCli(['-s', '400', '--timings', join(folders.root, 'timings.json'), folders.source, target])
    expect(run.code, run.stderr).toBe(0)
    const rows = JSON.parse(await readFile(join(folders.root, 'timings.json'), 'utf8')) as Record<string, unknown>[]
    expect(rows).toHaveLength(PHOTOS + 4)
    expect(Object.keys(rows[0]!)).toEqual([...TIMING_COLUMNS])
  })
})
