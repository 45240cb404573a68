import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countResult, emptySummary } from '../../src/core/summary'
import { reasonBreakdown, summaryLine } from '../../src/shared/reasons'
import type { FileResult, Summary } from '../../src/shared/batch'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectBalanced, makeUnwritable, resultFor } from './fixtures'

const result = (action: FileResult['action'], reason?: FileResult['reason']): FileResult => ({
  file: `${action}-${reason ?? ''}-${Math.random()}`,
  action,
  ...(reason ? { reason } : {}),
  bytesIn: 10,
  bytesOut: action === 'copied' || action === 'scaled' ? 4 : 0,
  times: { read: 0, scale: 0, write: 0 }
})

describe('counting results', () => {
  it('puts every result in exactly one bucket and counts each reason', () => {
    const summary = emptySummary(3)
    const results = [
      result('copied'),
      result('scaled'),
      result('scaled'),
      result('skipped', 'corrupt'),
      result('skipped', 'corrupt'),
      result('skipped', 'not-an-image'),
      result('failed', 'no-space'),
      result('canceled'),
      result('canceled')
    ]
    for (const r of results) countResult(summary, r)
    expect(summary).toMatchObject({
      todo: 9,
      copied: 1,
      scaled: 2,
      skipped: 3,
      skippedBy: { corrupt: 2, 'not-an-image': 1 },
      failed: 1,
      failedBy: { 'no-space': 1 },
      canceledFiles: 2,
      workers: 3,
      bytesIn: 90,
      bytesOut: 12
    })
    expect(summary.copied + summary.scaled + summary.skipped + summary.failed + summary.canceledFiles).toBe(summary.todo)
  })
})

describe('the closing line', () => {
  const base: Summary = { ...emptySummary(8), todo: 255, copied: 12, scaled: 240, skipped: 3, skippedBy: { 'not-an-image': 2, corrupt: 1 } }

  it('is the book’s line, with skipped only when there were some', () => {
    expect(summaryLine(base)).toBe('copied 12 scaled 240 skipped 3 using 8 worker threads')
    expect(summaryLine({ ...base, skipped: 0, skippedBy: {} })).toBe('copied 12 scaled 240 using 8 worker threads')
    expect(summaryLine({ ...emptySummary(1), copied: 1 })).toBe('copied 1 scaled 0 using 1 worker thread')
  })

  it('says failed and canceled', () => {
    expect(summaryLine({ ...base, failed: 1, canceled: true })).toBe('copied 12 scaled 240 skipped 3 failed 1 using 8 worker threads [canceled]')
  })

  it('is followed by the reasons, most frequent first', () => {
    expect(reasonBreakdown({ ...base, failed: 1, failedBy: { 'not-writable': 1 }, canceledFiles: 4 })).toEqual([
      'skipped 2: not an image',
      'skipped 1: unreadable or corrupt',
      'failed 1: target not writable',
      'canceled 4: not started'
    ])
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
      todo: 7,
      copied: 1,
      scaled: 2,
      skipped: 3,
      skippedBy: { 'not-an-image': 1, corrupt: 1, 'target-exists': 1 },
      failed: 1,
      failedBy: { 'not-writable': 1 },
      canceled: false,
      canceledFiles: 0,
      workers: 3
    })
    expect(resultFor(results, 'locked/fails.jpg')).toMatchObject({ action: 'failed', reason: 'not-writable' })
  })

  it('counts the bytes read and written', async () => {
    expect(summary.bytesIn).toBe(results.reduce((sum, r) => sum + r.bytesIn, 0))
    let written = 0
    for (const r of results.filter((r) => r.action === 'copied' || r.action === 'scaled')) {
      expect(r.bytesIn).toBe((await stat(join(folders.source, r.file))).size)
      const size = (await stat(join(folders.target, r.file))).size
      expect(r.bytesOut).toBe(size)
      written += size
    }
    expect(summary.bytesOut).toBe(written)
    expect(summary.bytesIn).toBeGreaterThan(summary.bytesOut)
  })

  it('times the run', () => {
    expect(summary.elapsedMs).toBeGreaterThan(0)
    expect(summary.elapsedMs).toBeLessThanOrEqual(wallMs)
  })

  it('reads as the book’s closing line', () => {
    expect(summaryLine(summary)).toBe('copied 1 scaled 2 skipped 3 failed 1 using 3 worker threads')
  })
})
