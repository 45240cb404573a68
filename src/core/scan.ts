import type { Dirent, Stats } from 'node:fs'
import { lstat, readdir, realpath, stat } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { messageOf } from './errors'
import { joinRelative } from '../shared/names'
import { fsPath, isWithin, nameFromBytes } from './paths'

/**
 * Walks the source lazily: entries are yielded folder by folder as they are read, so a tree
 * of 100,000 photos never becomes one 100,000-item list. Names are read as bytes (see
 * paths.ts). Only regular files are ever handed on to be opened: a FIFO would block the
 * reader forever, and a device is not a photo. A link to a file is read only when the file is
 * inside the source (a link to /etc is reported, not read), never in the target; a link to a
 * folder is reported and not walked, as the folder is walked under its own name anyway —
 * unless that folder is hidden, when the link is the only way to it.
 */

export type ScanEntry =
  | { kind: 'file'; path: string; relative: string }
  | { kind: 'skip'; relative: string; reason: 'special-file' | 'outside-source' | 'folder-link' | 'unreadable'; message: string }

export interface ScanOptions {
  recursive: boolean
  /** Real path of the source: a link must resolve inside it to be followed. */
  realSource: string
  /** Real path of the target: never read as a source, even through a link. */
  realTarget: string
  /** Called for each sub-folder a flat scan does not enter. */
  onFolderNotEntered?: () => void
  /** Only these names of the top level (files picked one by one); nothing below is walked. */
  only?: readonly string[]
}

/** System clutter that is never a photo; hidden files include .DS_Store and our own temp files and journal. */
const IGNORED = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db'])

export const isIgnoredName = (name: string): boolean => name.startsWith('.') || IGNORED.has(name.toLowerCase())

export const identityOf = (stats: Pick<Stats, 'dev' | 'ino'>): string => `${stats.dev}:${stats.ino}`

/** File-manager order: IMG_2 before IMG_10, case ignored, ties broken by code unit. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })
const byName = (a: Named, b: Named): number => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

interface Named {
  name: string
  dirent: Dirent<Buffer>
}

function specialKind(entry: Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string | null {
  if (entry.isFIFO()) return 'a named pipe (FIFO)'
  if (entry.isSocket()) return 'a socket'
  if (entry.isCharacterDevice()) return 'a character device'
  if (entry.isBlockDevice()) return 'a block device'
  return null
}

export async function* scan(root: string, options: ScanOptions): AsyncGenerator<ScanEntry> {
  const seen = new Set<string>([identityOf(await stat(fsPath(root)))])
  if (options.only) yield* picked(root, options.only, options)
  else yield* walk(root, '', options, seen)
}

/** Picked files, in the order given, each checked as the walk would check it; a folder among them is not a file. */
async function* picked(root: string, names: readonly string[], options: ScanOptions): AsyncGenerator<ScanEntry> {
  for (const name of new Set(names)) {
    const path = join(root, name)
    const stats = await lstat(fsPath(path)).catch(() => null)
    if (!stats) yield { kind: 'skip', relative: name, reason: 'unreadable', message: 'no longer there' }
    else if (stats.isFile()) yield { kind: 'file', path, relative: name }
    else if (stats.isSymbolicLink()) {
      const resolved = await followLink(path, name, options)
      if (resolved.kind === 'file') yield { kind: 'file', path, relative: name }
      else if (resolved.kind === 'skip') yield resolved
      else yield { kind: 'skip', relative: name, reason: 'folder-link', message: 'a link to a folder, not a file' }
    } else if (stats.isDirectory()) yield { kind: 'skip', relative: name, reason: 'special-file', message: 'a folder, not a file: choose it as the source instead' }
    else yield { kind: 'skip', relative: name, reason: 'special-file', message: `${specialKind(stats) ?? 'not a regular file'}, not a photo` }
  }
}

type Resolved = { kind: 'file' } | { kind: 'folder' } | Extract<ScanEntry, { kind: 'skip' }>

/** `trip/real` for a real path below the source, as a person would name it. */
const relativeTo = (root: string, path: string): string => path.slice(root.length + 1).split(sep).join('/')

/** Where a symbolic link leads, and whether this scan may go there. */
async function followLink(path: string, relative: string, options: ScanOptions): Promise<Resolved> {
  let real: string
  let target: Stats
  try {
    real = nameFromBytes(await realpath(fsPath(path), { encoding: 'buffer' }))
    target = await stat(fsPath(real))
  } catch (error) {
    return { kind: 'skip', relative, reason: 'unreadable', message: `a broken link (${messageOf(error)})` }
  }
  if (!isWithin(real, options.realSource) || isWithin(real, options.realTarget)) {
    const where = isWithin(real, options.realTarget) ? 'into the target folder' : 'outside the source folder'
    return { kind: 'skip', relative, reason: 'outside-source', message: `a link that leads ${where}; not followed` }
  }
  // The folder it leads to is in the source, so it is walked under its own name: following the
  // link too would make every photo in it twice, under whichever name happened to sort first.
  if (target.isDirectory()) {
    // A hidden folder is never walked on its own: through a link is the only way in.
    if (real !== options.realSource && relativeTo(options.realSource, real).split('/').some(isIgnoredName)) return { kind: 'folder' }
    const below = real === options.realSource ? 'the source folder itself' : `the folder ${relativeTo(options.realSource, real)}`
    return { kind: 'skip', relative, reason: 'folder-link', message: `a link to ${below}, whose photos are made under their own names; not followed` }
  }
  if (target.isFile()) return { kind: 'file' }
  return { kind: 'skip', relative, reason: 'special-file', message: `a link to ${specialKind(target) ?? 'something that is not a file'}` }
}

async function* walk(folder: string, prefix: string, options: ScanOptions, seen: Set<string>): AsyncGenerator<ScanEntry> {
  // One folder's names at a time, sorted so people see files in the order their file manager
  // shows them: memory is bounded by the largest folder, never by the whole tree.
  let dirents: Dirent<Buffer>[]
  try {
    dirents = await readdir(fsPath(folder), { withFileTypes: true, encoding: 'buffer' })
  } catch (error) {
    yield { kind: 'skip', relative: prefix || '.', reason: 'unreadable', message: `cannot read the folder: ${messageOf(error)}` }
    return
  }
  const named = dirents.map((dirent) => ({ name: nameFromBytes(dirent.name), dirent })).sort(byName)
  const folders: Named[] = []
  for (const entry of named) {
    if (isIgnoredName(entry.name)) continue
    const { dirent, name } = entry
    const path = join(folder, name)
    const relative = joinRelative(prefix, name)
    if (dirent.isDirectory()) {
      folders.push(entry)
      continue
    }
    if (dirent.isFile()) {
      yield { kind: 'file', path, relative }
      continue
    }
    if (dirent.isSymbolicLink()) {
      const resolved = await followLink(path, relative, options)
      if (resolved.kind === 'folder') folders.push(entry)
      else if (resolved.kind === 'file') yield { kind: 'file', path, relative }
      else yield resolved
      continue
    }
    yield { kind: 'skip', relative, reason: 'special-file', message: `${specialKind(dirent) ?? 'not a regular file'}, not a photo` }
  }
  if (!options.recursive) {
    for (let i = 0; i < folders.length; i += 1) options.onFolderNotEntered?.()
    return
  }
  // A folder's own files come first, then its sub-folders, so each folder's rows stay together.
  for (const { name } of folders) {
    const path = join(folder, name)
    const stats = await stat(fsPath(path)).catch(() => null)
    if (stats) {
      // A loop of links ends where it meets a folder already walked; the target is never walked.
      const id = identityOf(stats)
      if (seen.has(id)) continue
      seen.add(id)
      const real = await realpath(fsPath(path), { encoding: 'buffer' }).then(nameFromBytes, () => path)
      if (isWithin(real, options.realTarget)) continue
    }
    yield* walk(path, joinRelative(prefix, name), options, seen)
  }
}
