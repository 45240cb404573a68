/**
 * N numbered slots, one per worker thread. Holding a slot is the right to have one file in
 * the pool, which bounds memory whatever the folder size and names the worker in events.
 */
export class Lanes {
  private readonly free: number[]
  private readonly waiting: ((lane: number | null) => void)[] = []

  constructor(count: number) {
    this.free = Array.from({ length: count }, (_, i) => count - i)
  }

  /** Resolves with a free lane, or null as soon as the signal aborts. */
  acquire(signal: AbortSignal): Promise<number | null> {
    if (signal.aborted) return Promise.resolve(null)
    const lane = this.free.pop()
    if (lane !== undefined) return Promise.resolve(lane)
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.waiting.splice(this.waiting.indexOf(wake), 1)
        resolve(null)
      }
      const wake = (lane: number | null): void => {
        signal.removeEventListener('abort', onAbort)
        resolve(lane)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(wake)
    })
  }

  release(lane: number): void {
    const next = this.waiting.shift()
    if (next) next(lane)
    else this.free.push(lane)
  }
}
