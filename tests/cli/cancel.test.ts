import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempFolders, type TempFolders } from '../helpers/images'
import {
  JOURNAL,
  childPids,
  decode,
  expectAddsUp,
  interrupt,
  isAlive,
  isTempName,
  jsonEvents,
  lastSummary,
  listFiles,
  listOutputs,
  startCli,
  unitsByFile,
  until,
  writeCopies
} from './harness'

/**
 * Ctrl-C in the middle of a run of 40 camera-ish images on 2 workers (a few seconds of
 * work): dispatch stops at once, running files finish or leave nothing, exit 130.
 */

const COUNT = 40
const CANCELING = 'canceling: files on a worker finish, the rest are not started (Ctrl-C again to stop them now)\n'
const STOPPING = 'stopping now: files on a worker are abandoned, nothing partial is left\n'

describe('Ctrl-C mid-run', () => {
  let folders: TempFolders
  let names: string[]
  beforeAll(async () => {
    folders = await tempFolders()
    names = await writeCopies(folders.root, folders.source, COUNT, { width: 2000, height: 1500 }, (i) =>
      i % 2 === 0 ? `img-${String(i).padStart(2, '0')}.jpg` : `roll/img-${String(i).padStart(2, '0')}.jpg`
    )
  })
  afterAll(() => folders?.cleanup())

  /** Every output left must be complete and must be one the CLI reported as done; no temp file is left. */
  async function expectOnlyCompleteOutputs(target: string, done: readonly string[]): Promise<void> {
    expect((await listFiles(target)).filter(isTempName)).toEqual([])
    const files = await listOutputs(target)
    expect(files).toEqual([...done].sort())
    for (const file of files) expect(await decode(join(target, file)), file).toMatchObject({ width: 400, height: 300 })
  }

  it('--json: exits 130 with a canceled summary, and the disk holds only finished outputs', async () => {
    const target = join(folders.root, 'json')
    const cli = startCli(['--json', '-c', '2', folders.source, target])
    await cli.line((line) => line.includes('"type":"finished"'))
    await interrupt(cli.child)
    const run = await cli.closed

    expect(run.code).toBe(130)
    expect(run.stderr).toBe('')
    const events = jsonEvents(run.stdout)
    const summary = lastSummary(events)
    expect(summary.canceled).toBe(true)
    // Stopping "at once": with ~2 images done when Ctrl-C came, most were never started.
    expect(summary.notStarted).toBeGreaterThanOrEqual(COUNT / 2)
    expect(summary).toMatchObject({ files: COUNT, todo: COUNT, counts: { copied: 0, skipped: 0, failed: 0 } })
    // One Ctrl-C lets the files on a worker finish: the only canceled ones are those not started.
    expect(summary.counts.canceled).toBe(summary.notStarted)
    expect(summary.counts.scaled + summary.notStarted).toBe(COUNT)
    expectAddsUp(summary)

    // Files never started are only counted; every file reported was finished, and scaled.
    const units = unitsByFile(events)
    expect(units.size).toBe(summary.counts.scaled)
    for (const unit of units.values()) {
      expect(names).toContain(unit.file)
      expect(unit, unit.file).toMatchObject({ outcome: 'scaled', size: { width: 400, height: 300 } })
    }
    await expectOnlyCompleteOutputs(target, [...units.keys()])
  })

  it('line output: exits 130, says canceling, closes with [canceled] and what was not started', async () => {
    const target = join(folders.root, 'lines')
    const cli = startCli(['-c', '2', folders.source, target])
    await cli.line((line) => line.startsWith('scaled '))
    await interrupt(cli.child)
    const run = await cli.closed

    expect(run.code).toBe(130)
    expect(run.stderr).toBe(CANCELING)
    const lines = run.stdout.split('\n')
    const closingAt = lines.findIndex((line) => line.includes(' using '))
    const closing = /^copied 0 scaled (\d+) using 2 worker threads \[canceled\]$/.exec(lines[closingAt] ?? '')
    expect(closing, run.stdout).not.toBeNull()
    const scaledCount = Number(closing![1])
    const notStarted = /^ {2}canceled (\d+): not started \((\d+) files\)$/m.exec(run.stdout)
    expect(notStarted, run.stdout).not.toBeNull()
    expect(notStarted![2]).toBe(notStarted![1])
    expect(scaledCount + Number(notStarted![1])).toBe(COUNT)
    expect(Number(notStarted![1])).toBeGreaterThanOrEqual(COUNT / 2)
    expect(run.stdout).not.toMatch(/stopped while being worked on/)

    // One line per finished file, with its sizes; files never started get no line of their own.
    const perFile = lines.slice(0, closingAt)
    expect(perFile).toHaveLength(scaledCount)
    const scaled = perFile.flatMap((line) => /^scaled (\S+) 2000×1500 → 400×300$/.exec(line)?.slice(1) ?? [])
    expect(scaled).toHaveLength(scaledCount)
    expect(new Set(scaled).size).toBe(scaledCount)
    for (const file of scaled) expect(names).toContain(file)
    await expectOnlyCompleteOutputs(target, scaled)
  })

  it('a run after Ctrl-C does only what was left, and skips what is already done', async () => {
    const target = join(folders.root, 'resume')
    const first = startCli(['--json', '-c', '2', folders.source, target])
    await first.line((line) => line.includes('"type":"finished"'))
    await interrupt(first.child)
    const done = lastSummary(jsonEvents((await first.closed).stdout)).counts.scaled
    expect(done).toBeGreaterThan(0)
    expect(done).toBeLessThan(COUNT)

    const second = await startCli(['--json', '-c', '2', folders.source, target]).closed
    expect(second.code).toBe(0)
    const summary = lastSummary(jsonEvents(second.stdout))
    expect(summary).toMatchObject({ canceled: false, todo: COUNT, skippedBy: { 'already-done': done }, counts: { scaled: COUNT - done, skipped: done, canceled: 0 } })
    await expectOnlyCompleteOutputs(target, names)
    expect(await listFiles(target)).toContain(JOURNAL)
  })

  it('a reader that goes away (a pipe into head) stops the run like Ctrl-C, without a crash', async () => {
    const target = join(folders.root, 'head')
    const cli = startCli(['-c', '2', folders.source, target])
    await cli.line((line) => line.startsWith('scaled '))
    cli.child.stdout.destroy()
    const run = await cli.closed

    expect(run.code).toBe(130)
    // Nothing more is written anywhere: no stack trace, no summary on stderr instead.
    expect(run.stderr).toBe('')
    expect((await listFiles(target)).filter(isTempName)).toEqual([])
    const files = await listOutputs(target)
    expect(files.length).toBeLessThanOrEqual(COUNT / 2)
    for (const file of files) expect(await decode(join(target, file)), file).toMatchObject({ width: 400, height: 300 })
  })
})

describe('Ctrl-C twice and three times', () => {
  let folders: TempFolders
  const FILES = 4
  const SIZE = '2300'
  beforeAll(async () => {
    folders = await tempFolders()
    // Slow files (a big PNG re-encoded near full size, most of a second each): when the first
    // one is done, the next is just starting on its worker, and surely still running when
    // the following Ctrl-C comes.
    await writeCopies(folders.root, folders.source, FILES, { width: 2400, height: 1600, format: 'png' }, (i) => `big-${i}.png`)
  })
  afterAll(() => folders?.cleanup())

  /** What a person finds in the target under an output's name: only complete outputs at the size asked. */
  async function expectOnlyComplete(target: string): Promise<string[]> {
    const files = (await listOutputs(target)).filter((file) => !isTempName(file))
    for (const file of files) expect(await decode(join(target, file)), file).toMatchObject({ width: 2300, height: 1533 })
    return files
  }

  /** ...and no temp file: Stop now sweeps the killed host's temp files before the summary. */
  async function expectNothingPartial(target: string): Promise<string[]> {
    expect((await listFiles(target)).filter(isTempName)).toEqual([])
    return expectOnlyComplete(target)
  }

  it('twice: stops the files on a worker at once, leaves nothing partial, and still closes with a summary', async () => {
    const target = join(folders.root, 'twice')
    const cli = startCli(['-c', '2', '-s', SIZE, folders.source, target])
    await cli.line((line) => line.startsWith('scaled '))
    const hosts = childPids(cli.child.pid!)
    expect(hosts, 'the CLI runs its pool host').toHaveLength(1)
    await interrupt(cli.child)
    await until(() => cli.stderr().includes('canceling'))
    await interrupt(cli.child)
    const run = await cli.closed

    expect(run.code).toBe(130)
    expect(run.stderr).toBe(CANCELING + STOPPING)
    // Stop now killed the pool host, and waited for it: nothing of the batch outlives the CLI.
    expect(hosts.filter((pid) => isAlive(pid))).toEqual([])
    const lines = run.stdout.split('\n')
    const closingAt = lines.findIndex((line) => line.includes(' using '))
    const closing = /^copied 0 scaled (\d+) using 2 worker threads \[canceled\]$/.exec(lines[closingAt] ?? '')
    expect(closing, run.stdout).not.toBeNull()
    const perFile = lines.slice(0, closingAt)
    const scaled = perFile.flatMap((line) => /^scaled (big-\d\.png) 2400×1600 → 2300×1533$/.exec(line)?.slice(1) ?? [])
    const stopped = perFile.flatMap((line) => /^canceled (big-\d\.png): stopped while it was being worked on; no half-written file was left$/.exec(line)?.slice(1) ?? [])
    expect(scaled.length + stopped.length, run.stdout).toBe(perFile.length)
    expect(scaled).toHaveLength(Number(closing![1]))
    // The file that started when the first finished was still running: Stop now abandoned it.
    expect(stopped.length, run.stdout).toBeGreaterThanOrEqual(1)
    expect(run.stdout).toContain(`\n  canceled ${stopped.length}: stopped while being worked on, nothing written\n`)
    const notStarted = Number(/^ {2}canceled (\d+): not started/m.exec(run.stdout)?.[1] ?? 0)
    expect(scaled.length + stopped.length + notStarted).toBe(FILES)

    // Exactly what was reported scaled is there: a file reported "canceled … no half-written file
    // was left" must not be on disk (nor be missing from the journal, for the next run to trust).
    expect(await expectNothingPartial(target), run.stdout).toEqual(scaled.sort())
  })

  it('three times: leaves at once without a summary, nothing partial is left, and the next run sweeps what it abandoned', async () => {
    const target = join(folders.root, 'thrice')
    const cli = startCli(['-c', '2', '-s', SIZE, folders.source, target])
    await cli.line((line) => line.startsWith('scaled '))
    const hosts = childPids(cli.child.pid!)
    expect(hosts, 'the CLI runs its pool host').toHaveLength(1)
    // Each press is handed over before the next, so the CLI counts three.
    await interrupt(cli.child)
    await interrupt(cli.child)
    await interrupt(cli.child)
    const run = await cli.closed

    expect(run.code).toBe(130)
    expect(run.stderr.endsWith('\nleft without waiting\n'), run.stderr).toBe(true)
    expect(run.stdout).not.toMatch(/ using /)
    // The pool host is not left running on its own.
    await until(() => hosts.every((pid) => !isAlive(pid)))
    // Leaving at once may cut short the sweep of the killed host's temp files (hidden, never
    // under an output's name); what is under an output's name is complete.
    const made = await expectOnlyComplete(target)
    expect(made.length).toBeLessThan(FILES)

    // The next run into the folder removes what a run that is gone left, and finishes the rest.
    const next = await startCli(['-c', '2', '-s', SIZE, folders.source, target]).closed
    expect(next.code, next.stderr).toBe(0)
    expect(await expectNothingPartial(target)).toEqual(Array.from({ length: FILES }, (_, i) => `big-${i}.png`))
  })
})
