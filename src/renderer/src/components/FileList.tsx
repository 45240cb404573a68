import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useId, useMemo, useRef, useState } from 'react'
import { formatCount } from '../format'
import { useRem } from '../hooks/useRem'
import { isProblem, type FileRow } from '../state/batch'
import { itemAt, type ChunkedList } from '../state/rows'
import { FileListRow } from './FileListRow'

interface Props {
  rows: ChunkedList<FileRow>
  problemsOnly: boolean
  /** Keep the newest rows in view while the user has not scrolled away from them. */
  follow: boolean
  queued: number
  scanning: boolean
  /** Files canceled before they started: counted in the summary, never listed one by one. */
  notStarted: number
  /** Set once outputs can be shown; null hides the per-row button. */
  onShowOutput: ((file: string) => void) | null
}

function emptyText(problemsOnly: boolean, notStarted: number): string {
  if (!problemsOnly) return 'No files yet.'
  if (notStarted > 0) return `No file went wrong, but ${formatCount(notStarted)} ${notStarted === 1 ? 'was' : 'were'} canceled before ${notStarted === 1 ? 'it' : 'they'} started.`
  return 'No problems: every file was copied or scaled.'
}

/** Every file of the batch, virtualized: only the rows in view are in the page, whatever the count. */
export function FileList({ rows, problemsOnly, follow, queued, scanning, notStarted, onShowOutput }: Props) {
  const id = useId()
  const scrollRef = useRef<HTMLDivElement>(null)
  const atEnd = useRef(true)
  const rowHeight = useRem(3.5)
  const [viewport, setViewport] = useState(0)
  // Blank space under the last row, so a list scrolled to its end starts with a whole row, not half of one.
  const endGap = viewport % rowHeight

  const visible = useMemo(() => {
    if (!problemsOnly) return null
    const indices: number[] = []
    for (let index = 0; index < rows.length; index += 1) if (isProblem(itemAt(rows, index)!)) indices.push(index)
    return indices
  }, [rows, problemsOnly])
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
  }, [problemsOnly, virtualizer])

  const onScroll = (): void => {
    const element = scrollRef.current
    if (element) atEnd.current = element.scrollHeight - element.scrollTop - element.clientHeight < rowHeight * 1.5
  }

  // One landmark only: the scrolling region itself, named by the heading, reachable with Tab and scrolled with the arrow keys.
  return (
    <div className="files">
      <div className="files-head">
        <h2 id={`${id}-title`}>{problemsOnly ? 'Problems' : 'Files'}</h2>
        <p className="hint" id={`${id}-count`}>
          {problemsOnly ? `${formatCount(count)} of ${formatCount(rows.length)} files` : `${formatCount(rows.length)} ${rows.length === 1 ? 'file' : 'files'}`}
          {queued > 0 && `, ${formatCount(queued)} queued${scanning ? ' (still looking)' : ''}`}
          {notStarted > 0 && `, and ${formatCount(notStarted)} canceled before they started (not listed)`}
        </p>
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
          <p className="empty">{emptyText(problemsOnly, notStarted)}</p>
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
