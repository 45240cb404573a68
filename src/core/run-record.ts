import type { BatchEvent, Summary } from '../shared/batch'
import { timelineRecorder, type CpuSample } from '../shared/timeline'
import { CPU_SAMPLE_MS, cpuSampler } from './cpu-sampler'
import type { RunRecord } from './trace'

/**
 * What a front end keeps of a running batch for its reports and lanes, on one clock from the
 * moment it starts: each event as it is heard, and the cores' busy shares every half second;
 * the last stretch, however short, is sampled with the summary, and nothing after it.
 */
export class RunRecorder {
  private readonly origin = performance.now()
  private readonly timeline = timelineRecorder()
  private readonly cpu: CpuSample[] = []
  private readonly sampleCpu = cpuSampler()
  private readonly sampling: NodeJS.Timeout

  constructor(private readonly onSample: (sample: CpuSample) => void = () => undefined) {
    this.sampling = setInterval(() => this.takeSample(), CPU_SAMPLE_MS)
  }

  /** Records an event; returns when it was heard, in ms from the start. */
  observe(event: BatchEvent): number {
    if (event.type === 'summary') {
      this.dispose()
      this.takeSample()
    }
    const at = performance.now() - this.origin
    this.timeline.observe(event, at)
    return at
  }

  /** Stops sampling (a batch that ended without a summary). */
  dispose(): void {
    clearInterval(this.sampling)
  }

  record(summary: Summary): RunRecord {
    return { timings: this.timeline.timings(), cpu: [...this.cpu], summary }
  }

  private takeSample(): void {
    const sample = { atMs: performance.now() - this.origin, busy: this.sampleCpu() }
    this.cpu.push(sample)
    this.onSample(sample)
  }
}
