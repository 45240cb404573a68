import { randomBytes } from 'node:crypto'
import { lstat, open, readdir, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fsPath, nameFromBytes } from './paths'

/**
 * What each output is called, decided in the plan, before anything is written: the name
 * template filled in, then made unique within the batch on the target's own terms (FAT, exFAT,
 * macOS and Windows ignore case; macOS also Unicode composition), deterministically in scan
 * order, so `a.jpg` and `a.JPG` become `a.jpg` and `a (1).JPG`, never one file.
 */

/** `name (1).ext`: the n-th alternative to a taken name, in the same folder. */
export function numbered(path: string, n: number): string {
  const slash = path.lastIndexOf('/')
  const base = path.slice(slash + 1)
  const dot = base.lastIndexOf('.')
  const stem = dot > 0 ? base.slice(0, dot) : base
  const ext = dot > 0 ? base.slice(dot) : ''
  return `${path.slice(0, slash + 1)}${stem} (${n})${ext}`
}

/** How the target's file system compares names. */
export interface NameRules {
  ignoresCase: boolean
  /** Treats composed and decomposed Unicode (é, e + ◌́) as one name. */
  ignoresComposition: boolean
}

/** The key under which two names are one file on the target. */
export function nameKey(rules: NameRules, path: string): string {
  const composed = rules.ignoresComposition ? path.normalize('NFC') : path
  return rules.ignoresCase ? composed.toUpperCase().toLowerCase() : composed
}

/**
 * Whether a name that is not in the folder's listing still opens something: then the folder
 * folds spellings. Identity (dev:ino) cannot tell, as FUSE file systems such as exFAT give the
 * same file a new inode number for each spelling it is looked up by.
 */
async function opensUnder(folder: string, other: string, listed: ReadonlySet<string>): Promise<boolean> {
  if (listed.has(other)) return false
  return (await lstat(fsPath(join(folder, other))).catch(() => null)) !== null
}

/** Writes a probe file and looks it up under another spelling: the only sure test. */
async function probeByWriting(folder: string, name: string, other: string): Promise<boolean> {
  const path = join(folder, name)
  const handle = await open(fsPath(path), 'wx')
  await handle.close()
  try {
    // The probe's name is random: another spelling of it can only be the probe itself.
    return await opensUnder(folder, other, new Set([name]))
  } finally {
    await unlink(fsPath(path)).catch(() => undefined)
  }
}

/**
 * A dry run may write nothing, so it looks for a name that already exists in the target (or
 * the folder holding it) and asks for it in the other case; with none, the platform's default.
 */
async function probeByReading(folder: string): Promise<boolean | null> {
  for (let at = folder; ; at = dirname(at)) {
    const names = await readdir(fsPath(at), { encoding: 'buffer' }).catch(() => null)
    const listed = new Set((names ?? []).map(nameFromBytes))
    for (const name of listed) {
      const swapped = [...name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('')
      if (swapped !== name && !listed.has(swapped)) return opensUnder(at, swapped, listed)
    }
    if (names !== null || dirname(at) === at) return null
  }
}

export async function probeNameRules(folder: string, mayWrite: boolean): Promise<NameRules> {
  if (!mayWrite) {
    const ignoresCase = (await probeByReading(folder)) ?? (process.platform === 'darwin' || process.platform === 'win32')
    return { ignoresCase, ignoresComposition: process.platform === 'darwin' }
  }
  const id = randomBytes(6).toString('hex')
  return {
    ignoresCase: await probeByWriting(folder, `.imagescale-case-${id}`, `.IMAGESCALE-CASE-${id.toUpperCase()}`),
    // Some file systems refuse names that are not in their own normal form: that is "not ignored".
    ignoresComposition: await probeByWriting(folder, `.imagescale-nfc-${id}-\u00e9`, `.imagescale-nfc-${id}-e\u0301`).catch(() => false)
  }
}

/** The names this batch has given out so far, compared as the target compares them. */
export class NameClaims {
  private readonly taken = new Set<string>()

  constructor(private readonly rules: NameRules) {}

  isTaken(path: string): boolean {
    return this.taken.has(nameKey(this.rules, path))
  }

  claim(path: string): void {
    this.taken.add(nameKey(this.rules, path))
  }
}
