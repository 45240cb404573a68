/**
 * File names come from untrusted folders: a name can hold a newline (to forge a log line), a
 * terminal escape (to retitle or clear the screen), a bidi override (to show a name reversed)
 * or bytes that are not text at all. Every name a front end shows goes through here.
 */

// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, line/paragraph separators,
// and lone surrogates (the undecodable bytes of a name; see src/core/paths.ts).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu

function escapeChar(char: string): string {
  const code = char.charCodeAt(0)
  // A byte that was not UTF-8 is shown as the byte it was.
  if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code - 0xdc00).toString(16).padStart(2, '0')}`
  if (code < 0x20 || code === 0x7f) {
    const named: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' }
    return named[code] ?? `\\x${code.toString(16).padStart(2, '0')}`
  }
  return `\\u{${code.toString(16)}}`
}

/** A name as it can be printed safely: every control or undecodable byte visible as an escape. */
export const displayName = (name: string): string => name.replace(UNSAFE, escapeChar)
