import { constants } from 'node:fs'
import { access, mkdir, realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
import { ScaleError, errnoOf } from './errors'

/**
 * Checks a source/target pair before anything is written. Paths may come from a renderer
 * or a command line: both are untrusted until they resolve to real folders.
 */

const inside = (child: string, parent: string): boolean => {
  const rel = relative(parent, child)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/** Resolves the longest existing ancestor through symlinks, so aliases of one folder compare equal. */
export async function realpathOfMaybeMissing(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error
    const parent = resolve(path, '..')
    if (parent === path) throw error
    return resolve(await realpathOfMaybeMissing(parent), relative(parent, path))
  }
}

export interface CheckedFolders {
  source: string
  target: string
}

export async function checkFolders(sourceInput: string, targetInput: string): Promise<CheckedFolders> {
  const source = resolve(sourceInput)
  const sourceStats = await stat(source).catch(() => null)
  if (!sourceStats) throw new ScaleError('source-missing', `the source folder does not exist: ${source}`)
  if (!sourceStats.isDirectory()) throw new ScaleError('source-not-folder', `the source is not a folder: ${source}`)
  await access(source, constants.R_OK | constants.X_OK).catch(() => {
    throw new ScaleError('source-unreadable', `the source folder cannot be read: ${source}`)
  })

  const target = resolve(targetInput)
  const targetStats = await stat(target).catch(() => null)
  if (targetStats && !targetStats.isDirectory()) {
    throw new ScaleError('target-not-folder', `the target exists and is not a folder: ${target}`)
  }
  const realSource = await realpath(source)
  const realTarget = await realpathOfMaybeMissing(target).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOTDIR') throw new ScaleError('target-not-folder', `the target is inside a file, not a folder: ${target}`)
    throw error
  })
  if (realSource === realTarget) {
    throw new ScaleError('same-folder', 'the target folder is the source folder; outputs would replace the originals')
  }
  if (inside(realSource, realTarget)) {
    throw new ScaleError('source-inside-target', 'the source folder is inside the target folder; outputs could replace originals')
  }
  return { source, target }
}

/** Creates the target and proves it is writable, before any file is dispatched. */
export async function prepareTarget(target: string): Promise<void> {
  try {
    await mkdir(target, { recursive: true })
    await access(target, constants.W_OK | constants.X_OK)
  } catch (error) {
    throw new ScaleError('target-not-writable', `the target folder cannot be created or written: ${target} (${errnoOf(error) ?? 'error'})`)
  }
}
