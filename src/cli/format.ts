import type { Dimensions, FileResult } from '../shared/batch'

export const dims = (d: Dimensions | undefined): string => (d ? `${d.width}×${d.height}` : '?')

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit += 1
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

/** `scaled a.jpg 6000×4000 → 400×267`: one line a file, for logs and pipes. */
export function resultLine(result: FileResult): string {
  switch (result.action) {
    case 'scaled':
      return `scaled ${result.file} ${dims(result.input)} → ${dims(result.output)}${result.message ? ` (${result.message})` : ''}`
    case 'copied':
      return `copied ${result.file} ${dims(result.input)}`
    case 'canceled':
      return `canceled ${result.file}`
    case 'skipped':
    case 'failed':
      return `${result.action} ${result.file}: ${result.message ?? result.reason ?? 'unknown reason'}`
  }
}
