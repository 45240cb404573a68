import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ScaleError } from '../../src/core/errors'
import { defaultOptions, parseBatchOptions } from '../../src/core/options'
import { DEFAULT_MAX_PIXELS, type BatchOptions } from '../../src/shared/batch'
import { tempFolders } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { listFiles } from './fixtures'

const valid: BatchOptions = { ...defaultOptions('/photos', '/out'), workers: 4 }

const badOptions = (input: unknown): string => {
  try {
    parseBatchOptions(input)
  } catch (error) {
    if (error instanceof ScaleError && error.code === 'bad-options') return error.message
    throw error
  }
  throw new Error('accepted')
}

describe('batch options', () => {
  it('default to the book: size 400, smooth, recursive, keep existing outputs, libvips’ pixel limit', () => {
    expect(defaultOptions('/a', '/b')).toMatchObject({ size: 400, mode: 'smooth', recursive: true, existing: 'skip', maxPixels: DEFAULT_MAX_PIXELS })
    expect(defaultOptions('/a', '/b').workers).toBeGreaterThanOrEqual(1)
    expect(parseBatchOptions(valid)).toEqual(valid)
  })

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['size 0', { size: 0 }, /^size: size must be a positive whole number/],
    ['a fractional size', { size: 1.5 }, /^size: size must be a whole number/],
    ['a size beyond 65535', { size: 70_000 }, /^size: size must be at most 65535/],
    ['no workers', { workers: 0 }, /^workers:/],
    ['65 workers', { workers: 65 }, /^workers: at most 64 workers/],
    ['an unknown mode', { mode: 'fast' }, /^mode:/],
    ['an empty source', { source: '  ' }, /^source: choose a source folder/],
    ['a zero pixel limit', { maxPixels: 0 }, /^maxPixels:/],
    ['an unknown option', { colour: 'red' }, /colour/]
  ])('refuse %s with a sentence that names the option', (_label, change, message) => {
    expect(badOptions({ ...valid, ...change })).toMatch(message)
  })

  it('are checked before anything is created', async () => {
    const folders = await tempFolders()
    try {
      await expect(runRecorded(folders.source, folders.target, { size: 0 })).rejects.toSatisfy(
        (error: unknown) => error instanceof ScaleError && error.code === 'bad-options'
      )
      expect(await listFiles(folders.root)).toEqual([])
      expect(existsSync(folders.target)).toBe(false)
    } finally {
      await folders.cleanup()
    }
  })
})
