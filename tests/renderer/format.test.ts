// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { formatBytes, formatDuration } from '../../src/shared/format'
import { formatCount, formatFileTime, formatRate, rowDetail, rowStatus, rowTime } from '../../src/renderer/src/format'
import type { FileRow } from '../../src/renderer/src/state/batch'
import { result } from './fake-api'

const row = (worker: number | null, r: FileRow['result']): FileRow => ({ file: r?.file ?? 'a.jpg', worker, result: r })

describe('row text', () => {
  it('says which worker has a running file', () => {
    expect(rowStatus(row(3, null))).toBe('on worker 3')
    expect(rowDetail(row(3, null))).toBe('')
    expect(rowTime(row(3, null))).toBeNull()
  })

  it('gives sizes for copied and scaled files, and their time', () => {
    const copied = row(1, result('a.jpg', 'copied', { input: { width: 300, height: 200 }, times: { read: 2, scale: 0, write: 5 } }))
    expect(rowStatus(copied)).toBe('copied')
    expect(rowDetail(copied)).toBe('300×200')
    expect(rowTime(copied)).toBe(7)
    const scaled = row(2, result('b.jpg', 'scaled', { input: { width: 6000, height: 4000 }, output: { width: 400, height: 267 }, message: 'decoded leniently: x' }))
    expect(rowDetail(scaled)).toBe('6000×4000 → 400×267 (decoded leniently: x)')
  })

  it('gives the reason sentence for skipped and failed files, or the label when there is none', () => {
    expect(rowDetail(row(1, result('a.txt', 'skipped', { reason: 'not-an-image', message: 'not an image: no known header' })))).toBe('not an image: no known header')
    expect(rowDetail(row(1, result('a.jpg', 'skipped', { reason: 'corrupt' })))).toBe('unreadable or corrupt')
    expect(rowDetail(row(1, result('a.jpg', 'failed', { reason: 'no-space' })))).toBe('disk full')
  })

  it('canceled files never ran, so they have no time', () => {
    const canceled = row(null, result('a.jpg', 'canceled', { message: 'canceled before it started' }))
    expect(rowStatus(canceled)).toBe('canceled')
    expect(rowDetail(canceled)).toBe('canceled before it started')
    expect(rowTime(canceled)).toBeNull()
  })
})

describe('numbers', () => {
  it('formats counts, rates and times for people', () => {
    expect(formatCount(100000)).toBe('100,000')
    expect(formatRate(4.26)).toBe('4.3 images/s')
    expect(formatRate(42.6)).toBe('43 images/s')
    expect(formatFileTime(231.4)).toBe('231 ms')
    expect(formatFileTime(1400)).toBe('1.4s')
    expect(formatDuration(187_000)).toBe('3m07s')
    expect(formatDuration(3_900_000)).toBe('1h05m')
    expect(formatBytes(1_234_567)).toBe('1.2 MB')
    expect(formatBytes(999)).toBe('999 B')
  })
})
