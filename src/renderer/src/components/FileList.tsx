import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useId, useMemo, useRef } from 'react'
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
  /** Set once outputs can be shown; null hides the per-row button. */
  onShowOutput: ((file: string) => void) | null
}

/** Every file of the batch, virtualized: only the rows in view are in the page, whatever the count. */
export function FileList({ rows, problemsOnly, follow, queued, scanning, onShowOutput }: Props) {
  const id = useId()
  const scrollRef = useRef<HTMLDivElement>(null)
  const atEnd = useRef(true)
  const rowHeight = useRem(3.5)

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
    overscan: 10
  })

  useEffect(() => {
    if (follow && atEnd.current && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' })
  }, [follow, count, virtualizer])

  useEffect(() => {
    virtualizer.scrollToOffset(0)
  }, [problemsOnly, virtualizer])

  const onScroll = (): void => {
    const element = scrollRef.current
    if (element) atEnd.current = element.scrollHeight - element.scrollTop - element.clientHeight < rowHeight * 1.5
  }

  return (
    <section className="files" aria-labelledby={`${id}-title`}>
      <div className="files-head">
        <h2 id={`${id}-title`}>{problemsOnly ? 'Problems' : 'Files'}</h2>
        <p className="hint">
          {problemsOnly ? `${formatCount(count)} of ${formatCount(rows.length)} files` : `${formatCount(rows.length)} ${rows.length === 1 ? 'file' : 'files'}`}
          {queued > 0 && `, ${formatCount(queued)} queued${scanning ? ' (still looking)' : ''}`}
        </p>
      </div>
      <div ref={scrollRef} className="file-scroll" tabIndex={0} onScroll={onScroll} role="region" aria-labelledby={`${id}-title`}>
        {count === 0 ? (
          <p className="empty">{problemsOnly ? 'No problems: every file was copied or scaled.' : 'No files yet.'}</p>
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
                  top={item.start}
                  height={rowHeight}
                  position={item.index + 1}
                  of={count}
                  onShowOutput={onShowOutput}
                />
              )
            })}
          </div>
        )}
      </div>
    </section>
  )
}
