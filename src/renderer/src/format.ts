import type { Dimensions, FileResult, OutputResult } from '../../shared/batch'
import { formatDuration } from '../../shared/format'
import { rowState, type FileRow } from './state/batch'

// The interface is written in English, so its numbers are too: `12,345`, whatever the OS locale.
const counts = new Intl.NumberFormat('en-US')

export const formatCount = (value: number): string => counts.format(value)

export const formatRate = (perSecond: number): string => `${perSecond.toFixed(perSecond < 10 ? 1 : 0)} images/s`

/** Per-file times are mostly well under a second: `231 ms`, then `1.4s`. */
export const formatFileTime = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms))

export const formatDimensions = (d: Dimensions | undefined): string => (d ? `${d.width}×${d.height}` : '?')

/** The word for a row's state: `on worker 3`, `scaled`, `skipped`. */
export function rowStatus(row: FileRow): string {
  const state = rowState(row)
  if (state === 'running') return row.worker === null ? 'running' : `on worker ${row.worker}`
  return state
}

function outputDetail(result: Extract<FileResult, { outcome: 'done' }>, output: OutputResult): string {
  const renamed = output.renamed ? ` as ${output.path} (${output.renamed.from} was ${output.renamed.because === 'batch' ? 'taken by another file' : 'already there'})` : ''
  switch (output.outcome) {
    case 'copied':
      return `${formatDimensions(output.size)}${renamed}`
    case 'scaled':
      return `${formatDimensions(result.info?.shown)} → ${formatDimensions(output.size)}${renamed}${output.warning ? ` (${output.warning})` : ''}`
    case 'skipped':
    case 'failed':
    case 'canceled':
      return `${output.message}${renamed}`
  }
}

/** What happened to the file, in a sentence a photographer can act on. */
export function rowDetail(row: FileRow): string {
  const { result } = row
  if (!result) return ''
  if (result.outcome !== 'done') return result.message
  return result.outputs.map((output) => outputDetail(result, output)).join('; ')
}

/** Total time a worker spent on the file; null until it is done or when it never ran. */
export function rowTime(row: FileRow): number | null {
  const times = row.result?.times
  if (!times || row.worker === null) return null
  const total = times.read + times.scale + times.write
  // A file its pool host never answered for (stopped, crashed) has no times to show.
  return total > 0 ? total : null
}

/**
 * What a failed request says, for people. Electron wraps an error thrown in main as
 * "Error invoking remote method 'batch:start': IpcRequestError: …": the wrapper is ours to remove.
 */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, '')
}
