import { describe, expect, it } from 'vitest'
import { amdahl, fitAmdahl, karpFlatt, median, workerSteps } from '../../src/core/speedup'

describe('the speedup arithmetic', () => {
  it('takes the median of an odd and an even number of rounds, whatever their order', () => {
    expect(median([30, 10, 20])).toBe(20)
    expect(median([40, 10, 30, 20])).toBe(25)
    expect(median([])).toBeNaN()
  })

  it('steps 1, 2, 4… up to the core count, then one beyond it', () => {
    expect(workerSteps(1)).toEqual([1, 2])
    expect(workerSteps(2)).toEqual([1, 2, 4])
    expect(workerSteps(4)).toEqual([1, 2, 4, 8])
    expect(workerSteps(6)).toEqual([1, 2, 4, 6, 12])
  })

  it('Karp–Flatt gives back the serial fraction of a curve that follows Amdahl’s law exactly', () => {
    for (const f of [0, 0.05, 0.25, 0.6]) {
      for (const p of [2, 3, 8, 64]) expect(karpFlatt(amdahl(f, p), p)).toBeCloseTo(f, 10)
    }
    expect(karpFlatt(1, 1)).toBeNull()
  })

  it('Karp–Flatt says 0 for a perfect speedup and 1 for none at all', () => {
    expect(karpFlatt(4, 4)).toBeCloseTo(0, 10)
    expect(karpFlatt(1, 4)).toBeCloseTo(1, 10)
  })

  it('fits the serial fraction of Amdahl points, and the speedup it allows at most', () => {
    const points = [1, 2, 4, 8].map((workers) => ({ workers, speedup: amdahl(0.2, workers) }))
    const fit = fitAmdahl(points)
    expect(fit.serialFraction).toBeCloseTo(0.2, 10)
    expect(fit.maxSpeedup).toBeCloseTo(5, 10)
  })

  it('fits noisy points between the curves they lie between', () => {
    const points = [
      { workers: 1, speedup: 1 },
      { workers: 2, speedup: 1.8 },
      { workers: 4, speedup: 2.9 }
    ]
    const { serialFraction } = fitAmdahl(points)
    // 1.8 on 2 is f ≈ 0.11, 2.9 on 4 is f ≈ 0.13: the fit lies between them.
    expect(serialFraction).toBeGreaterThan(karpFlatt(1.8, 2)!)
    expect(serialFraction).toBeLessThan(karpFlatt(2.9, 4)!)
  })

  it('calls a superlinear curve (a warm cache) no serial part at all, never a negative one', () => {
    expect(fitAmdahl([{ workers: 1, speedup: 1 }, { workers: 2, speedup: 2.3 }])).toEqual({ serialFraction: 0, maxSpeedup: Number.POSITIVE_INFINITY })
  })
})
