import { mkdir, readdir, realpath, unlink } from 'node:fs/promises'
import { dirname, isAbsolute, relative } from 'node:path'
import { ScaleError } from './errors'
import { realpathOfMaybeMissing } from './folders'
import { tempOwner } from './safe-write'

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const isWithin = (path: string, folder: string): boolean => {
  const rel = relative(folder, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Creates each output folder once, on the main side so workers never race on mkdir, and
 * sweeps temp files left there by a run that crashed (its process is gone), so a crash
 * leaves no stray file for longer than the next run into the same folder.
 */
export class TargetFolders {
  private readonly ready = new Map<string, Promise<void>>()
  private realRoots: Promise<[string, string]> | undefined

  /** The checked source and target folders, as the output paths are built from them. */
  constructor(
    private readonly source: string,
    private readonly target: string
  ) {}

  prepare(targetPath: string): Promise<void> {
    const folder = dirname(targetPath)
    let pending = this.ready.get(folder)
    if (!pending) {
      pending = this.refuseLinkIntoSource(folder)
        .then(() => mkdir(folder, { recursive: true }))
        .then(() => sweepStaleTemps(folder))
      this.ready.set(folder, pending)
    }
    return pending
  }

  /**
   * A folder in the target that is a link into the source would make a rename put an
   * output where an original is: such a folder is never created, written or swept.
   */
  private async refuseLinkIntoSource(folder: string): Promise<void> {
    this.realRoots ??= Promise.all([realpath(this.source), realpath(this.target)])
    const [realSource, realTarget] = await this.realRoots
    const real = await realpathOfMaybeMissing(folder)
    if (!isWithin(real, realTarget) && isWithin(real, realSource)) {
      throw new ScaleError('output-in-source', `${folder} leads into the source folder; writing there could replace originals`)
    }
  }
}

async function sweepStaleTemps(folder: string): Promise<void> {
  for (const name of await readdir(folder)) {
    const owner = tempOwner(name)
    if (owner !== null && !isRunning(owner)) await unlink(`${folder}/${name}`).catch(() => undefined)
  }
}
