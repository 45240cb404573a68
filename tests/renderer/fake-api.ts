import { act } from '@testing-library/react'
import { vi } from 'vitest'
import type { ImageScaleApi } from '../../src/shared/api'
import type { BatchEvent, FileAction, FileResult, Progress, Summary } from '../../src/shared/batch'
import type { BatchUpdate, FolderPurpose, StartResult } from '../../src/shared/ipc'
import { emptySummary } from '../../src/core/summary'

/** The id the fake main gives the batch it accepts, and puts on every update `push` sends. */
export const BATCH_ID = 1

/**
 * A stand-in for the preload's window.api, the renderer's only boundary: it records calls
 * and pushes the BatchUpdate objects a test builds. Nothing here imitates the engine.
 */
export function fakeApi(options: { cores?: number; folders?: Partial<Record<FolderPurpose, string | null>>; start?: StartResult } = {}) {
  const listeners = new Set<(update: BatchUpdate) => void>()
  const droppedPaths = new Map<File, string | null>()
  const api = {
    appInfo: vi.fn(async () => ({ cores: options.cores ?? 6, version: '0.1.0', platform: 'linux' })),
    pickFolder: vi.fn(async (purpose: FolderPurpose, _current?: string) => options.folders?.[purpose] ?? null),
    start: vi.fn(async (): Promise<StartResult> => options.start ?? { ok: true, batchId: BATCH_ID }),
    cancel: vi.fn(async () => undefined),
    showTarget: vi.fn(async () => undefined),
    showOutput: vi.fn(async (_file: string) => undefined),
    onUpdate: vi.fn((listener: (update: BatchUpdate) => void) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    }),
    pathForDroppedFile: vi.fn((file: File) => droppedPaths.get(file) ?? null)
  } satisfies ImageScaleApi

  return {
    api,
    listeners,
    /** Delivers one update of the accepted batch the way the preload would, inside act so React settles. */
    push(...events: BatchEvent[]): void {
      act(() => {
        for (const listener of listeners) listener({ batchId: BATCH_ID, events })
      })
    },
    pushUpdate(update: BatchUpdate): void {
      act(() => {
        for (const listener of listeners) listener(update)
      })
    },
    /** A File the fake preload resolves to `path` (or to no path at all). */
    droppedFolder(name: string, path: string | null): File {
      const file = new File([], name)
      droppedPaths.set(file, path)
      return file
    }
  }
}

export const started = (file: string, worker: number): BatchEvent => ({ type: 'started', file, worker })

export function result(file: string, action: FileAction, extra: Partial<FileResult> = {}): FileResult {
  return { file, action, bytesIn: 0, bytesOut: 0, times: { read: 0, scale: 0, write: 0 }, ...extra }
}

export const finished = (file: string, action: FileAction, worker: number | null = 1, extra: Partial<FileResult> = {}): BatchEvent => ({
  type: 'finished',
  worker,
  result: result(file, action, extra)
})

export function progress(extra: Partial<Progress> = {}): BatchEvent {
  return {
    type: 'progress',
    progress: { done: 0, total: 0, scanning: true, inFlight: 0, bytesIn: 0, bytesOut: 0, elapsedMs: 0, imagesPerSecond: 0, etaMs: null, ...extra }
  }
}

export const summary = (extra: Partial<Summary> = {}): BatchEvent => ({ type: 'summary', summary: summaryOf(extra) })

export function summaryOf(extra: Partial<Summary> = {}): Summary {
  return { ...emptySummary(4), peakParallel: 4, elapsedMs: 1000, ...extra }
}
