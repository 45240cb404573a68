import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countNotStarted, countPlan, countResult, emptySummary } from '../../src/core/summary'
import type { FileResult, OutputResult, Summary } from '../../src/shared/batch'
import type { FailReason, SkipReason } from '../../src/shared/reasons'
import { plural } from '../../src/shared/format'
import { nothingFoundHint, reasonBreakdown, summaryLine } from '../../src/shared/summary-text'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectBalanced, makeUnwritable, resultFor, unitFor } from './fixtures'

const TIMES = { read: 0, scale: 0, write: 0 }
let serial = 0

const made = (outcome: 'copied' | 'scaled', output = 0, extra: { warning?: string; replaced?: 'stale' | 'existing' } = {}): OutputResult => ({
  output,
  path: `out-${serial++}.jpg`,
  outcome,
  size: { width: 4, height: 3 },
  format: 'jpeg',
  bytes: 4,
  ...extra
})
const skipped = (reason: SkipReason, output = 0): OutputResult => ({ output, path: `out-${serial++}.jpg`, outcome: 'skipped', reason, message: reason })
const failed = (reason: FailReason, output = 0): OutputResult => ({ output, path: `out-${serial++}.jpg`, outcome: 'failed', reason, message: reason })

const done = (...outputs: OutputResult[]): FileResult => ({ file: `f-${serial++}`, bytesIn: 10, times: TIMES, outcome: 'done', outputs })
const whole = (outcome: 'skipped' | 'failed' | 'canceled', reason?: SkipReason | FailReason): FileResult => {
  const base = { file: `f-${serial++}`, bytesIn: outcome === 'skipped' ? 10 : 0, times: TIMES, message: String(reason ?? outcome) }
  if (outcome === 'skipped') return { ...base, outcome, reason: reason as SkipReason }
  if (outcome === 'failed') return { ...base, outcome, reason: reason as FailReason }
  return { ...base, outcome }
}

const adds = (summary: Summary): number => Object.values(summary.counts).reduce((a, b) => a + b, 0)

describe('counting results', () => {
  it('puts every unit in exactly one bucket and counts each reason', () => {
    const summary = emptySummary(3, 1, false)
    const results = [
      done(made('copied')),
      done(made('scaled')),
      done(made('scaled', 0, { warning: 'damaged: decoded leniently' })),
      done(skipped('corrupt')),
      whole('skipped', 'corrupt'),
      whole('skipped', 'not-an-image'),
      done(failed('no-space')),
      whole('failed', 'host-crashed'),
      whole('canceled'),
      done({ output: 0, path: 'x.jpg', outcome: 'canceled', message: 'stopped' })
    ]
    for (const r of results) countResult(summary, r)
    expect(summary).toMatchObject({
      files: 10,
      outputs: 1,
      todo: 10,
      counts: { copied: 1, scaled: 2, skipped: 3, failed: 2, canceled: 2 },
      skippedBy: { corrupt: 2, 'not-an-image': 1 },
      failedBy: { 'no-space': 1, 'host-crashed': 1 },
      warnings: 1,
      notStarted: 0,
      workers: 3,
      bytesIn: 10 * 8,
      bytesOut: 12
    })
    expect(adds(summary)).toBe(summary.todo)
  })

  it('counts units, not files, when each file makes several outputs', () => {
    const summary = emptySummary(2, 3, false)
    countResult(summary, done(made('scaled', 0), made('copied', 1, { replaced: 'stale' }), skipped('already-done', 2)))
    countResult(summary, done(made('scaled', 0), failed('not-writable', 1), skipped('target-exists', 2)))
    // A file skipped as a whole (not an image) is one unit, however many outputs it would have had.
    countResult(summary, whole('skipped', 'not-an-image'))
    expect(summary).toMatchObject({
      files: 3,
      todo: 7,
      counts: { copied: 1, scaled: 2, skipped: 3, failed: 1, canceled: 0 },
      skippedBy: { 'already-done': 1, 'target-exists': 1, 'not-an-image': 1 },
      failedBy: { 'not-writable': 1 },
      remade: 1,
      bytesOut: 12
    })
    expect(adds(summary)).toBe(summary.todo)
  })

  it('counts files canceled before they started, one unit per output, without a result for each', () => {
    const summary = emptySummary(2, 2, false)
    countResult(summary, done(made('scaled', 0), made('scaled', 1)))
    countNotStarted(summary, 5)
    expect(summary).toMatchObject({ files: 6, todo: 12, notStarted: 5, counts: { scaled: 2, canceled: 10 } })
    expect(adds(summary)).toBe(summary.todo)
  })

  it('counts a dry run’s plans in the same buckets', () => {
    const summary = emptySummary(1, 2, true)
    countPlan(summary, {
      file: 'a.jpg',
      info: { format: 'jpeg', shown: { width: 800, height: 600 }, frames: 1, alpha: false, bytes: 100 },
      outputs: [
        { output: 0, path: 'a.jpg', action: 'scale', size: { width: 400, height: 300 }, format: 'jpeg', existing: { kind: 'none' } },
        { output: 1, path: 'b/a.jpg', action: 'skip', reason: 'target-exists', message: 'kept' }
      ]
    })
    expect(summary).toMatchObject({ files: 1, todo: 2, dryRun: true, counts: { scaled: 1, skipped: 1 }, skippedBy: { 'target-exists': 1 } })
  })
})

describe('the closing line', () => {
  const base: Summary = {
    ...emptySummary(8, 1, false),
    files: 255,
    todo: 255,
    counts: { copied: 12, scaled: 240, skipped: 3, failed: 0, canceled: 0 },
    skippedBy: { 'not-an-image': 2, corrupt: 1 }
  }
  const withCounts = (counts: Partial<Summary['counts']>, more: Partial<Summary> = {}): Summary => ({ ...base, ...more, counts: { ...base.counts, ...counts } })

  it('is the book’s line, with skipped only when there were some', () => {
    expect(summaryLine(base)).toBe('copied 12 scaled 240 skipped 3 using 8 worker threads')
    expect(summaryLine(withCounts({ skipped: 0 }, { skippedBy: {} }))).toBe('copied 12 scaled 240 using 8 worker threads')
    const one = emptySummary(1, 1, false)
    expect(summaryLine({ ...one, counts: { ...one.counts, copied: 1 } })).toBe('copied 1 scaled 0 using 1 worker thread')
  })

  it('says failed, canceled, and how many scaled pictures came from damaged files', () => {
    expect(summaryLine(withCounts({ failed: 1 }, { canceled: true }))).toBe('copied 12 scaled 240 skipped 3 failed 1 using 8 worker threads [canceled]')
    expect(summaryLine({ ...base, warnings: 2 })).toBe('copied 12 scaled 240 (2 damaged) skipped 3 using 8 worker threads')
  })

  it('says what a dry run would do, and that nothing was written', () => {
    expect(summaryLine({ ...base, dryRun: true })).toBe('would copy 12 scale 240 skip 3 using 8 worker threads [dry run: nothing written]')
  })

  it('is followed by the reasons, most frequent first, and by what was canceled and why', () => {
    const summary = withCounts({ failed: 1, canceled: 6 }, { failedBy: { 'not-writable': 1 }, notStarted: 4, canceled: true, todo: 262 })
    expect(reasonBreakdown(summary)).toEqual([
      'skipped 2: not an image',
      'skipped 1: damaged or corrupt',
      'failed 1: target not writable',
      'canceled 4: not started (4 files)',
      'canceled 2: stopped while being worked on, nothing written'
    ])
  })

  it('names damaged pictures, pool restarts and outputs re-made from other settings', () => {
    expect(reasonBreakdown({ ...base, skippedBy: {}, warnings: 1, hostRestarts: 1, remade: 3 })).toEqual([
      'warning 1: damaged, decoded leniently (see each file)',
      'restarted the image pool 1 time: it crashed or stopped answering (see the failed files)',
      'remade 3: made by an earlier run with other settings'
    ])
  })

  it('never leaves an empty batch unexplained', () => {
    const empty = emptySummary(2, 1, false)
    expect(nothingFoundHint(empty)).toBe('no files were found in the source folder')
    expect(nothingFoundHint({ ...empty, foldersNotEntered: 3 })).toBe('no files at the top level of the source; 3 sub-folders were not entered (flat)')
    expect(nothingFoundHint({ ...empty, foldersNotEntered: 1 })).toBe('no files at the top level of the source; 1 sub-folder was not entered (flat)')
    expect(nothingFoundHint(base)).toBeNull()
    expect([plural(1, 'file'), plural(2, 'file'), plural(1200, 'file')]).toEqual(['1 file', '2 files', '1,200 files'])
  })
})

describe('the summary of a mixed real run', () => {
  let folders: TempFolders
  let summary: Summary
  let results: FileResult[]
  let wallMs: number
  let undo: () => Promise<void>

  beforeAll(async () => {
    folders = await tempFolders()
    const { source, target } = folders
    await writeImage(source, 'scale-1.jpg', { width: 900, height: 600, seed: 1 })
    await writeImage(source, 'scale-2.png', { width: 600, height: 900, format: 'png', seed: 2 })
    await writeImage(source, 'copy-1.jpg', { width: 300, height: 200, seed: 3 })
    await writeImage(source, 'exists.jpg', { width: 900, height: 600, seed: 4 })
    await writeImage(source, 'locked/fails.jpg', { width: 900, height: 600, seed: 5 })
    await writeFile(join(source, 'readme.txt'), 'not a picture')
    await writeFile(join(source, 'corrupt.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]))
    await mkdir(join(target, 'locked'), { recursive: true })
    await writeFile(join(target, 'exists.jpg'), 'an earlier output')
    undo = await makeUnwritable(join(target, 'locked'))
    const started = performance.now()
    const run = await runRecorded(source, target, { workers: 3, size: 400 })
    wallMs = performance.now() - started
    summary = run.summary
    results = expectBalanced(summary, run.events)
  })
  afterAll(async () => {
    await undo()
    await folders.cleanup()
  })

  it('adds up, with a count for every reason', () => {
    expect(summary).toMatchObject({
      files: 7,
      outputs: 1,
      todo: 7,
      counts: { copied: 1, scaled: 2, skipped: 3, failed: 1, canceled: 0 },
      skippedBy: { 'not-an-image': 1, corrupt: 1, 'target-exists': 1 },
      failedBy: { 'not-writable': 1 },
      warnings: 0,
      remade: 0,
      notStarted: 0,
      hostRestarts: 0,
      canceled: false,
      dryRun: false,
      workers: 3
    })
    expect(unitFor(results, 'locked/fails.jpg')).toMatchObject({ outcome: 'failed', reason: 'not-writable' })
    expect(resultFor(results, 'readme.txt')).toMatchObject({ outcome: 'skipped', reason: 'not-an-image' })
    expect(resultFor(results, 'corrupt.png')).toMatchObject({ outcome: 'skipped', reason: 'corrupt' })
    expect(unitFor(results, 'exists.jpg')).toMatchObject({ outcome: 'skipped', reason: 'target-exists' })
    expect(summary.peakParallel).toBeGreaterThanOrEqual(1)
    expect(summary.peakParallel).toBeLessThanOrEqual(3)
  })

  it('counts the bytes read and written', async () => {
    expect(summary.bytesIn).toBe(results.reduce((sum, r) => sum + r.bytesIn, 0))
    let written = 0
    for (const r of results) {
      if (r.outcome !== 'done') continue
      // Every file that was planned was read once, whole, whatever became of its output.
      expect(r.bytesIn).toBe((await stat(join(folders.source, r.file))).size)
      for (const output of r.outputs) {
        if (output.outcome !== 'copied' && output.outcome !== 'scaled') continue
        const size = (await stat(join(folders.target, output.path))).size
        expect(output.bytes).toBe(size)
        written += size
      }
    }
    expect(written).toBeGreaterThan(0)
    expect(summary.bytesOut).toBe(written)
    expect(summary.bytesIn).toBeGreaterThan(summary.bytesOut)
  })

  it('times the run', () => {
    expect(summary.elapsedMs).toBeGreaterThan(0)
    expect(summary.elapsedMs).toBeLessThanOrEqual(wallMs)
  })

  it('reads as the book’s closing line, with the reasons after it', () => {
    expect(summaryLine(summary)).toBe('copied 1 scaled 2 skipped 3 failed 1 using 3 worker threads')
    // Ties come in the order they were met, which depends on which worker was quicker.
    const [first, second, third, last] = reasonBreakdown(summary)
    expect([first, second, third].sort()).toEqual(['skipped 1: damaged or corrupt', 'skipped 1: not an image', 'skipped 1: target exists'])
    expect(last).toBe('failed 1: target not writable')
    expect(reasonBreakdown(summary)).toHaveLength(4)
  })
})
