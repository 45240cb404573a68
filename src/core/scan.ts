import { opendir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Stats } from 'node:fs'

/**
 * Walks the source lazily: entries are yielded as directories are read, so a folder of
 * 100,000 photos never becomes a 100,000-item list. Symlinked folders are followed once
 * (a loop ends where it meets a folder already seen); the target folder is never entered.
 */

export interface ScanEntry {
  /** Absolute path of the file. */
  path: string
  /** Path below the source, '/'-separated, as shown to people and mirrored in the target. */
  relative: string
  /** Set when a folder could not be listed: it is reported, and the walk goes on. */
  unreadable?: string
}

export interface ScanOptions {
  recursive: boolean
  /** `dev:ino` identities of folders that must not be walked (the target, when inside the source). */
  excludeFolders?: ReadonlySet<string>
}

/** System clutter that is never a photo; hidden files include .DS_Store and our own temp files. */
const IGNORED = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db'])

export const isIgnoredName = (name: string): boolean => name.startsWith('.') || IGNORED.has(name.toLowerCase())

export const folderIdentity = (stats: Stats): string => `${stats.dev}:${stats.ino}`

export async function* scan(root: string, options: ScanOptions): AsyncGenerator<ScanEntry> {
  const seen = new Set<string>([folderIdentity(await stat(root))])
  yield* walk(root, '', options, seen)
}

async function* walk(
  folder: string,
  prefix: string,
  options: ScanOptions,
  seen: Set<string>
): AsyncGenerator<ScanEntry> {
  let dir: Awaited<ReturnType<typeof opendir>>
  try {
    dir = await opendir(folder)
  } catch (error) {
    yield { path: folder, relative: prefix || '.', unreadable: error instanceof Error ? error.message : String(error) }
    return
  }
  for await (const dirent of dir) {
    if (isIgnoredName(dirent.name)) continue
    const path = join(folder, dirent.name)
    const relative = prefix + dirent.name
    let isFolder = dirent.isDirectory()
    if (dirent.isSymbolicLink()) {
      // A dangling link is still the user's file: it is reported as unreadable, not hidden.
      const target = await stat(path).catch(() => null)
      isFolder = target?.isDirectory() ?? false
    }
    if (!isFolder) {
      if (dirent.isFile() || dirent.isSymbolicLink()) yield { path, relative }
      continue
    }
    if (!options.recursive) continue
    const id = folderIdentity(await stat(path))
    if (seen.has(id) || options.excludeFolders?.has(id)) continue
    seen.add(id)
    yield* walk(path, `${relative}/`, options, seen)
  }
}
