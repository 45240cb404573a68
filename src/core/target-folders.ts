import { mkdir, readdir, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { tempOwner } from './safe-write'

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Creates each output folder once, on the main side so workers never race on mkdir, and
 * sweeps temp files left there by a run that crashed (its process is gone), so a crash
 * leaves no stray file for longer than the next run into the same folder.
 */
export class TargetFolders {
  private readonly ready = new Map<string, Promise<void>>()

  prepare(targetPath: string): Promise<void> {
    const folder = dirname(targetPath)
    let pending = this.ready.get(folder)
    if (!pending) {
      pending = mkdir(folder, { recursive: true }).then(() => sweepStaleTemps(folder))
      this.ready.set(folder, pending)
    }
    return pending
  }
}

async function sweepStaleTemps(folder: string): Promise<void> {
  for (const name of await readdir(folder)) {
    const owner = tempOwner(name)
    if (owner !== null && !isRunning(owner)) await unlink(`${folder}/${name}`).catch(() => undefined)
  }
}
