import { useVirtualizer } from '@tanstack/react-virtual'
import { formatCount, plural } from '../../../shared/format'
import { useEffect, useId, useMemo, useRef, useState } from 'react'
import { useRem } from '../hooks/useRem'
import type { FileRow } from '../state/batch'
import { LIST_FILTERS, LIST_SORTS, visibleRows, type ListFilter, type ListSort, type ListView } from '../state/list-view'
import { itemAt, type ChunkedList } from '../state/rows'
import { FileListRow } from './FileListRow'
import { Choice } from './Choice'

const FILTER_LABELS: Record<ListFilter, string> = {
  all: 'All files',
  problems: 'Problems',
  planned: 'Planned',
  collisions: 'Renamed or replacing',
  copied: 'Copied',
  scaled: 'Scaled',
  skipped: 'Skipped',
  failed: 'Failed',
  canceled: 'Canceled',
  warnings: 'Damaged pictures (warnings)'
}

const SORT_LABELS: Record<ListSort, string> = {
  found: 'Order found',
  name: 'Name',
  time: 'Time taken',
  size: 'Original size',
  saved: 'Bytes saved'
}

interface Props {
  rows: ChunkedList<FileRow>
  view: ListView
  onView: (view: ListView) => void
  /** Search, filter and sort are offered (once the batch is over; while it runs the list follows the work). */
  controls: boolean
  /** Keep the newest rows in view while the user has not scrolled away from them. */
  follow: boolean
  queued: number
  scanning: boolean
  /** Files canceled before they started: counted in the summary, never listed one by one. */
  notStarted: number
  /** Set once outputs can be shown; null hides the per-row button. */
  onShowOutput: ((file: string) => void) | null
}

function emptyText(view: ListView, total: number, notStarted: number): string {
  if (total === 0) return 'No files yet.'
  if (view.query.trim() !== '') return `No file named like "${view.query.trim()}" here.`
  const unlisted = notStarted > 0 ? ` ${plural(notStarted, 'file was', 'files were')} canceled before starting (counted in the summary, not listed).` : ''
  if (view.filter === 'problems') return notStarted > 0 ? `No listed file went wrong.${unlisted}` : 'No problems: every file was made as asked.'
  if (view.filter === 'canceled' && notStarted > 0) return `None of the listed files.${unlisted}`
  return `No ${FILTER_LABELS[view.filter].toLowerCase()} here.`
}

/** Every file of the batch, virtualized: only the rows in view are in the page, whatever the count. */
export function FileList({ rows, view, onView, controls, follow, queued, scanning, notStarted, onShowOutput }: Props) {
  const id = useId()
  const scrollRef = useRef<HTMLDivElement>(null)
  const atEnd = useRef(true)
  // One line of a row in a wide window (see .file-row): narrow windows wrap rows onto two, and they are measured.
  const rowHeight = useRem(2.25)
  const [viewport, setViewport] = useState(0)
  // Blank space under the last row, so a list scrolled to its end starts with a whole row, not half of one.
  const endGap = viewport % rowHeight

  const shown = controls ? view : null
  const visible = useMemo(() => (shown ? visibleRows(rows, shown) : null), [rows, shown])
  const count = visible ? visible.length : rows.length

  // The virtualizer's methods are not memoizable, so React Compiler leaves this component alone.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    // Rows grow when a reason wraps onto more lines; keyed by file, so a filtered list keeps their sizes.
    getItemKey: (index) => (visible ? (visible[index] ?? index) : index),
    // Never below the CSS min-height (what a row without layout, as in jsdom, would otherwise report).
    measureElement: (element) => Math.max(rowHeight, (element as HTMLElement).offsetHeight),
    paddingEnd: endGap,
    // Scrolling to the last row takes the gap too: the scroll ends on a row boundary.
    scrollPaddingEnd: endGap,
    overscan: 10
  })

  useEffect(() => {
    const element = scrollRef.current
    if (!element || typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(() => setViewport(element.clientHeight))
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  useEffect(() => {
    if (follow && atEnd.current && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' })
  }, [follow, count, endGap, virtualizer])

  useEffect(() => {
    virtualizer.scrollToOffset(0)
  }, [view, virtualizer])

  const onScroll = (): void => {
    const element = scrollRef.current
    if (element) atEnd.current = element.scrollHeight - element.scrollTop - element.clientHeight < rowHeight * 1.5
  }

  // One landmark only: the scrolling region itself, named by the heading, reachable with Tab and scrolled with the arrow keys.
  return (
    <div className="files">
      <div className="files-head">
        <h2 id={`${id}-title`}>{visible && view.filter !== 'all' ? FILTER_LABELS[view.filter] : 'Files'}</h2>
        <p className="hint" id={`${id}-count`}>
          {visible ? `${formatCount(count)} of ${plural(rows.length, 'file')}` : plural(rows.length, 'file')}
          {queued > 0 && `, ${formatCount(queued)} queued${scanning ? ' (still looking)' : ''}`}
          {notStarted > 0 && `, and ${formatCount(notStarted)} canceled before they started (not listed)`}
        </p>
        {controls && (
          <div className="list-controls">
            <label htmlFor={`${id}-search`} className="visually-hidden">
              Search by name
            </label>
            <input id={`${id}-search`} type="search" placeholder="Search by name" value={view.query} onChange={(event) => onView({ ...view, query: event.target.value })} />
            <label htmlFor={`${id}-filter`} className="visually-hidden">
              Show
            </label>
            <Choice id={`${id}-filter`} value={view.filter} choices={LIST_FILTERS} label={(filter) => FILTER_LABELS[filter]} onChange={(filter) => onView({ ...view, filter })} />
            <label htmlFor={`${id}-sort`}>Sort</label>
            <Choice id={`${id}-sort`} value={view.sort} choices={LIST_SORTS} label={(sort) => SORT_LABELS[sort]} onChange={(sort) => onView({ ...view, sort })} />
          </div>
        )}
      </div>
      <div
        ref={scrollRef}
        className="file-scroll"
        tabIndex={0}
        onScroll={onScroll}
        role="region"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-count`}
      >
        {count === 0 ? (
          <p className="empty">{emptyText(shown ?? view, rows.length, notStarted)}</p>
        ) : (
          <div role="list" className="file-canvas" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const index = visible ? (visible[item.index] ?? 0) : item.index
              const row = itemAt(rows, index)
              if (!row) return null
              return (
                <FileListRow
                  key={item.key}
                  row={row}
                  index={item.index}
                  measure={virtualizer.measureElement}
                  top={item.start}
                  position={item.index + 1}
                  of={count}
                  onShowOutput={onShowOutput}
                />
              )
            })}
          </div>
        )}
      </div>
    </div>
  )
}
