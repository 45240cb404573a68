import type { BatchEvent, BatchOptions } from '../shared/batch'

/**
 * Messages between a front end and the process hosting the pool. The host is a separate
 * process because libuv's thread pool size can only be set before a process starts.
 */
export type ToHost = { type: 'start'; options: BatchOptions; workerPath: string } | { type: 'cancel' }

export type FromHost = BatchEvent | { type: 'error'; code: string; message: string }

/** What either kind of child process (Node's fork, Electron's utilityProcess) must offer. */
export interface HostProcess {
  send(message: ToHost): void
  onMessage(listener: (message: FromHost) => void): void
  onExit(listener: (code: number | null) => void): void
  /**
   * The batch is over: the host only has to exit now, which it does by itself. The front
   * end need not wait for that (a CLI would otherwise linger ~75 ms after its summary).
   */
  release(): void
}

export type SpawnHost = (env: Record<string, string>) => HostProcess

/**
 * Enough native threads for every worker's image plus file I/O beside them; libuv's
 * default of 4 would silently cap a pool of 8 at 4 images at a time.
 */
export function hostEnvironment(workers: number): Record<string, string> {
  return {
    UV_THREADPOOL_SIZE: String(Math.max(4, workers + 2)),
    // glibc's per-thread arenas fragment badly under many decoding threads.
    MALLOC_ARENA_MAX: '2'
  }
}
