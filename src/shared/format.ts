/**
 * Human-readable sizes and durations for every front end (terminal and window alike),
 * so the CLI and the app describe the same batch in the same words.
 */

/** Decimal units, like file managers: `1.2 MB`. */
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

/** `4.2s`, `12s`, `3m07s`, `1h05m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

// The interface is written in English, so its numbers are too: `12,345`, whatever the OS locale.
const counts = new Intl.NumberFormat('en-US')

export const formatCount = (value: number): string => counts.format(value)

/** Counts in words: `1 file`, `2 files`, `1,875 files`. One plural rule for every front end. */
export const plural = (count: number, one: string, many = `${one}s`): string => `${formatCount(count)} ${count === 1 ? one : many}`
