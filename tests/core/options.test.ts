import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ScaleError } from '../../src/core/errors'
import { defaultRequest, parseBatchRequest } from '../../src/core/request'
import {
  DEFAULT_NAME,
  LIMITS,
  RESIZE_KINDS,
  formatResizeRule,
  parseResizeRule,
  recipeSchema,
  resizeRuleSchema,
  type BatchRequest,
  type OutputSpec,
  type ResizeRule
} from '../../src/shared/recipe'
import { tempFolders, writeImage } from '../helpers/images'
import { runRecorded } from '../helpers/run'
import { expectBalanced, listFiles, listOutputs } from './fixtures'

const valid: BatchRequest = { ...defaultRequest('/photos', '/out'), workers: 4 }
const output = (change: Partial<OutputSpec>): OutputSpec => ({ ...valid.recipe.outputs[0]!, ...change })
const withOutput = (change: Partial<OutputSpec>): BatchRequest => ({ ...valid, recipe: { outputs: [output(change)] } })

const refusal = (input: unknown): string => {
  try {
    parseBatchRequest(input)
  } catch (error) {
    if (error instanceof ScaleError && error.code === 'bad-request') return error.message
    throw error
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`)
}

describe('a batch request', () => {
  it('defaults to the book: one output, longest side 400, smooth, same name, recursive, keep what is there, libvips’ pixel limit', () => {
    const request = defaultRequest('/a', '/b')
    expect(request).toMatchObject({ source: '/a', target: '/b', recursive: true, existing: 'skip', dryRun: false })
    expect(request.recipe).toEqual({
      outputs: [
        {
          resize: { kind: 'long', size: 400 },
          mode: 'smooth',
          folder: '',
          name: '{dir}/{name}.{ext}',
          // The source's own format, every piece of metadata, its colour profile as it is.
          format: 'same',
          metadata: 'keep',
          keepCopyright: false,
          srgb: false,
          progressive: false,
          chroma: '4:2:0',
          sharpen: false,
          lossless: false,
          effort: 4,
          background: '#ffffff'
        }
      ]
    })
    expect(DEFAULT_NAME).toBe('{dir}/{name}.{ext}')
    // 0x3FFF²: libvips' own default, written out so a changed constant is noticed.
    expect(request.maxPixels).toBe(268_402_689)
    expect(request.workers).toBeGreaterThanOrEqual(1)
    expect(request.workers).toBeLessThanOrEqual(64)
    expect(parseBatchRequest(valid)).toEqual(valid)
  })

  it.each<[string, unknown, RegExp]>([
    ['size 0', withOutput({ resize: { kind: 'long', size: 0 } }), /^output 1: the long side must be at least 1 pixel/],
    ['a fractional size', withOutput({ resize: { kind: 'long', size: 1.5 } }), /^output 1: the long side must be a whole number/],
    ['a size beyond 65535', withOutput({ resize: { kind: 'width', size: 70_000 } }), /^output 1: the width must be at most 65,535 pixels/],
    ['a percentage that would enlarge', withOutput({ resize: { kind: 'percent', percent: 150 } }), /^output 1: .*enlarge/],
    ['an unknown resize kind', withOutput({ resize: { kind: 'diagonal', size: 400 } as unknown as ResizeRule }), /^output 1: /],
    ['an unknown mode', withOutput({ mode: 'fast' as OutputSpec['mode'] }), /^output 1: the method must be one of smooth, stride/],
    ['no outputs', { ...valid, recipe: { outputs: [] } }, /^a recipe needs at least one output/],
    ['nine outputs', { ...valid, recipe: { outputs: Array.from({ length: 9 }, () => output({})) } }, /^a recipe has at most 8 outputs/],
    ['a sub-folder that climbs out of the target', withOutput({ folder: 'web/../../etc' }), /^output 1: a sub-folder must be a relative path below the target/],
    ['an absolute sub-folder', withOutput({ folder: '/etc' }), /^output 1: a sub-folder must be a relative path/],
    ['a sub-folder with an empty part', withOutput({ folder: 'web//small' }), /^output 1: a sub-folder must be a relative path/],
    ['a name without {name}', withOutput({ name: '{dir}/photo.{ext}' }), /^output 1: a name template must contain \{name\}/],
    ['a name without an extension', withOutput({ name: '{dir}/{name}-small' }), /^output 1: a name template must end with an extension, as in \{name\}\.\{ext\}$/],
    ['a name with an unknown field', withOutput({ name: '{name}-{colour}.{ext}' }), /^output 1: a name template may only use \{name\}/],
    ['a name that leaves the target', withOutput({ name: '../{name}.{ext}' }), /^output 1: a name template must stay below the target/],
    ['no workers', { ...valid, workers: 0 }, /^at least 1 worker thread/],
    ['65 workers', { ...valid, workers: 65 }, /^at most 64 worker threads/],
    ['an empty source', { ...valid, source: '' }, /^choose a source folder/],
    ['a source with a NUL', { ...valid, source: '/photos\0/x' }, /^the source path may not contain NUL/],
    ['a target longer than any path', { ...valid, target: `/${'a'.repeat(LIMITS.path.max)}` }, /^the target path is longer than 4096 characters/],
    ['a zero pixel limit', { ...valid, maxPixels: 0 }, /^the pixel limit must be at least 1/],
    ['an unknown policy', { ...valid, existing: 'merge' }, /^what to do with an existing output must be one of skip, overwrite, rename/],
    ['an unknown option', { ...valid, colour: 'red' }, /colour/],
    ['an old-style size at the top level', { ...valid, size: 400 }, /size/]
  ])('is refused for %s, with a sentence that names the field', (_label, input, message) => {
    expect(refusal(input)).toMatch(message)
  })

  it('keeps every path exactly as typed: "photos " stays "photos ", nothing is trimmed or normalised', () => {
    const typed = { ...valid, source: 'photos ', target: ' out/./x ', recipe: { outputs: [output({ folder: 'web ', name: ' {name} .{ext}' })] } }
    const parsed = parseBatchRequest(typed)
    expect(parsed.source).toBe('photos ')
    expect(parsed.target).toBe(' out/./x ')
    expect(parsed.recipe.outputs[0]).toMatchObject({ folder: 'web ', name: ' {name} .{ext}' })
    // Blank is still a name: a folder can be called "  ", so it is not mistaken for "no folder".
    expect(parseBatchRequest({ ...valid, source: '  ' }).source).toBe('  ')
  })

  it('reads the folder whose name has a trailing space, not its neighbour without one', async () => {
    const folders = await tempFolders()
    try {
      await writeImage(join(folders.root, 'photos'), 'plain.jpg', { width: 100, height: 100 })
      await writeImage(join(folders.root, 'photos '), 'spaced.jpg', { width: 100, height: 100 })
      await mkdir(join(folders.root, 'out'))
      const { summary, events } = await runRecorded(join(folders.root, 'photos '), join(folders.root, 'out '), { workers: 1 })
      expect(expectBalanced(summary, events).map((r) => r.file)).toEqual(['spaced.jpg'])
      expect(await listOutputs(join(folders.root, 'out '))).toEqual(['spaced.jpg'])
      expect(await listFiles(join(folders.root, 'out'))).toEqual([])
    } finally {
      await folders.cleanup()
    }
  })

  it('is checked before anything is created', async () => {
    const folders = await tempFolders()
    try {
      await expect(runRecorded(folders.source, folders.target, { size: 0 })).rejects.toSatisfy(
        (error: unknown) => error instanceof ScaleError && error.code === 'bad-request' && /at least 1 pixel/.test(error.message)
      )
      expect(await listFiles(folders.root)).toEqual([])
      expect(existsSync(folders.target)).toBe(false)
    } finally {
      await folders.cleanup()
    }
  })
})

describe('resize rules as written on a command line', () => {
  it.each<[string, ResizeRule]>([
    ['long:1920', { kind: 'long', size: 1920 }],
    ['short:1080', { kind: 'short', size: 1080 }],
    ['width:800', { kind: 'width', size: 800 }],
    ['height:600', { kind: 'height', size: 600 }],
    ['box:1080x1350', { kind: 'box', width: 1080, height: 1350 }],
    ['percent:50', { kind: 'percent', percent: 50 }],
    ['percent:12.5', { kind: 'percent', percent: 12.5 }]
  ])('%s is read and written back the same', (text, rule) => {
    expect(parseResizeRule(text)).toEqual(rule)
    expect(formatResizeRule(rule)).toBe(text)
    expect(resizeRuleSchema.parse(rule)).toEqual(rule)
  })

  it('takes a bare number as the book’s box: the longest side', () => {
    expect(parseResizeRule('400')).toEqual({ kind: 'long', size: 400 })
  })

  it('can write every kind it knows', () => {
    const examples: Record<(typeof RESIZE_KINDS)[number], ResizeRule> = {
      long: { kind: 'long', size: 1 },
      short: { kind: 'short', size: 2 },
      width: { kind: 'width', size: 3 },
      height: { kind: 'height', size: 4 },
      box: { kind: 'box', width: 5, height: 6 },
      percent: { kind: 'percent', percent: 7 }
    }
    for (const kind of RESIZE_KINDS) expect(parseResizeRule(formatResizeRule(examples[kind]))).toEqual(examples[kind])
  })

  it.each<[string, RegExp]>([
    ['long:0', /^"long:0": the long side must be at least 1 pixel/],
    ['long:1.5', /^"long:1\.5": the long side must be/],
    ['width:65536', /^"width:65536": the width must be at most 65,535 pixels/],
    ['box:1080', /^"box:1080": the box height must be/],
    ['box:x1350', /^"box:x1350": the box width must be/],
    ['percent:150', /^"percent:150": a percentage above 100 would enlarge/],
    ['percent:0', /^"percent:0": a percentage must be at least 0\.01/],
    ['diagonal:400', /^"diagonal:400" is not a resize rule \(long:N, short:N, width:N, height:N, box:WxH, percent:P\)/],
    ['', /^"" is not a resize rule/],
    // Read exactly as written: a stray space is a mistake to show, not to guess around.
    [' 400', /^" 400" is not a resize rule/],
    ['long:400 ', /^"long:400 " is not a resize rule/]
  ])('refuses %j with a sentence that quotes it', (text, message) => {
    const parsed = parseResizeRule(text)
    expect(typeof parsed).toBe('string')
    expect(parsed).toMatch(message)
  })

  it('is part of a recipe of up to 8 outputs, each with its own folder and name', () => {
    const outputs = Array.from({ length: 8 }, (_, i) => output({ resize: { kind: 'box', width: 100 + i, height: 100 }, folder: `size-${i}`, name: '{name}-{width}x{height}.{ext}' }))
    expect(recipeSchema.parse({ outputs })).toEqual({ outputs })
  })
})
