// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import type { FilePlan } from '../../src/shared/batch'
import type { FileRow } from '../../src/renderer/src/state/batch'
import { ALL_ROWS, LIST_FILTERS, visibleRows, type ListView } from '../../src/renderer/src/state/list-view'
import { emptyList, ListDraft } from '../../src/renderer/src/state/rows'
import { canceledFile, failedOutput, made, skippedFile, skippedOutput } from './fake-api'

const info = { format: 'jpeg' as const, shown: { width: 6000, height: 4000 }, frames: 1, alpha: false, bytes: 8000 }
const plan = (file: string, outputs: FilePlan['outputs']): FileRow => ({ file, worker: null, result: null, plan: { file, info, outputs } })

const ROWS: FileRow[] = [
  { file: 'copied.jpg', worker: 1, result: made('copied.jpg', 'copied') },
  { file: 'scaled.jpg', worker: 1, result: made('scaled.jpg', 'scaled', { warning: 'premature end' }) },
  { file: 'notes.txt', worker: null, result: skippedFile('notes.txt', 'not-an-image') },
  { file: 'kept.jpg', worker: 1, result: skippedOutput('kept.jpg', 'target-exists') },
  { file: 'full.jpg', worker: 1, result: failedOutput('full.jpg', 'no-space') },
  { file: 'stopped.jpg', worker: 2, result: canceledFile('stopped.jpg') },
  { file: 'busy.jpg', worker: 3, result: null },
  plan('fresh.jpg', [{ output: 0, path: 'fresh.jpg', action: 'scale', size: { width: 400, height: 267 }, format: 'jpeg', existing: { kind: 'none' } }]),
  plan('twin.jpg', [{ output: 0, path: 'twin (1).jpg', renamed: { from: 'twin.jpg', because: 'batch' }, action: 'scale', size: { width: 400, height: 267 }, format: 'jpeg', existing: { kind: 'none' } }])
]

function listOf(rows: FileRow[]) {
  const draft = new ListDraft(emptyList<FileRow>())
  for (const row of rows) draft.push(row)
  return draft.finish()
}

const shown = (view: Partial<ListView>): string[] | null => {
  const indices = visibleRows(listOf(ROWS), { ...ALL_ROWS, ...view })
  return indices && indices.map((index) => ROWS[index]!.file)
}

describe('visibleRows', () => {
  it('is null for every row in found order, so nothing is copied', () => {
    expect(visibleRows(listOf(ROWS), ALL_ROWS)).toBeNull()
    expect(shown({ query: '   ' })).toBeNull()
  })

  it('filters by what became of each file', () => {
    expect(shown({ filter: 'problems' })).toEqual(['scaled.jpg', 'notes.txt', 'full.jpg', 'stopped.jpg'])
    expect(shown({ filter: 'copied' })).toEqual(['copied.jpg'])
    expect(shown({ filter: 'skipped' })).toEqual(['notes.txt', 'kept.jpg'])
    expect(shown({ filter: 'failed' })).toEqual(['full.jpg'])
    expect(shown({ filter: 'canceled' })).toEqual(['stopped.jpg'])
    expect(shown({ filter: 'warnings' })).toEqual(['scaled.jpg'])
    expect(shown({ filter: 'planned' })).toEqual(['fresh.jpg', 'twin.jpg'])
    expect(shown({ filter: 'collisions' })).toEqual(['twin.jpg'])
    // Every filter is one of these; 'all' alone shows the file still on its worker.
    for (const filter of LIST_FILTERS) if (filter !== 'all') expect(shown({ filter, sort: 'name' })).not.toContain('busy.jpg')
    expect(shown({ filter: 'all', sort: 'name' })).toContain('busy.jpg')
  })

  it('searches a part of the path, ignoring case and the spaces around it', () => {
    expect(shown({ query: ' JPG ', filter: 'failed' })).toEqual(['full.jpg'])
    expect(shown({ query: 'T' })).toEqual(['notes.txt', 'kept.jpg', 'stopped.jpg', 'twin.jpg'])
  })

  it('sorts by name, numbers in order, ties in found order', () => {
    const rows = ['IMG_10.jpg', 'img_2.jpg', 'b.jpg', 'A.jpg', 'IMG_2.jpg'].map((file): FileRow => ({ file, worker: 1, result: made(file, 'copied') }))
    const order = visibleRows(listOf(rows), { ...ALL_ROWS, sort: 'name' })!.map((index) => rows[index]!.file)
    expect(order).toEqual(['A.jpg', 'b.jpg', 'img_2.jpg', 'IMG_2.jpg', 'IMG_10.jpg'])
  })
})
