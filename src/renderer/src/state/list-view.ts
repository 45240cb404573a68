import { bytesMade, fileWarning } from '../../../shared/file-outcome'
import { isCollision } from '../format'
import { isProblem, rowState, type FileRow } from './batch'
import { itemAt, type ChunkedList } from './rows'

/** Which rows the file list shows: everything, the problems, one outcome, or the damaged pictures. */
export const LIST_FILTERS = ['all', 'problems', 'planned', 'collisions', 'copied', 'scaled', 'skipped', 'failed', 'canceled', 'warnings'] as const
export type ListFilter = (typeof LIST_FILTERS)[number]

/** `found`: the order the scanner found the files (and the only order while files arrive). */
export const LIST_SORTS = ['found', 'name', 'time', 'size', 'saved'] as const
export type ListSort = (typeof LIST_SORTS)[number]

export interface ListView {
  query: string
  filter: ListFilter
  sort: ListSort
}

export const ALL_ROWS: ListView = { query: '', filter: 'all', sort: 'found' }

function matches(row: FileRow, filter: ListFilter): boolean {
  switch (filter) {
    case 'all':
      return true
    case 'problems':
      return isProblem(row)
    case 'collisions':
      return isCollision(row)
    case 'warnings':
      return row.result !== null && fileWarning(row.result) !== null
    default:
      return rowState(row) === filter
  }
}

/** Time a worker spent on the file, for sorting (0 when it never ran). */
const timeOf = (row: FileRow): number => (row.result ? row.result.times.read + row.result.times.scale + row.result.times.write : 0)

const sizeOf = (row: FileRow): number => row.plan?.info.bytes ?? (row.result && 'info' in row.result ? row.result.info?.bytes : undefined) ?? row.result?.bytesIn ?? 0

/** Bytes the outputs saved against the original (negative when they are larger). */
function savedOf(row: FileRow): number {
  if (row.result?.outcome !== 'done') return Number.NEGATIVE_INFINITY
  return sizeOf(row) - bytesMade(row.result)
}

/** File-manager order, as the scanner uses: IMG_2 before IMG_10, case ignored. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })

const KEYS: Record<Exclude<ListSort, 'found'>, (a: FileRow, b: FileRow) => number> = {
  name: (a, b) => collator.compare(a.file, b.file),
  // Largest first: what took longest, weighed most, saved most is what a person looks for.
  time: (a, b) => timeOf(b) - timeOf(a),
  size: (a, b) => sizeOf(b) - sizeOf(a),
  saved: (a, b) => savedOf(b) - savedOf(a)
}

/** Row indices to show, in order; null for every row in found order (no copy of 100,000 indices then). */
export function visibleRows(rows: ChunkedList<FileRow>, view: ListView): number[] | null {
  const query = view.query.trim().toLowerCase()
  if (query === '' && view.filter === 'all' && view.sort === 'found') return null
  const indices: number[] = []
  for (let index = 0; index < rows.length; index += 1) {
    const row = itemAt(rows, index)!
    if (matches(row, view.filter) && (query === '' || row.file.toLowerCase().includes(query))) indices.push(index)
  }
  if (view.sort !== 'found') {
    const compare = KEYS[view.sort]
    indices.sort((a, b) => compare(itemAt(rows, a)!, itemAt(rows, b)!) || a - b)
  }
  return indices
}
