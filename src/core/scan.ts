import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Dirent, Stats } from 'node:fs'

/**
 * Walks the source lazily: entries are yielded folder by folder as they are read, so a tree
 * of 100,000 photos never becomes one 100,000-item list. Symlinked folders are followed once
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

/** File-manager order: IMG_2 before IMG_10, case ignored, ties broken by code point. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })
const byName = (a: Dirent, b: Dirent): number => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

async function* walk(
  folder: string,
  prefix: string,
  options: ScanOptions,
  seen: Set<string>
): AsyncGenerator<ScanEntry> {
  // One folder's names at a time, sorted so people see files in the order their file manager
  // shows them: memory is bounded by the largest folder, never by the whole tree.
  let dirents: Dirent[]
  try {
    dirents = await readdir(folder, { withFileTypes: true })
  } catch (error) {
    yield { path: folder, relative: prefix || '.', unreadable: error instanceof Error ? error.message : String(error) }
    return
  }
  const folders: Dirent[] = []
  for (const dirent of dirents.sort(byName)) {
    if (isIgnoredName(dirent.name)) continue
    const path = join(folder, dirent.name)
    let isFolder = dirent.isDirectory()
    if (dirent.isSymbolicLink()) {
      // A dangling link is still the user's file: it is reported as unreadable, not hidden.
      const target = await stat(path).catch(() => null)
      isFolder = target?.isDirectory() ?? false
    }
    if (isFolder) folders.push(dirent)
    else if (dirent.isFile() || dirent.isSymbolicLink()) yield { path, relative: prefix + dirent.name }
  }
  if (!options.recursive) return
  // A folder's own files come first, then its sub-folders, so each folder's rows stay together.
  for (const dirent of folders) {
    const path = join(folder, dirent.name)
    const stats = await stat(path).catch(() => null)
    if (stats) {
      const id = folderIdentity(stats)
      if (seen.has(id) || options.excludeFolders?.has(id)) continue
      seen.add(id)
    }
    yield* walk(path, `${prefix}${dirent.name}/`, options, seen)
  }
}
