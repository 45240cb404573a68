import { memo, useId } from 'react'
import { displayName } from '../../../shared/display'
import { formatFileTime, isCollision, rowDetail, rowStatus, rowTime } from '../format'
import { rowState, type FileRow, type RowState } from '../state/batch'

const ICONS: Record<RowState, string> = {
  running: '◌',
  planned: '→',
  copied: '✓',
  scaled: '✓',
  skipped: '–',
  failed: '✕',
  canceled: '⊘'
}

interface Props {
  row: FileRow
  /** Index in the virtualized list, for the virtualizer to measure the row. */
  index: number
  measure: (element: HTMLElement | null) => void
  /** Offset in the list, in pixels. */
  top: number
  position: number
  of: number
  onShowOutput: ((file: string) => void) | null
}

/**
 * One file: its path, what became of it, and its time. Long paths and reasons wrap onto more
 * lines (the row grows, and is measured), so the tooltips only repeat what the row shows.
 * Rows re-render only when their file changes.
 */
export const FileListRow = memo(function FileListRow({ row, index, measure, top, position, of, onShowOutput }: Props) {
  const id = useId()
  const state = rowState(row)
  const time = rowTime(row)
  const detail = rowDetail(row)
  // The first output made: with renames and sub-folders it need not have the source's name.
  const made = row.result?.outcome === 'done' ? row.result.outputs.find((output) => output.outcome === 'copied' || output.outcome === 'scaled') : undefined
  const showable = onShowOutput !== null && made !== undefined
  return (
    <div
      role="listitem"
      aria-posinset={position}
      aria-setsize={of}
      data-testid="file-row"
      data-state={state}
      className={`file-row state-${state}${isCollision(row) ? ' collision' : ''}`}
      data-index={index}
      ref={measure}
      // A CSSOM property, not a style attribute: allowed by the CSP's style-src 'self'.
      style={{ transform: `translateY(${top}px)` }}
    >
      <span className="file-icon" aria-hidden="true">
        {ICONS[state]}
      </span>
      <span className="file-path" id={`${id}-path`} title={displayName(row.file)}>
        {displayName(row.file)}
      </span>
      <span className="file-time">{time === null ? '' : formatFileTime(time)}</span>
      <span className="file-status" title={detail || undefined}>
        <strong>{rowStatus(row)}</strong>
        {detail && <span className="file-detail"> {detail}</span>}
      </span>
      {showable && (
        <button type="button" className="link file-show" aria-describedby={`${id}-path`} onClick={() => onShowOutput(made.path)}>
          Show in folder
        </button>
      )}
    </div>
  )
})
