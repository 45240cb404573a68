/**
 * A whole number typed by a person, read strictly: digits only, no signs, spaces, fractions or
 * exponents (`1e3`, ` 12`, `0x10` are not numbers here). Null when it is not one.
 */
export function parseWholeNumber(text: string): number | null {
  if (!/^\d{1,16}$/.test(text)) return null
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : null
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9 }

/** `300k`, `1.5MB`, `250000`: a byte size as people write it, in decimal units like formatBytes. */
export function parseByteSize(text: string): number | null {
  const match = /^(\d{1,12}(?:\.\d{1,3})?)\s?([a-zA-Z]{0,2})$/.exec(text)
  const unit = BYTE_UNITS[(match?.[2] ?? '').toLowerCase()]
  if (!match || unit === undefined) return null
  return Math.round(Number(match[1]) * unit)
}
