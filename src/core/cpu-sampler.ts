import { cpus } from 'node:os'

/**
 * Each core's busy share, read from the operating system's own counters (what `top` reads), not
 * inferred from our events: a core kept busy by another program shows as busy too, which is
 * the point when judging whether the workers had the machine to themselves.
 */
export function cpuSampler(): () => number[] {
  let last = cpus().map((cpu) => cpu.times)
  return () => {
    const now = cpus().map((cpu) => cpu.times)
    const busy = now.map((times, i) => {
      const before = last[i] ?? times
      const work = times.user + times.nice + times.sys + times.irq - (before.user + before.nice + before.sys + before.irq)
      const total = work + times.idle - before.idle
      return total > 0 ? Math.min(1, Math.max(0, work / total)) : 0
    })
    last = now
    return busy
  }
}

/** How often main and the CLI sample the cores during a batch. */
export const CPU_SAMPLE_MS = 500
