import { performance } from 'node:perf_hooks'
import Piscina from 'piscina'
import sharp from 'sharp'
import type { SourceStamp } from '../shared/batch'
import { messageOf } from './errors'
import {
  HEARTBEAT_MS,
  PREVIEW_EXPORT,
  type FromHost,
  type MakeReply,
  type PreviewInput,
  type PreviewReply,
  type ToHost,
  type WorkerInput
} from './host-protocol'
import { probeSource } from './probe'
import { readSource } from './read-source'

/**
 * Entry of the process that hosts the worker pool, started by Node's fork (CLI, tests) or
 * Electron's utilityProcess (desktop app) with UV_THREADPOOL_SIZE already in its environment,
 * and `WORKER_PATH WORKERS` as its arguments. It probes files in its main thread, makes
 * outputs in N worker threads, and answers each request; it keeps no batch state worth losing.
 */

interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: ToHost }) => void): void
  postMessage(message: FromHost): void
}

const electronPort = (process as NodeJS.Process & { parentPort?: ElectronParentPort }).parentPort

function send(message: FromHost, then?: () => void): void {
  if (electronPort) {
    electronPort.postMessage(message)
    if (then) setImmediate(then)
    return
  }
  // A callback turns a send after the front end is gone (EPIPE, closed channel) into a no-op
  // instead of an uncaught error that would kill the host mid-write; it also says when the
  // message has left, which is when the host may exit.
  if (process.connected) process.send?.(message, undefined, undefined, () => then?.())
  else then?.()
}

const [workerPath = '', workersArg = '1'] = process.argv.slice(2)
const workers = Number(workersArg)

/** Flag shared with every worker thread: once set, nothing more is published. */
const abandon = new SharedArrayBuffer(4)
const pool = new Piscina<WorkerInput | PreviewInput, MakeReply | PreviewReply>({
  filename: workerPath,
  minThreads: workers,
  maxThreads: workers,
  idleTimeout: Number.POSITIVE_INFINITY,
  workerData: { abandon }
})

// The bytes move to the worker thread: no copy of a 24 MP photo per file. Which export runs
// decides what comes back, so each kind of task has its own typed door.
const moved = (data: Uint8Array) => ({ transferList: [data.buffer as ArrayBuffer] })
const runMake = (input: WorkerInput) => pool.run(input, moved(input.data)) as Promise<MakeReply>
const runPreview = (input: PreviewInput) => pool.run(input, { ...moved(input.data), name: PREVIEW_EXPORT }) as Promise<PreviewReply>

/** Bytes read by a probe, held until the make that follows (or a drop) takes them. */
const held = new Map<number, Buffer>()
let busy = 0
let stopping = false

// sharp's counter is process-wide, so this sees every worker thread at once: the proof that N
// workers really run N images (probes' header reads are only queued, never counted here).
let peakParallel = 0
setInterval(() => {
  const now = sharp.counters().process
  // A new peak is told at once (at most N times a host), so a host killed a moment later
  // has still reported what really ran.
  if (now > peakParallel) send({ type: 'heartbeat', peakParallel: now })
  peakParallel = Math.max(peakParallel, now)
}, 5).unref()
const heartbeat = setInterval(() => send({ type: 'heartbeat', peakParallel }), HEARTBEAT_MS)

type Bytes = { ok: true; data: Buffer; bytesRead: number } | { ok: false; message: string; bytesRead: number }

/** The probed bytes of task `id`, or (when this host did not probe it) the file read again. */
async function bytesFor(id: number, path: string, stamp: SourceStamp): Promise<Bytes> {
  const kept = held.get(id)
  held.delete(id)
  if (kept) return { ok: true, data: kept, bytesRead: 0 }
  // This host was started after the probe (the last one died): read again, and insist on the same file.
  const read = await readSource(path)
  if (read.ok && read.stamp.size === stamp.size && read.stamp.mtimeNs === stamp.mtimeNs) return { ok: true, data: read.data, bytesRead: read.data.length }
  const message = read.ok ? 'the file changed after it was planned; it will be planned again on the next run' : read.message
  return { ok: false, message, bytesRead: read.ok ? read.data.length : read.bytesRead }
}

async function handle(message: ToHost): Promise<void> {
  switch (message.type) {
    case 'probe': {
      const { task } = message
      const started = performance.now()
      const probed = await probeSource(task.path, task.maxPixels)
      const readMs = performance.now() - started
      if (probed.ok) {
        if (task.keep) held.set(task.id, probed.data)
        send({ type: 'probed', id: task.id, reply: { ok: true, info: probed.info, stamp: probed.stamp, readMs } })
      } else {
        const { ok, reason, message: why, info, bytesRead } = probed
        send({ type: 'probed', id: task.id, reply: { ok, reason, message: why, bytesRead, readMs, ...(info ? { info } : {}) } })
      }
      return
    }
    case 'make': {
      const { task } = message
      const bytes = await bytesFor(task.id, task.path, task.stamp)
      if (!bytes.ok) {
        const { message: why, bytesRead } = bytes
        const outputs = task.outputs.map((output) => ({ output: output.output, path: output.relative, outcome: 'skipped' as const, reason: 'source-changed' as const, message: why }))
        send({ type: 'made', id: task.id, reply: { outputs, made: task.outputs.map(() => null), times: { scale: 0, write: 0 }, bytesRead } })
        return
      }
      const reply = await runMake({ task, data: bytes.data })
      send({ type: 'made', id: task.id, reply: { ...reply, bytesRead: bytes.bytesRead } })
      return
    }
    case 'preview': {
      const { task } = message
      const bytes = await bytesFor(task.id, task.path, task.stamp)
      const reply: PreviewReply = bytes.ok ? await runPreview({ task, data: bytes.data }) : { ok: false, reason: 'source-changed', message: bytes.message }
      send({ type: 'previewed', id: task.id, reply })
      return
    }
    case 'drop':
      held.delete(message.id)
      return
    case 'stop':
      stopping = true
      return
  }
}

async function exitWhenIdle(): Promise<void> {
  if (!stopping || busy > 0) return
  clearInterval(heartbeat)
  await pool.destroy()
  // Exit only once the last message has left, never on a timer that could cut it off.
  send({ type: 'heartbeat', peakParallel }, () => process.exit(0))
}

function onMessage(message: ToHost): void {
  busy += 1
  handle(message)
    .catch((error: unknown) => {
      if (message.type === 'probe' || message.type === 'make' || message.type === 'preview') send({ type: 'task-error', id: message.task.id, message: messageOf(error) })
    })
    .finally(() => {
      busy -= 1
      void exitWhenIdle()
    })
}

if (electronPort) electronPort.on('message', (event) => onMessage(event.data))
else process.on('message', (message) => onMessage(message as ToHost))

// A front end that vanished cannot read results, and must find nothing new on disk after it is
// gone: abandon what is running (workers publish nothing more) and leave once it settles.
process.on('disconnect', () => {
  Atomics.store(new Int32Array(abandon), 0, 1)
  held.clear()
  stopping = true
  void exitWhenIdle()
})
