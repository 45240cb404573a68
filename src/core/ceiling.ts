import { fork, type ChildProcess } from 'node:child_process'

/**
 * The machine's own ceiling: the same files made by N independent processes that share nothing
 * (no pool, no queue, no event loop, no libuv threads), each given every N-th file, all started
 * together once every one has read its files. What they reach is what the hardware allows the
 * work; the tool's own curve beside it shows how much of that it gets, and where the rest goes.
 */

type Message = { type: 'ready' } | { type: 'done'; ms: number }

const next = (child: ChildProcess, type: Message['type']): Promise<Message> =>
  new Promise((resolve, reject) => {
    const onMessage = (message: Message): void => {
      if (message.type !== type) return
      child.off('exit', onExit)
      child.off('message', onMessage)
      resolve(message)
    }
    const onExit = (code: number | null, signal: string | null): void => reject(new Error(`a ceiling process ended early (${signal ?? `exit ${code}`})`))
    child.on('message', onMessage)
    child.once('exit', onExit)
  })

/** Milliseconds from the common start to the last process done. */
export async function measureCeiling(processPath: string, files: readonly string[], size: number, processes: number, signal: AbortSignal): Promise<number> {
  signal.throwIfAborted()
  const children = Array.from({ length: processes }, () => fork(processPath, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, UV_THREADPOOL_SIZE: '1' } }))
  // Aborted: the children are killed, which ends the wait with an error.
  const stop = (): void => children.forEach((child) => child.kill())
  signal.addEventListener('abort', stop, { once: true })
  try {
    const ready = children.map((child) => next(child, 'ready'))
    children.forEach((child, i) => child.send({ files: files.filter((_, index) => index % processes === i), size }))
    await Promise.all(ready)
    const started = performance.now()
    const done = children.map((child) => next(child, 'done'))
    for (const child of children) child.send('go')
    await Promise.all(done)
    return performance.now() - started
  } finally {
    signal.removeEventListener('abort', stop)
    for (const child of children) child.kill()
  }
}
