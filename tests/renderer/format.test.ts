// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { formatBytes, formatCount, formatDuration, plural } from '../../src/shared/format'
import { OUTPUT_DEFAULTS } from '../../src/shared/recipe'
import { describeOutput, formatFileTime, formatRate, isCollision, messageOf, rowDetail, rowStatus, rowTime } from '../../src/renderer/src/format'
import type { FileRow } from '../../src/renderer/src/state/batch'
import type { FilePlan, FileResult } from '../../src/shared/batch'
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
    const canceled = row(2, canceledFile('a.jpg', 'stopped while it was being worked on; no half-written file was left'))
    expect(rowStatus(canceled)).toBe('canceled')
    expect(rowDetail(canceled)).toBe('stopped while it was being worked on; no half-written file was left')
    expect(rowTime(canceled)).toBeNull()
  })

  it('files that never reached a worker have no time either', () => {
    expect(rowTime(row(null, skippedFile('a.txt', 'not-an-image')))).toBeNull()
  })
})

describe('a dry run’s rows', () => {
  const info = { format: 'jpeg' as const, shown: { width: 6000, height: 4000 }, frames: 1, alpha: false, bytes: 8_000_000 }
  const planRow = (outputs: FilePlan['outputs']): FileRow => ({ file: 'IMG_1.jpg', worker: null, result: null, plan: { file: 'IMG_1.jpg', info, outputs } })

  it('say what would be made, where, and about how big', () => {
    const row = planRow([
      { output: 0, path: 'web/IMG_1.webp', action: 'scale', size: { width: 1920, height: 1280 }, format: 'webp', existing: { kind: 'none' }, estimatedBytes: 310_000 },
      { output: 1, path: 'IMG_1.jpg', action: 'skip', reason: 'target-exists', message: 'already there' }
    ])
    expect(rowStatus(row)).toBe('planned')
    expect(rowDetail(row)).toBe('scale 6000×4000 → 1920×1280 → web/IMG_1.webp, about 310.0 KB; skip: already there')
    expect(rowTime(row)).toBeNull()
    expect(isCollision(row)).toBe(false)
  })

  it('a rename or a replacement is a collision, worth a look before starting', () => {
    const renamed = planRow([
      { output: 0, path: 'IMG_1 (1).jpg', renamed: { from: 'IMG_1.jpg', because: 'existing' }, action: 'copy', size: { width: 6000, height: 4000 }, format: 'jpeg', existing: { kind: 'none' } }
    ])
    expect(rowDetail(renamed)).toBe('copy 6000×4000 → IMG_1 (1).jpg (IMG_1.jpg was already there)')
    expect(isCollision(renamed)).toBe(true)
    const replacing = planRow([{ output: 0, path: 'IMG_1.jpg', action: 'scale', size: { width: 400, height: 267 }, format: 'jpeg', existing: { kind: 'replace' } }])
    expect(rowDetail(replacing)).toBe('scale 6000×4000 → 400×267 → IMG_1.jpg, replacing what is there')
    expect(isCollision(replacing)).toBe(true)
    expect(isCollision(row(1, made('a.jpg', 'copied')))).toBe(false)
  })
})

describe('outputs described', () => {
  it('in the words of the run view, naming only what is not the default', () => {
    expect(describeOutput({ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 400 } })).toBe('longest side 400 px · same format · all metadata')
    expect(describeOutput({ ...OUTPUT_DEFAULTS, resize: { kind: 'width', size: 600 }, format: 'avif', sharpen: true, name: '{name}_w.{ext}' })).toBe(
      'width 600 px · AVIF 50 · all metadata · sharpened → {name}_w.{ext}'
    )
    expect(describeOutput({ ...OUTPUT_DEFAULTS, resize: { kind: 'percent', percent: 50 }, format: 'webp', lossless: true, folder: 'half' })).toBe('50% of each side · WebP lossless · all metadata → half/')
    expect(describeOutput({ ...OUTPUT_DEFAULTS, resize: { kind: 'short', size: 1080 }, format: 'jpeg', progressive: true, metadata: 'strip' })).toBe('shortest side 1080 px · JPEG 90 progressive · no metadata')
    expect(describeOutput({ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 400 }, quality: 60 })).toBe('longest side 400 px · same format, quality 60 · all metadata')
  })
})

describe('numbers', () => {
  it('formats counts, rates and times for people', () => {
    expect(formatCount(100000)).toBe('100,000')
    expect(plural(1, 'file')).toBe('1 file')
    expect(plural(0, 'file')).toBe('0 files')
    expect(plural(1875, 'file')).toBe('1,875 files')
    expect(plural(2, 'file was', 'files were')).toBe('2 files were')
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
