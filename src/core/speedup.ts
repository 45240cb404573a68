/**
 * The arithmetic of a speedup measurement: medians of alternated rounds, speedup and efficiency
 * against one worker, the Karp–Flatt experimentally determined serial fraction, and Amdahl's law
 * fitted to the measured points.
 */

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** 1, 2, 4, … up to `cores`, then one step beyond it: oversubscription shows what the cores were worth. */
export function workerSteps(cores: number): number[] {
  const steps: number[] = []
  for (let n = 1; n <= cores; n *= 2) steps.push(n)
  if (steps.at(-1) !== cores) steps.push(cores)
  steps.push(steps.at(-1)! * 2)
  return steps
}

/** Karp–Flatt: the serial fraction that would explain speedup `s` on `p` workers; undefined for one worker. */
export const karpFlatt = (s: number, p: number): number | null => (p > 1 ? (1 / s - 1 / p) / (1 - 1 / p) : null)

/** Amdahl's law: the speedup on `p` workers of work whose share `f` cannot run in parallel. */
export const amdahl = (f: number, p: number): number => 1 / (f + (1 - f) / p)

/**
 * The serial fraction that fits the points best, in the least-squares sense of Amdahl's law
 * written straight: 1/S − 1/p = f · (1 − 1/p). Clamped to [0, 1]: a measured superlinear point
 * (a warm cache) says f is about 0, not negative.
 */
export function fitAmdahl(points: readonly { workers: number; speedup: number }[]): { serialFraction: number; maxSpeedup: number } {
  let xy = 0
  let xx = 0
  for (const { workers, speedup } of points) {
    const x = 1 - 1 / workers
    xy += x * (1 / speedup - 1 / workers)
    xx += x * x
  }
  const serialFraction = xx === 0 ? 0 : Math.min(1, Math.max(0, xy / xx))
  return { serialFraction, maxSpeedup: serialFraction === 0 ? Number.POSITIVE_INFINITY : 1 / serialFraction }
}
