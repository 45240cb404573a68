import { isUtf8 } from 'node:buffer'
import { realpath } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { errnoOf } from './errors'

/**
 * The one place that knows what a path is. On Linux a file name is bytes, not text: decoding
 * `bad\xff.jpg` and `bad\xfe.jpg` as UTF-8 would make both `bad�.jpg` and lose one. Names
 * are carried as strings in which each byte that is not part of valid UTF-8 becomes one lone
 * surrogate U+DC80–U+DCFF ("surrogateescape"), and turned back into the same bytes whenever
 * the file system is asked. Nothing here trims, normalises or otherwise "fixes" a path.
 */

const ESCAPE_BASE = 0xdc00
const LONE_SURROGATE = /\p{Cs}/u

/** Length of the valid UTF-8 sequence starting at `at`, or 0 if the byte there starts none. */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const first = bytes[at]!
  if (first < 0x80) return 1
  const continuation = (offset: number, low = 0x80, high = 0xbf): boolean => {
    const byte = bytes[at + offset]
    return byte !== undefined && byte >= low && byte <= high
  }
  if (first >= 0xc2 && first <= 0xdf) return continuation(1) ? 2 : 0
  if (first >= 0xe0 && first <= 0xef) {
    // E0 must not be overlong; ED must not encode a surrogate.
    const [low, high] = first === 0xe0 ? [0xa0, 0xbf] : first === 0xed ? [0x80, 0x9f] : [0x80, 0xbf]
    return continuation(1, low, high) && continuation(2) ? 3 : 0
  }
  if (first >= 0xf0 && first <= 0xf4) {
    const [low, high] = first === 0xf0 ? [0x90, 0xbf] : first === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf]
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0
  }
  return 0
}

/** A file name's bytes as a string that loses none of them. */
export function nameFromBytes(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8')
  let text = ''
  let at = 0
  while (at < bytes.length) {
    const length = sequenceLength(bytes, at)
    if (length === 0) {
      text += String.fromCharCode(ESCAPE_BASE + bytes[at]!)
      at += 1
    } else {
      text += bytes.toString('utf8', at, at + length)
      at += length
    }
  }
  return text
}

/** The exact bytes nameFromBytes read. */
export function bytesOfName(name: string): Buffer {
  if (!LONE_SURROGATE.test(name)) return Buffer.from(name, 'utf8')
  const parts: Buffer[] = []
  // for…of walks code points: a lone surrogate comes out alone, a pair as one character.
  for (const char of name) {
    const code = char.charCodeAt(0)
    parts.push(char.length === 1 && code >= 0xdc80 && code <= 0xdcff ? Buffer.of(code - ESCAPE_BASE) : Buffer.from(char, 'utf8'))
  }
  return Buffer.concat(parts)
}

/** What to hand to `fs`: the string itself when it is plain text, else its bytes. */
export const fsPath = (path: string): string | Buffer => (LONE_SURROGATE.test(path) ? bytesOfName(path) : path)

/** True when `path` is `folder` or anywhere below it (both absolute and resolved alike). */
export function isWithin(path: string, folder: string): boolean {
  const rel = relative(folder, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** True when `path` is strictly below `folder`. */
export const isInside = (path: string, folder: string): boolean => path !== folder && isWithin(path, folder)


/** The real path of something that may not exist yet: its longest existing ancestor resolved. */
export async function realpathOfMaybeMissing(path: string): Promise<string> {
  try {
    return nameFromBytes(await realpath(fsPath(path), { encoding: 'buffer' }))
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error
    const parent = resolve(path, '..')
    if (parent === path) throw error
    return resolve(await realpathOfMaybeMissing(parent), relative(parent, path))
  }
}

/**
 * Where ImageScale keeps the user's own settings (presets): IMAGESCALE_CONFIG_DIR, else the
 * platform's config folder. The desktop app and the CLI share it.
 */
export function configFolder(): string {
  const env = process.env
  if (env.IMAGESCALE_CONFIG_DIR) return env.IMAGESCALE_CONFIG_DIR
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'ImageScale')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'ImageScale')
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'imagescale')
}
