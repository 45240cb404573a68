import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decode, expectAddsUp, jsonEvents, lastSummary, listOutputs, resultsOf, runCli, unitsByFile, writeCopies } from '../cli/harness'
import { tempFolders, type TempFolders } from '../helpers/images'

/**
 * A re-run into the same target never passes a stale output for done: outputs made with other
 * settings are re-made (and said to be), and outputs made with the same settings are not even read.
 */

describe('resume after changing settings', () => {
  let folders: TempFolders
  const COUNT = 4
  let names: string[]
  beforeAll(async () => {
    folders = await tempFolders()
    names = await writeCopies(folders.root, folders.source, COUNT, { width: 2400, height: 1600 }, (i) => (i % 2 ? `trip/img-${i}.jpg` : `img-${i}.jpg`))
  })
  afterAll(() => folders?.cleanup())

  const scale = async (size: number): Promise<ReturnType<typeof jsonEvents>> => {
    const run = await runCli(['--json', '-s', String(size), folders.source, folders.target])
    expect(run.code, run.stderr).toBe(0)
    const events = jsonEvents(run.stdout)
    expectAddsUp(lastSummary(events))
    return events
  }

  it('-s 1920 then -s 800: every output is re-made at 800, counted as remade, and bytes in are counted', async () => {
    const first = lastSummary(await scale(1920))
    expect(first.counts.scaled).toBe(COUNT)
    for (const name of names) expect(await decode(join(folders.target, name))).toMatchObject({ width: 1920, height: 1280 })

    const events = await scale(800)
    const summary = lastSummary(events)
    expect(summary.counts).toMatchObject({ scaled: COUNT, skipped: 0 })
    expect(summary.remade).toBe(COUNT)
    expect(summary.skippedBy['target-exists'] ?? 0).toBe(0)
    expect(summary.bytesIn, 'the sources were read').toBeGreaterThan(0)
    for (const unit of unitsByFile(events).values()) expect(unit).toMatchObject({ outcome: 'scaled', size: { width: 800, height: 533 } })
    for (const name of names) expect(await decode(join(folders.target, name)), name).toMatchObject({ width: 800, height: 533 })
    expect(await listOutputs(folders.target)).toEqual([...names].sort())
  })

  it('the same settings twice: the second run is all already-done and reads nothing', async () => {
    await scale(640)
    const events = await scale(640)
    const summary = lastSummary(events)
    expect(summary.counts).toMatchObject({ scaled: 0, copied: 0, skipped: COUNT })
    expect(summary.skippedBy).toEqual({ 'already-done': COUNT })
    expect(summary.bytesIn, 'nothing was read').toBe(0)
    for (const result of resultsOf(events)) expect(result.bytesIn, result.file).toBe(0)
    for (const name of names) expect(await decode(join(folders.target, name))).toMatchObject({ width: 640, height: 427 })
  })
})
