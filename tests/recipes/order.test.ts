import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchEvent } from '../../src/shared/batch'
import { OUTPUT_DEFAULTS } from '../../src/shared/recipe'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { addsUp, runRecorded } from '../helpers/run'

/** --order largest: the files go to the workers by size, largest first; found order is the file manager's. */

describe('the order files go to the workers', () => {
  let folders: TempFolders
  const sizes = new Map<string, number>()
  beforeAll(async () => {
    folders = await tempFolders()
    // Names in one order, sizes in another: a.jpg is the smallest, d.jpg the largest.
    for (const [name, side] of [['a.jpg', 600], ['b.jpg', 1800], ['c.jpg', 1000], ['d.jpg', 2600], ['sub/e.jpg', 1400]] as const) {
      await writeImage(folders.source, name, { width: side, height: Math.round(side * 0.75) })
      sizes.set(name, (await stat(join(folders.source, name))).size)
    }
  })
  afterAll(() => folders?.cleanup())

  const startedOrder = async (target: string, order?: 'found' | 'largest'): Promise<string[]> => {
    const { events, summary } = await runRecorded(folders.source, join(folders.root, target), { workers: 1, size: 400, ...(order ? { order } : {}) })
    expect(addsUp(summary)).toBe(true)
    expect(summary.counts.scaled).toBe(5)
    return events.flatMap((event) => (event.type === 'started' ? [event.file] : []))
  }

  it('as found by default: a folder’s files by name, then its sub-folders', async () => {
    expect(await startedOrder('found')).toEqual(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'sub/e.jpg'])
  })

  it('largest first: by bytes, whatever their names or folders', async () => {
    const bySize = [...sizes.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name)
    expect(bySize[0]).toBe('d.jpg')
    expect(await startedOrder('largest', 'largest')).toEqual(bySize)
  })

  it('claims names in that order too: of two files that would share a name, the larger, taken first, gets it', async () => {
    const pair = await tempFolders()
    try {
      await writeImage(pair.source, 'x.jpg', { width: 800, height: 600 })
      await writeImage(pair.source, 'x.png', { width: 1600, height: 1200, format: 'png' })
      const outputs = [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long' as const, size: 400 }, format: 'webp' as const }]
      const pathOf = (events: BatchEvent[], file: string): string | undefined => {
        const result = events.flatMap((event) => (event.type === 'finished' && event.result.file === file ? [event.result] : []))[0]
        return result?.outcome === 'done' ? result.outputs[0]?.path : undefined
      }
      const found = await runRecorded(pair.source, join(pair.root, 'found'), { recipe: { outputs }, workers: 1 })
      expect([pathOf(found.events, 'x.jpg'), pathOf(found.events, 'x.png')]).toEqual(['x.webp', 'x (1).webp'])
      const largest = await runRecorded(pair.source, join(pair.root, 'largest'), { recipe: { outputs }, workers: 1, order: 'largest' })
      expect([pathOf(largest.events, 'x.png'), pathOf(largest.events, 'x.jpg')]).toEqual(['x.webp', 'x (1).webp'])
    } finally {
      await pair.cleanup()
    }
  })
})
