import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import type { SourceStamp } from '../shared/batch'
import { LIMITS } from '../shared/recipe'
import type { SkipReason } from '../shared/reasons'
import { errnoOf, messageOf } from './errors'
import { fsPath } from './paths'
import { stampOf } from './safe-write'

/**
 * Reads a source whole into memory that we own, because libvips maps input files: a source
 * truncated or rewritten while it is decoded would raise SIGBUS and kill the whole process.
 * It opens without blocking (a FIFO swapped in since the scan would otherwise hang for ever),
 * reads only regular files, and checks the file did not change while it was read.
 */

export type SourceRead =
  | { ok: true; data: Buffer; stamp: SourceStamp }
  | { ok: false; reason: SkipReason; message: string; bytesRead: number }

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY

const changed = (message: string, bytesRead: number): SourceRead => ({ ok: false, reason: 'source-changed', message, bytesRead })

export async function readSource(path: string): Promise<SourceRead> {
  let handle
  try {
    handle = await open(fsPath(path), FLAGS)
  } catch (error) {
    const code = errnoOf(error)
    // A socket cannot be opened at all (ENXIO); the rest are permissions and vanished files.
    if (code === 'ENXIO') return { ok: false, reason: 'special-file', message: 'a socket, not a photo', bytesRead: 0 }
    return { ok: false, reason: 'unreadable', message: `cannot open the file: ${messageOf(error)}`, bytesRead: 0 }
  }
  try {
    const before = await handle.stat({ bigint: true })
    if (!before.isFile()) return { ok: false, reason: 'special-file', message: 'not a regular file (it was replaced since the folder was read)', bytesRead: 0 }
    const size = Number(before.size)
    if (size > LIMITS.fileBytes.max) {
      return { ok: false, reason: 'too-large', message: `the file is ${size.toLocaleString('en')} bytes, over the ${LIMITS.fileBytes.max.toLocaleString('en')}-byte read limit`, bytesRead: 0 }
    }
    // Its own memory, not a slice of Node's shared pool: it is handed to a worker thread whole.
    const data = Buffer.allocUnsafeSlow(size)
    let at = 0
    while (at < size) {
      const { bytesRead } = await handle.read(data, at, size - at, at)
      if (bytesRead === 0) return changed(`the file got shorter while it was read (${at.toLocaleString('en')} of ${size.toLocaleString('en')} bytes)`, at)
      at += bytesRead
    }
    const { bytesRead: more } = await handle.read(Buffer.alloc(1), 0, 1, size)
    const after = await handle.stat({ bigint: true })
    if (more > 0 || after.size !== before.size || after.mtimeNs !== before.mtimeNs) {
      return changed('the file changed while it was read; it will be read again on the next run', at)
    }
    return { ok: true, data, stamp: stampOf(before) }
  } catch (error) {
    return { ok: false, reason: 'unreadable', message: `cannot read the file: ${messageOf(error)}`, bytesRead: 0 }
  } finally {
    await handle.close()
  }
}
