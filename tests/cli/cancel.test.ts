import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempFolders, type TempFolders } from '../helpers/images'
import { decode, isTempName, jsonEvents, lastSummary, listFiles, resultsByFile, startCli, until, writeCopies } from './harness'

/**
 * Ctrl-C in the middle of a run of 40 camera-ish images on 2 workers (a few seconds of
 * work): dispatch stops at once, running files finish or leave nothing, exit 130.
 */

const COUNT = 40

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

  /** Every output left must be complete and must be one the CLI reported as done. */
  async function expectOnlyCompleteOutputs(target: string, done: readonly string[]): Promise<void> {
    const files = await listFiles(target)
    expect(files.filter(isTempName)).toEqual([])
    expect(files).toEqual([...done].sort())
    for (const file of files) expect(await decode(join(target, file)), file).toMatchObject({ width: 400, height: 300 })
  }

  it('--json: exits 130 with a canceled summary, and the disk holds only finished outputs', async () => {
    const target = join(folders.root, 'json')
    const cli = startCli(['--json', '-c', '2', folders.source, target])
    await cli.line((line) => line.includes('"type":"finished"'))
    cli.child.kill('SIGINT')
    const run = await cli.closed

    expect(run.code).toBe(130)
    const events = jsonEvents(run.stdout)
    const summary = lastSummary(events)
    expect(summary.canceled).toBe(true)
    // Stopping "at once": with ~2 images done when Ctrl-C came, most were never started.
    expect(summary.canceledFiles).toBeGreaterThanOrEqual(COUNT / 2)
    expect(summary).toMatchObject({ todo: COUNT, copied: 0, skipped: 0, failed: 0 })
    expect(summary.scaled + summary.canceledFiles).toBe(COUNT)

    const results = resultsByFile(events)
    expect([...results.keys()].sort()).toEqual([...names].sort())
    const scaled = [...results.values()].filter((result) => result.action === 'scaled').map((result) => result.file)
    expect(scaled).toHaveLength(summary.scaled)
    for (const result of results.values()) expect(['scaled', 'canceled']).toContain(result.action)
    await expectOnlyCompleteOutputs(target, scaled)
  })

  it('line output: exits 130, says canceling, closes with [canceled] and what was not started', async () => {
    const target = join(folders.root, 'lines')
    const cli = startCli(['-c', '2', folders.source, target])
    await cli.line((line) => line.startsWith('scaled '))
    cli.child.kill('SIGINT')
    const run = await cli.closed

    expect(run.code).toBe(130)
    expect(run.stderr).toBe('canceling: running files finish, the rest are not started\n')
    const lines = run.stdout.split('\n')
    const closingAt = lines.findIndex((line) => line.includes(' using '))
    const closing = /^copied 0 scaled (\d+) using 2 worker threads \[canceled\]$/.exec(lines[closingAt] ?? '')
    expect(closing, run.stdout).not.toBeNull()
    const scaledCount = Number(closing![1])
    const notStarted = /^ {2}canceled (\d+): not started$/m.exec(run.stdout)
    expect(notStarted, run.stdout).not.toBeNull()
    expect(scaledCount + Number(notStarted![1])).toBe(COUNT)
    expect(Number(notStarted![1])).toBeGreaterThanOrEqual(COUNT / 2)

    // One line per file: scaled ones with their sizes, the rest as canceled.
    const perFile = lines.slice(0, closingAt)
    expect(perFile).toHaveLength(COUNT)
    const scaled = perFile.flatMap((line) => /^scaled (\S+) 2000×1500 → 400×300$/.exec(line)?.slice(1) ?? [])
    const canceled = perFile.flatMap((line) => /^canceled (\S+)$/.exec(line)?.slice(1) ?? [])
    expect(scaled).toHaveLength(scaledCount)
    expect([...scaled, ...canceled].sort()).toEqual([...names].sort())
    await expectOnlyCompleteOutputs(target, scaled)
  })

  it('a reader that goes away (a pipe into head) stops the run like Ctrl-C, without a crash', async () => {
    const target = join(folders.root, 'head')
    const cli = startCli(['-c', '2', folders.source, target])
    await cli.line((line) => line.startsWith('scaled '))
    cli.child.stdout.destroy()
    const run = await cli.closed

    expect(run.code).toBe(130)
    expect(run.stderr).toBe('imagescale: the output was closed; canceling: running files finish, the rest are not started\n')
    const files = await listFiles(target)
    expect(files.filter(isTempName)).toEqual([])
    expect(files.length).toBeLessThanOrEqual(COUNT / 2)
    for (const file of files) expect(await decode(join(target, file)), file).toMatchObject({ width: 400, height: 300 })
  })
})

describe('Ctrl-C twice', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    // Slow files (a big PNG re-encoded near full size, most of a second each), so some
    // are surely still running when the second Ctrl-C leaves.
    await writeCopies(folders.root, folders.source, 4, { width: 2400, height: 1600, format: 'png' }, (i) => `big-${i}.png`)
  })
  afterAll(() => folders?.cleanup())

  it('leaves at once, and the running files still finish or leave nothing', async () => {
    const cli = startCli(['-c', '2', '-s', '2300', folders.source, folders.target])
    await cli.line((line) => line.startsWith('scaled '))
    cli.child.kill('SIGINT')
    await until(() => cli.stderr().includes('canceling'))
    cli.child.kill('SIGINT')
    const exit = await cli.exited
    expect(exit.code).toBe(130)
    // The pool host shares the CLI's stderr, so 'closed' waits until it has settled too.
    const run = await cli.closed
    expect(run.stderr).toBe('canceling: running files finish, the rest are not started\n\nstopped without waiting for running files\n')
    const files = await listFiles(folders.target)
    expect(files.filter(isTempName)).toEqual([])
    for (const file of files) expect(await decode(join(folders.target, file)), file).toMatchObject({ width: 2300, height: 1533 })
  })
})
