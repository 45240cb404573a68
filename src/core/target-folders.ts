import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeFolder } from './folders'
import { sweepTemps } from './safe-write'
import { identityOf } from './scan'

/**
 * Whether a temp file's writer may still be writing. A killed host whose parent left at once
 * stays a zombie until something reaps it (in a container, perhaps never): it answers
 * kill(pid, 0) but writes nothing, so on Linux its state is read too.
 */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    // `pid (comm) S …`: the state follows the last ')', as comm may itself hold one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    return process.platform !== 'linux'
  }
}

/**
 * Creates each output folder once, on the batch's side so workers never race on mkdir, and
 * records its identity: a worker publishes only into the very folder prepared here. It also
 * sweeps temp files left there by a run that crashed (its process is gone), so a crash leaves
 * no stray file for longer than the next run into the same folder.
 */
export class TargetFolders {
  private readonly ready = new Map<string, Promise<string>>()

  /** `target` is the real path of the target folder. */
  constructor(private readonly target: string) {}

  /** The `dev:ino` of a folder below the target ('' for the target itself), created if needed. */
  identity(relativeFolder: string): Promise<string> {
    let pending = this.ready.get(relativeFolder)
    if (!pending) {
      const path = relativeFolder === '' ? this.target : join(this.target, relativeFolder)
      pending = makeFolder(path, this.target).then(async (stats) => {
        await sweepTemps(path, (pid) => !isRunning(pid))
        return identityOf(stats)
      })
      // A failure is not remembered: the next file into that folder tries again.
      pending.catch(() => this.ready.delete(relativeFolder))
      this.ready.set(relativeFolder, pending)
    }
    return pending
  }

  /** Every folder prepared so far, as absolute paths: where a killed pool host may have left temps. */
  folders(): string[] {
    return [...this.ready.keys()].map((relative) => (relative === '' ? this.target : join(this.target, relative)))
  }
}
