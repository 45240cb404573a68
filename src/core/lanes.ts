/**
 * N numbered slots. Holding a slot is the right to have one file in the pool (or read ahead of
 * it), which bounds memory whatever the folder size, and names the worker in events. Once the
 * batch's signal aborts, every waiter is answered null at once and no slot is given out again.
 */
export class Lanes {
  private readonly free: number[]
  private readonly waiting: ((lane: number | null) => void)[] = []

  constructor(
    count: number,
    private readonly signal: AbortSignal
  ) {
    this.free = Array.from({ length: count }, (_, i) => count - i)
    signal.addEventListener(
      'abort',
      () => {
        for (const wake of this.waiting.splice(0)) wake(null)
      },
      { once: true }
    )
  }

  acquire(): Promise<number | null> {
    if (this.signal.aborted) return Promise.resolve(null)
    const lane = this.free.pop()
    if (lane !== undefined) return Promise.resolve(lane)
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  release(lane: number): void {
    const next = this.waiting.shift()
    if (next) next(lane)
    else this.free.push(lane)
  }
}
