import type { Dimensions, FailReason, SkipReason } from '../../shared/batch'
import { formatDuration } from '../../shared/format'
import { FAIL_LABELS, SKIP_LABELS } from '../../shared/reasons'
import { rowState, type FileRow } from './state/batch'

// The interface is written in English, so its numbers are too: `12,345`, whatever the OS locale.
const counts = new Intl.NumberFormat('en-US')

export const formatCount = (value: number): string => counts.format(value)

export const formatRate = (perSecond: number): string => `${perSecond.toFixed(perSecond < 10 ? 1 : 0)} images/s`

/** Per-file times are mostly well under a second: `231 ms`, then `1.4s`. */
export const formatFileTime = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms))

export const formatDimensions = (d: Dimensions | undefined): string => (d ? `${d.width}×${d.height}` : '?')

export function reasonLabel(reason: SkipReason | FailReason | undefined): string | null {
  if (reason === undefined) return null
  return (SKIP_LABELS as Record<string, string>)[reason] ?? (FAIL_LABELS as Record<string, string>)[reason] ?? null
}

/** The word for a row's state: `on worker 3`, `scaled`, `skipped`. */
export function rowStatus(row: FileRow): string {
  const state = rowState(row)
  if (state === 'running') return row.worker === null ? 'running' : `on worker ${row.worker}`
  return state
}

/** What happened to the file, in a sentence a photographer can act on. */
export function rowDetail(row: FileRow): string {
  const { result } = row
  if (!result) return ''
  switch (result.action) {
    case 'copied':
      return withNote(formatDimensions(result.input), result.message)
    case 'scaled':
      return withNote(`${formatDimensions(result.input)} → ${formatDimensions(result.output)}`, result.message)
    case 'skipped':
    case 'failed':
      return result.message ?? reasonLabel(result.reason) ?? 'no reason given'
    case 'canceled':
      return result.message ?? 'not started'
  }
}

const withNote = (text: string, note: string | undefined): string => (note ? `${text} (${note})` : text)

/** Total time a worker spent on the file; null until it is done or when it never ran. */
export function rowTime(row: FileRow): number | null {
  const times = row.result?.times
  if (!times || row.worker === null) return null
  return times.read + times.scale + times.write
}
