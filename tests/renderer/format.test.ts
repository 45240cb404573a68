// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { formatBytes, formatDuration } from '../../src/shared/format'
import { formatCount, formatFileTime, formatRate, messageOf, rowDetail, rowStatus, rowTime } from '../../src/renderer/src/format'
import type { FileRow } from '../../src/renderer/src/state/batch'
import type { FileResult } from '../../src/shared/batch'
import { canceledFile, failedOutput, made, skippedFile } from './fake-api'

const row = (worker: number | null, r: FileRow['result']): FileRow => ({ file: r?.file ?? 'a.jpg', worker, result: r })

describe('row text', () => {
  it('says which worker has a running file', () => {
    expect(rowStatus(row(3, null))).toBe('on worker 3')
    expect(rowDetail(row(3, null))).toBe('')
    expect(rowTime(row(3, null))).toBeNull()
  })

  it('gives sizes for copied and scaled files, and their time', () => {
    const copied = row(1, made('a.jpg', 'copied', { size: { width: 300, height: 200 }, times: { read: 2, scale: 0, write: 5 } }))
    expect(rowStatus(copied)).toBe('copied')
    expect(rowDetail(copied)).toBe('300×200')
    expect(rowTime(copied)).toBe(7)
    const scaled = row(2, made('b.jpg', 'scaled', { shown: { width: 6000, height: 4000 }, size: { width: 400, height: 267 }, warning: 'decoded leniently: x' }))
    expect(rowDetail(scaled)).toBe('6000×4000 → 400×267 (decoded leniently: x)')
  })

  it('says where an output went when its natural name was taken', () => {
    const renamed: FileResult = {
      file: 'a.JPG',
      bytesIn: 10,
      times: { read: 1, scale: 0, write: 1 },
      outcome: 'done',
      outputs: [{ output: 0, path: 'a (1).JPG', renamed: { from: 'a.JPG', because: 'batch' }, outcome: 'copied', size: { width: 300, height: 200 }, format: 'jpeg', bytes: 10 }]
    }
    expect(rowDetail(row(1, renamed))).toBe('300×200 as a (1).JPG (a.JPG was taken by another file)')
  })

  it('gives the reason sentence for skipped and failed files', () => {
    expect(rowDetail(row(1, skippedFile('a.txt', 'not-an-image', 'not an image: no known header')))).toBe('not an image: no known header')
    expect(rowStatus(row(null, skippedFile('a.jpg', 'corrupt')))).toBe('skipped')
    expect(rowDetail(row(1, failedOutput('a.jpg', 'no-space', 'the target disk is full')))).toBe('the target disk is full')
    expect(rowStatus(row(1, failedOutput('a.jpg', 'no-space')))).toBe('failed')
  })

  it('files stopped on a worker have no time, since the host never answered for them', () => {
    const canceled = row(2, canceledFile('a.jpg', 'stopped while it was being worked on; nothing of it was written'))
    expect(rowStatus(canceled)).toBe('canceled')
    expect(rowDetail(canceled)).toBe('stopped while it was being worked on; nothing of it was written')
    expect(rowTime(canceled)).toBeNull()
  })

  it('files that never reached a worker have no time either', () => {
    expect(rowTime(row(null, skippedFile('a.txt', 'not-an-image')))).toBeNull()
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

describe('messages', () => {
  it("removes Electron's wrapper from an error thrown in main, and keeps the rest", () => {
    expect(messageOf(new Error("Error invoking remote method 'batch:start': IpcRequestError: choose a source folder (source)"))).toBe('choose a source folder (source)')
    expect(messageOf(new Error('plain words'))).toBe('plain words')
    expect(messageOf('a string')).toBe('a string')
  })
})
