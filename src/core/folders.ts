import { constants, type Stats } from 'node:fs'
import { access, lstat, mkdir, realpath, stat, statfs } from 'node:fs/promises'
import { isAbsolute, sep } from 'node:path'
import type { ExistingPolicy } from '../shared/recipe'
import { ScaleError, errnoOf } from './errors'
import { fsPath, isInside, isWithin, nameFromBytes, realpathOfMaybeMissing } from './paths'

/**
 * Checks a source/target pair before anything is written. Paths may come from a renderer or
 * a command line: both are untrusted until they resolve to real folders. Every later step
 * works on the real paths found here, so a name is resolved by the kernel once, exactly as
 * typed (never trimmed or normalised by us).
 */

export interface CheckedFolders {
  /** Real path of the source folder. */
  source: string
  /** Real path of the target folder (of its existing ancestor, plus the missing rest). */
  target: string
  /** The target lies in the source tree: files there may be originals and are never replaced. */
  targetInsideSource: boolean
}

/** Relative paths are taken from the working folder, with no other change. */
const absolute = (path: string): string => (isAbsolute(path) ? path : `${process.cwd()}${sep}${path}`)

/**
 * File systems that are windows onto the kernel, not storage: `mkdir -p` under /proc never
 * returns, and files there can block forever when read. Values are statfs(2) magic numbers.
 */
const PSEUDO_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue']
])

async function refusePseudoFileSystem(existingPath: string, what: 'source' | 'target'): Promise<void> {
  const info = await statfs(fsPath(existingPath)).catch(() => null)
  const name = info ? PSEUDO_FILE_SYSTEMS.get(Number(info.type)) : undefined
  if (name) throw new ScaleError('pseudo-fs', `the ${what} is on ${name}, a view of the kernel, not a disk: ${existingPath}`)
}

async function statOrNull(path: string): Promise<Stats | null> {
  return stat(fsPath(path)).catch(() => null)
}

export async function checkFolders(sourceInput: string, targetInput: string, existing: ExistingPolicy): Promise<CheckedFolders> {
  const sourcePath = absolute(sourceInput)
  const sourceStats = await statOrNull(sourcePath)
  if (!sourceStats) throw new ScaleError('source-missing', `the source folder does not exist: ${sourceInput}`)
  if (!sourceStats.isDirectory()) throw new ScaleError('source-not-folder', `the source is not a folder: ${sourceInput}`)
  await access(fsPath(sourcePath), constants.R_OK | constants.X_OK).catch(() => {
    throw new ScaleError('source-unreadable', `the source folder cannot be read: ${sourceInput}`)
  })
  const source = nameFromBytes(await realpath(fsPath(sourcePath), { encoding: 'buffer' }))
  await refusePseudoFileSystem(source, 'source')

  const targetPath = absolute(targetInput)
  const targetStats = await statOrNull(targetPath)
  if (targetStats && !targetStats.isDirectory()) {
    throw new ScaleError('target-not-folder', `the target exists and is not a folder: ${targetInput}`)
  }
  const target = await realpathOfMaybeMissing(targetPath).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOTDIR') throw new ScaleError('target-not-folder', `the target is inside a file, not a folder: ${targetInput}`)
    throw error
  })
  await refusePseudoFileSystem(await nearestExisting(target), 'target')
  if (source === target) {
    throw new ScaleError('same-folder', 'the target folder is the source folder; outputs would replace the originals')
  }
  if (isInside(source, target)) {
    throw new ScaleError('source-inside-target', 'the source folder is inside the target folder; outputs could replace originals')
  }
  const targetInsideSource = isInside(target, source)
  if (targetInsideSource && existing === 'overwrite') {
    throw new ScaleError(
      'overwrite-in-source',
      'the target folder is inside the source, where every file may be an original: overwriting is refused (outputs of earlier runs are still re-made when stale)'
    )
  }
  return { source, target, targetInsideSource }
}

async function nearestExisting(path: string): Promise<string> {
  let at = path
  while (!(await statOrNull(at))) {
    const parent = at.slice(0, at.lastIndexOf(sep)) || sep
    if (parent === at) break
    at = parent
  }
  return at
}

/** Deepest folder chain a batch will create in one go; a deeper request is a mistake, not a plan. */
const MAX_NEW_LEVELS = 64

/**
 * Creates a folder one level at a time (a recursive mkdir can loop for ever on some file
 * systems), refusing a level that turns out to be a link or a file, and returns its identity.
 */
export async function makeFolder(path: string, within: string): Promise<Stats> {
  const missing: string[] = []
  let at = path
  while (!(await lstat(fsPath(at)).catch(() => null))) {
    missing.unshift(at)
    if (missing.length > MAX_NEW_LEVELS) throw new ScaleError('target-not-writable', `refusing to create more than ${MAX_NEW_LEVELS} nested folders: ${path}`)
    const parent = at.slice(0, at.lastIndexOf(sep)) || sep
    if (parent === at) break
    at = parent
  }
  // The deepest folder that exists must itself be in the target (a level swapped for a link into
  // the source would otherwise have the new levels made there); the target's own ancestors are
  // outside it by nature, and were resolved when the batch was checked.
  if (missing.length > 0 && isWithin(at, within)) {
    const real = nameFromBytes(await realpath(fsPath(at), { encoding: 'buffer' }))
    if (!isWithin(real, within)) throw new ScaleError('target-changed', `${at} leads out of the target folder, to ${real}; no folder was made there`)
  }
  for (const level of missing) {
    await mkdir(fsPath(level)).catch((error: unknown) => {
      if (errnoOf(error) !== 'EEXIST') throw error
    })
  }
  const real = nameFromBytes(await realpath(fsPath(path), { encoding: 'buffer' }))
  if (!isWithin(real, within)) throw new ScaleError('target-changed', `${path} leads out of the target folder, to ${real}`)
  const stats = await stat(fsPath(real))
  if (!stats.isDirectory()) throw new ScaleError('target-not-folder', `${path} is not a folder`)
  return stats
}

/** Creates the target and proves it is writable, before any file is dispatched. */
export async function prepareTarget(target: string): Promise<Stats> {
  try {
    const stats = await makeFolder(target, target)
    await access(fsPath(target), constants.W_OK | constants.X_OK)
    return stats
  } catch (error) {
    if (error instanceof ScaleError) throw error
    throw new ScaleError('target-not-writable', `the target folder cannot be created or written: ${target} (${errnoOf(error) ?? 'error'})`)
  }
}
