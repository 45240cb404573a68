import { realpath, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { ScaleError, messageOf } from './errors'
import { isWithin } from './paths'
import { writeWhole } from './safe-write'

/**
 * Where a report about a run (a trace, a timings table) may go, checked before the run starts:
 * never among the originals nor the outputs (real paths compared, so a link into either is
 * seen through), never a folder. A pipe or a device — a terminal, /dev/null, a shell's
 * `>(…)` — is written in place; a regular file is replaced whole, never left half written.
 */

export interface ReportFile {
  /** The real path written. */
  path: string
  inPlace: boolean
}

/** The real path of `path`: its nearest existing ancestor with links resolved, the rest as written. */
async function realPathOf(path: string): Promise<string> {
  const absolute = resolve(path)
  const real = await realpath(absolute).catch(() => null)
  if (real !== null) return real
  const parent = dirname(absolute)
  return parent === absolute ? absolute : join(await realPathOf(parent), basename(absolute))
}

/** A file name longer than this cannot be made on the usual file systems (255 bytes). */
const NAME_BYTES = 255

export async function checkReportFile(path: string, keepOut: readonly { folder: string; what: string }[]): Promise<ReportFile> {
  if (Buffer.byteLength(basename(path)) > NAME_BYTES) throw new ScaleError('bad-request', `${path}: the file name is longer than ${NAME_BYTES} bytes`)
  const real = await realPathOf(path)
  for (const { folder, what } of keepOut) {
    if (isWithin(real, await realPathOf(folder))) throw new ScaleError('bad-request', `${path} is inside the ${what}: a report is never written among the originals or the outputs`)
  }
  const stats = await stat(real).catch(() => null)
  if (stats?.isDirectory()) throw new ScaleError('bad-request', `${path} is a folder: name a file`)
  return { path: real, inPlace: stats !== null && !stats.isFile() }
}

export async function writeReport(file: ReportFile, text: string | Uint8Array): Promise<void> {
  if (!file.inPlace) return writeWhole(file.path, text)
  await writeFile(file.path, text).catch((error: unknown) => {
    throw new ScaleError('target-not-writable', `cannot write ${file.path}: ${messageOf(error)}`)
  })
}
