import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, link, lstat, open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { errnoOf } from './errors'

/**
 * Outputs are never written where they end up. They go to a fresh hidden file beside the
 * target, created exclusively so no link planted there can be followed into a source, and
 * are moved into place only once complete, so no cancel, crash or full disk leaves half an image.
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

/** The pid of the process that wrote a temp file, or null when the name is not ours. */
export function tempOwner(fileName: string): number | null {
  const match = /\.imagescale-(\d+)-[0-9a-f]{12}\.tmp$/.exec(fileName)
  return match ? Number(match[1]) : null
}

export class TargetExistsError extends Error {
  constructor(readonly targetPath: string) {
    super('the output already exists')
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP', 'EXDEV'])

export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false
    throw error
  }
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined)
}

/**
 * Publishes a complete temp file under its final name. `keepExisting` uses link(), which
 * fails rather than replaces, so an output that appeared meanwhile is never clobbered.
 * rename() replaces the name itself: a symlink or hard link sitting there is not followed.
 */
async function publish(tempPath: string, targetPath: string, keepExisting: boolean): Promise<void> {
  if (!keepExisting) {
    await rename(tempPath, targetPath)
    return
  }
  try {
    await link(tempPath, targetPath)
    await removeQuietly(tempPath)
  } catch (error) {
    const code = errnoOf(error)
    if (code === 'EEXIST') throw new TargetExistsError(targetPath)
    if (!NO_HARD_LINKS.has(code ?? '')) throw error
    // Filesystems without hard links (FAT, some shares): check, then rename.
    if (await exists(targetPath)) throw new TargetExistsError(targetPath)
    await rename(tempPath, targetPath)
  }
}

async function commit(
  targetPath: string,
  keepExisting: boolean,
  fill: (tempPath: string) => Promise<void>
): Promise<void> {
  const tempPath = tempPathFor(targetPath)
  try {
    await fill(tempPath)
    await publish(tempPath, targetPath, keepExisting)
  } catch (error) {
    await removeQuietly(tempPath)
    throw error
  }
}

/** Writes through Node's fs, not libvips, so a full disk is a clean ENOSPC, not a vague error. */
export function writeOutput(targetPath: string, data: Uint8Array, keepExisting: boolean): Promise<void> {
  return commit(targetPath, keepExisting, async (tempPath) => {
    const handle = await open(tempPath, 'wx')
    try {
      await handle.writeFile(data)
      await handle.datasync()
    } finally {
      await handle.close()
    }
  })
}

/** A byte-for-byte copy (COPYFILE_EXCL: the temp name must not exist yet). */
export function copyOutput(sourcePath: string, targetPath: string, keepExisting: boolean): Promise<void> {
  return commit(targetPath, keepExisting, async (tempPath) => {
    await copyFile(sourcePath, tempPath, constants.COPYFILE_EXCL)
    const handle = await open(tempPath, 'r+')
    try {
      await handle.datasync()
    } finally {
      await handle.close()
    }
  })
}
