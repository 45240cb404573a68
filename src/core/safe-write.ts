import { randomBytes } from 'node:crypto'
import { link, lstat, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { SourceStamp } from '../shared/batch'
import { ScaleError, errnoOf, messageOf } from './errors'
import { fsPath, nameFromBytes } from './paths'
import { identityOf } from './scan'

/**
 * Outputs are never written where they end up. They go to a fresh hidden file beside the
 * target, created exclusively so no link planted there can be followed into a source, and are
 * moved into place only once complete, so no cancel, crash or full disk leaves half an image.
 * Just before the move, the folder is checked to be the very folder that was prepared for it:
 * a folder swapped for a link into the source during the run cannot receive anything.
 */

export const TEMP_MARK = '.imagescale-'
export const TEMP_SUFFIX = '.tmp'

/**
 * Characters of the output's name kept in its temp name: with the ~37 added, a name that
 * fits the 255-byte limit must still fit as a temp (50 characters are at most 200 bytes).
 */
const TEMP_STEM_CHARS = 50

/** `.<name>.imagescale-<pid>-<random>.tmp`: hidden (so scans skip it) and traceable to its writer. */
export function tempPathFor(targetPath: string): string {
  const id = `${process.pid}-${randomBytes(6).toString('hex')}`
  const stem = [...basename(targetPath)].slice(0, TEMP_STEM_CHARS).join('')
  return join(dirname(targetPath), `.${stem}${TEMP_MARK}${id}${TEMP_SUFFIX}`)
}

const TEMP_NAME = /\.imagescale-(\d+)-[0-9a-f]{12}\.tmp$/

/** The pid of the process that wrote a temp file, or null when the name is not ours. */
export function tempOwner(fileName: string): number | null {
  const match = TEMP_NAME.exec(fileName)
  return match ? Number(match[1]) : null
}

/** Removes the temp files in a folder whose writer `isGone` (crashed, killed, or not running). */
export async function sweepTemps(folder: string, isGone: (pid: number) => boolean): Promise<void> {
  const names = await readdir(fsPath(folder), { encoding: 'buffer' }).catch(() => [])
  for (const raw of names) {
    const name = nameFromBytes(raw)
    const owner = tempOwner(name)
    if (owner !== null && isGone(owner)) await unlink(fsPath(join(folder, name))).catch(() => undefined)
  }
}

/** What may be at the output path when it is published. */
export type Replace =
  /** Nothing: an output that appeared meanwhile is kept, and this one is not written. */
  | { kind: 'never' }
  /** Our own stale output, recognised by its size and time; anything else there is kept. */
  | { kind: 'stale'; stamp: SourceStamp }
  /** Whatever is there (the overwrite policy, never inside the source tree). */
  | { kind: 'any' }

export interface Publish {
  path: string
  data: Uint8Array
  /** `dev:ino` of the folder prepared for this output. */
  folderId: string
  replace: Replace
  /** True once the batch is abandoned: nothing more may appear under a final name. */
  abandoned: () => boolean
  /** The modification time to give the output (the source's, with --keep-dates), in nanoseconds. */
  mtimeNs?: string
}

export type Published = 'written' | 'exists' | 'abandoned'

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP', 'EXDEV'])

export const stampOf = (stats: { size: bigint | number; mtimeNs: bigint }): SourceStamp => ({
  size: Number(stats.size),
  mtimeNs: stats.mtimeNs.toString()
})

/** link() refuses to replace anything, so an output that appeared meanwhile is never clobbered. */
async function linkIntoPlace(tempPath: string, path: string): Promise<Published> {
  try {
    await link(fsPath(tempPath), fsPath(path))
    await unlink(fsPath(tempPath)).catch(() => undefined)
    return 'written'
  } catch (error) {
    const code = errnoOf(error)
    if (code === 'EEXIST') return 'exists'
    if (!NO_HARD_LINKS.has(code ?? '')) throw error
    // File systems without hard links (FAT, exFAT, some shares): check, then rename.
    if (await lstat(fsPath(path)).catch(() => null)) return 'exists'
    await rename(fsPath(tempPath), fsPath(path))
    return 'written'
  }
}

async function moveIntoPlace(tempPath: string, { path, replace }: Publish): Promise<Published> {
  switch (replace.kind) {
    case 'never':
      return linkIntoPlace(tempPath, path)
    case 'stale': {
      const there = await lstat(fsPath(path), { bigint: true }).catch(() => null)
      if (!there) return linkIntoPlace(tempPath, path)
      const stamp = stampOf(there)
      if (!there.isFile() || stamp.size !== replace.stamp.size || stamp.mtimeNs !== replace.stamp.mtimeNs) return 'exists'
      await rename(fsPath(tempPath), fsPath(path))
      return 'written'
    }
    case 'any':
      // rename() replaces the name itself: a symlink or hard link sitting there is not followed.
      await rename(fsPath(tempPath), fsPath(path))
      return 'written'
  }
}

/** The folder must still be the one prepared: checked before the temp file is made, and before the move. */
async function checkFolder(folder: string, folderId: string): Promise<void> {
  const parent = await stat(fsPath(folder))
  if (identityOf(parent) !== folderId) {
    throw new ScaleError('target-changed', `the folder ${folder} was replaced while the batch ran (it may now lead into the source); nothing was written there`)
  }
}

/** Writes through Node's fs, not libvips, so a full disk is a clean ENOSPC, not a vague error. */
export async function writeOutput(publish: Publish): Promise<Published> {
  const folder = dirname(publish.path)
  await checkFolder(folder, publish.folderId)
  const tempPath = tempPathFor(publish.path)
  try {
    const handle = await open(fsPath(tempPath), 'wx')
    try {
      await handle.writeFile(publish.data)
      if (publish.mtimeNs !== undefined) {
        // utimes takes seconds as a float: microseconds survive, which is all most tools show.
        const mtime = Number(BigInt(publish.mtimeNs) / 1000n) / 1e6
        await handle.utimes(mtime, mtime)
      }
      await handle.datasync()
    } finally {
      await handle.close()
    }
    if (publish.abandoned()) {
      await unlink(fsPath(tempPath))
      return 'abandoned'
    }
    await checkFolder(folder, publish.folderId)
    const published = await moveIntoPlace(tempPath, publish)
    if (published !== 'written') await unlink(fsPath(tempPath)).catch(() => undefined)
    return published
  } catch (error) {
    await unlink(fsPath(tempPath)).catch(() => undefined)
    throw error
  }
}

/**
 * A small file of ours (a preset, a trace) written whole or not at all: a temporary file beside
 * it, flushed, then renamed over, so a crash mid-save never leaves half of one.
 */
export async function writeWhole(path: string, text: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const temp = tempPathFor(path)
  try {
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw new ScaleError('target-not-writable', `cannot save ${path}: ${messageOf(error)}`)
  }
}
