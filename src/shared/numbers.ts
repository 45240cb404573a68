/**
 * A whole number typed by a person, read strictly: digits only, no signs, spaces, fractions or
 * exponents (`1e3`, ` 12`, `0x10` are not numbers here). Null when it is not one.
 */
export function parseWholeNumber(text: string): number | null {
  if (!/^\d{1,15}$/.test(text)) return null
  return Number(text)
}
