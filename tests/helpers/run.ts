import type { BatchEvent, BatchOptions, Summary } from '../../src/shared/batch'
import { defaultOptions } from '../../src/core/options'
import { runBatch } from '../../src/core/runner'
import { WORKER_PATH } from './built'

export interface Recorded {
  summary: Summary
  events: BatchEvent[]
}

/** Runs the real runner with the real built worker, recording every event. */
export async function runRecorded(
  source: string,
  target: string,
  overrides: Partial<BatchOptions> = {},
  signal?: AbortSignal,
  onEvent?: (event: BatchEvent) => void
): Promise<Recorded> {
  const events: BatchEvent[] = []
  const summary = await runBatch(
    { ...defaultOptions(source, target), ...overrides },
    {
      workerPath: WORKER_PATH,
      signal,
      onEvent: (event) => {
        events.push(event)
        onEvent?.(event)
      }
    }
  )
  return { summary, events }
}

export const resultsOf = (events: BatchEvent[]) =>
  events.flatMap((event) => (event.type === 'finished' ? [event.result] : []))
