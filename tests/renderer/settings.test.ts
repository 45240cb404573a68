// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { DEFAULT_SIZE, LIMITS, OUTPUT_DEFAULTS } from '../../src/shared/recipe'
import { assignDroppedFolders, defaultForm, parseWhole, restoreForm, serializeForm, toRequest, type FormValues } from '../../src/renderer/src/state/settings'

const chosen: FormValues = {
  source: '/photos/2024',
  target: '/photos/web',
  size: '1920',
  mode: 'stride',
  workers: '3',
  recursive: false,
  existing: 'overwrite'
}

describe('settings', () => {
  it('defaults: the book size, smooth, one worker per core, sub-folders, keep existing outputs', () => {
    expect(defaultForm(6)).toEqual({ source: '', target: '', size: String(DEFAULT_SIZE), mode: 'smooth', workers: '6', recursive: true, existing: 'skip' })
    expect(defaultForm(128).workers).toBe('64')
    expect(restoreForm(null, 6)).toEqual(defaultForm(6))
  })

  it('restores what it stored', () => {
    expect(restoreForm(serializeForm(chosen), 6)).toEqual(chosen)
    expect(restoreForm(serializeForm({ ...chosen, existing: 'rename' }), 6).existing).toBe('rename')
  })

  it('stores numbers as numbers and leaves out ones being edited', () => {
    expect(JSON.parse(serializeForm(chosen))).toMatchObject({ size: 1920, workers: 3 })
    expect(JSON.parse(serializeForm({ ...chosen, size: '', workers: '0' }))).not.toHaveProperty('size')
    expect(restoreForm(serializeForm({ ...chosen, size: '12x' }), 6).size).toBe(String(DEFAULT_SIZE))
  })

  it.each(['not json', '[]', '"text"', '42', 'null', '{'])('ignores garbage: %s', (stored) => {
    expect(restoreForm(stored, 4)).toEqual(defaultForm(4))
  })

  it('keeps the good fields of a damaged record and defaults the rest', () => {
    const stored = JSON.stringify({
      source: '/ok',
      target: 42,
      size: -5,
      mode: 'fast',
      workers: 1000,
      recursive: 'yes',
      existing: 'replace'
    })
    expect(restoreForm(stored, 4)).toEqual({ ...defaultForm(4), source: '/ok' })
    expect(restoreForm(JSON.stringify({ size: 800.5, workers: 2 }), 4)).toMatchObject({ size: String(DEFAULT_SIZE), workers: '2' })
    expect(restoreForm(JSON.stringify({ source: 'a\0b' }), 4).source).toBe('')
  })

  it('reads whole numbers only, written plainly, in range', () => {
    expect(parseWhole('400', 1, 500)).toBe(400)
    for (const text of ['', '0', '501', '-1', '1e3', '12.5', '0x10', 'abc', ' 400 ', '+4']) expect(parseWhole(text, 1, 500)).toBeNull()
  })

  it('makes a request only from a complete form: the book’s one output at the chosen size and method', () => {
    expect(toRequest(chosen)).toEqual({
      source: '/photos/2024',
      target: '/photos/web',
      recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1920 }, mode: 'stride' }] },
      workers: 3,
      recursive: false,
      existing: 'overwrite',
      maxPixels: LIMITS.maxPixels.default,
      dryRun: false,
      keepDates: false
    })
    expect(toRequest({ ...chosen, existing: 'rename' })?.existing).toBe('rename')
    expect(toRequest({ ...chosen, source: '' })).toBeNull()
    expect(toRequest({ ...chosen, target: '' })).toBeNull()
    expect(toRequest({ ...chosen, size: '0' })).toBeNull()
    expect(toRequest({ ...chosen, workers: '65' })).toBeNull()
  })

  it('sends folders exactly as typed: a trailing or leading space is part of the name', () => {
    const request = toRequest({ ...chosen, source: '/photos/2024 ', target: ' /photos/web  ' })
    expect(request?.source).toBe('/photos/2024 ')
    expect(request?.target).toBe(' /photos/web  ')
  })
})

describe('assignDroppedFolders', () => {
  const none = { source: '', target: '' }
  it('a drop on a field fills that field', () => {
    expect(assignDroppedFolders({ source: '/a', target: '/b' }, ['/c', '/d'], 'target')).toEqual({ source: '/a', target: '/c' })
  })
  it('two folders on the window fill source and target', () => {
    expect(assignDroppedFolders(none, ['/a', '/b'], null)).toEqual({ source: '/a', target: '/b' })
  })
  it('one folder fills the first empty field, else the source', () => {
    expect(assignDroppedFolders(none, ['/a'], null)).toEqual({ source: '/a', target: '' })
    expect(assignDroppedFolders({ source: '/a', target: '' }, ['/b'], null)).toEqual({ source: '/a', target: '/b' })
    expect(assignDroppedFolders({ source: '', target: '/b' }, ['/a'], null)).toEqual({ source: '/a', target: '/b' })
    expect(assignDroppedFolders({ source: '/a', target: '/b' }, ['/c'], null)).toEqual({ source: '/c', target: '/b' })
  })
  it('nothing dropped changes nothing', () => {
    expect(assignDroppedFolders({ source: '/a', target: '/b' }, [], 'source')).toEqual({ source: '/a', target: '/b' })
  })
})
