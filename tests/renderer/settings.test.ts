// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { commandLineOf } from '../../src/shared/command-line'
import { DEFAULT_SIZE, LIMITS, OUTPUT_DEFAULTS, singleOutput, type OutputSpec, type Recipe } from '../../src/shared/recipe'
import { draftOf, draftsOf, recipeOf, type OutputDraft } from '../../src/renderer/src/state/outputs'
import {
  assignDroppedFolders,
  defaultForm,
  formProblem,
  parseWhole,
  pickFiles,
  restoreForm,
  serializeForm,
  toRequest,
  type FormValues
} from '../../src/renderer/src/state/settings'

const web: OutputSpec = { ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1920 }, format: 'webp', quality: 80, folder: 'web', name: '{name}-{width}.{ext}', srgb: true }
const thumbs: OutputSpec = { ...OUTPUT_DEFAULTS, resize: { kind: 'box', width: 300, height: 300 }, mode: 'stride', maxBytes: 50_000, metadata: 'strip', folder: 'thumbs' }
const twoOutputs: Recipe = { outputs: [web, thumbs] }

const chosen: FormValues = {
  source: '/photos/2024',
  target: '/photos/web',
  files: null,
  outputs: draftsOf({ outputs: [singleOutput(1920, 'stride')] }),
  workers: '3',
  recursive: false,
  existing: 'overwrite',
  keepDates: true
}

/** The form without the editor's keys, which are new on every read (they only serve React's lists). */
const comparable = (form: FormValues) => ({ ...form, outputs: recipeOf(form.outputs) })

/** One output typed into the editor: its spec, and the three fields kept as text. */
const draft = (patch: Partial<Omit<OutputDraft, 'key'>>, spec: OutputSpec = OUTPUT_DEFAULTS): OutputDraft => ({ ...draftOf(spec), ...patch })

describe('settings', () => {
  it('defaults: the book’s one output (400, smooth), one worker per core, sub-folders, keep existing outputs', () => {
    const form = defaultForm(6)
    expect({ ...form, outputs: undefined }).toEqual({ source: '', target: '', files: null, outputs: undefined, workers: '6', recursive: true, existing: 'skip', keepDates: false })
    expect(recipeOf(form.outputs)).toEqual({ ok: true, recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: DEFAULT_SIZE }, mode: 'smooth' }] } })
    expect(defaultForm(128).workers).toBe('64')
    expect(comparable(restoreForm(null, 6))).toEqual(comparable(defaultForm(6)))
  })

  it('restores what it stored', () => {
    expect(comparable(restoreForm(serializeForm(chosen), 6))).toEqual(comparable(chosen))
    expect(restoreForm(serializeForm({ ...chosen, existing: 'rename' }), 6).existing).toBe('rename')
  })

  it('round-trips a recipe of several outputs, in order, every setting kept', () => {
    const form = { ...chosen, outputs: draftsOf(twoOutputs) }
    const stored = JSON.parse(serializeForm(form))
    expect(stored.recipe).toEqual(twoOutputs)
    const restored = restoreForm(serializeForm(form), 6)
    expect(recipeOf(restored.outputs)).toEqual({ ok: true, recipe: twoOutputs })
    // The text fields show what the spec says.
    expect(restored.outputs.map((each) => [each.kind, each.size, each.quality, each.budget])).toEqual([
      ['long', '1920', '80', ''],
      ['box', '300x300', '', '50000']
    ])
    expect(new Set(restored.outputs.map((each) => each.key)).size).toBe(2)
  })

  it('migrates the record of settings saved before recipes: {size, mode} becomes one output', () => {
    const old = JSON.stringify({ source: '/photos', target: '/web', size: 1920, mode: 'stride', workers: 4, recursive: false, existing: 'skip' })
    const form = restoreForm(old, 6)
    expect(recipeOf(form.outputs)).toEqual({ ok: true, recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1920 }, mode: 'stride' }] } })
    expect(form).toMatchObject({ source: '/photos', target: '/web', workers: '4', recursive: false })
    expect(recipeOf(restoreForm(JSON.stringify({ size: 800 }), 6).outputs)).toMatchObject({ recipe: { outputs: [{ resize: { size: 800 }, mode: 'smooth' }] } })
    expect(recipeOf(restoreForm(JSON.stringify({ mode: 'stride' }), 6).outputs)).toMatchObject({ recipe: { outputs: [{ resize: { size: DEFAULT_SIZE }, mode: 'stride' }] } })
    // Once saved again, the record is a recipe.
    expect(JSON.parse(serializeForm(form))).toMatchObject({ recipe: { outputs: [{ resize: { kind: 'long', size: 1920 }, mode: 'stride' }] } })
    expect(JSON.parse(serializeForm(form))).not.toHaveProperty('size')
  })

  it('stores numbers as numbers and leaves out a recipe or worker count being edited', () => {
    expect(JSON.parse(serializeForm(chosen))).toMatchObject({ workers: 3, recipe: { outputs: [{ resize: { size: 1920 } }] } })
    const editing = { ...chosen, outputs: [draft({ size: '' })], workers: '0' }
    expect(JSON.parse(serializeForm(editing))).not.toHaveProperty('recipe')
    expect(JSON.parse(serializeForm(editing))).not.toHaveProperty('workers')
    expect(recipeOf(restoreForm(serializeForm({ ...chosen, outputs: [draft({ size: '12x' })] }), 6).outputs)).toMatchObject({ recipe: { outputs: [{ resize: { size: DEFAULT_SIZE } }] } })
  })

  it('does not remember picked files: a folder’s files change between sessions', () => {
    expect(restoreForm(serializeForm({ ...chosen, files: ['a.jpg'] }), 6).files).toBeNull()
  })

  it.each(['not json', '[]', '"text"', '42', 'null', '{'])('ignores garbage: %s', (stored) => {
    expect(comparable(restoreForm(stored, 4))).toEqual(comparable(defaultForm(4)))
  })

  it('keeps the good fields of a damaged record and defaults the rest', () => {
    const stored = JSON.stringify({
      source: '/ok',
      target: 42,
      recipe: { outputs: [{ resize: { kind: 'long', size: 1920 }, quality: 500 }] },
      size: -5,
      mode: 'fast',
      workers: 1000,
      recursive: 'yes',
      existing: 'replace',
      keepDates: 'no'
    })
    expect(comparable(restoreForm(stored, 4))).toEqual(comparable({ ...defaultForm(4), source: '/ok' }))
    expect(restoreForm(JSON.stringify({ size: 800.5, workers: 2 }), 4)).toMatchObject({ workers: '2', outputs: [{ size: String(DEFAULT_SIZE) }] })
    expect(restoreForm(JSON.stringify({ recipe: { outputs: [] } }), 4).outputs).toHaveLength(1)
    expect(restoreForm(JSON.stringify({ source: 'a\0b' }), 4).source).toBe('')
  })

  it('reads whole numbers only, written plainly, in range', () => {
    expect(parseWhole('400', 1, 500)).toBe(400)
    for (const text of ['', '0', '501', '-1', '1e3', '12.5', '0x10', 'abc', ' 400 ', '+4']) expect(parseWhole(text, 1, 500)).toBeNull()
  })

  it('makes a request only from a complete form, with the recipe the editor stands for', () => {
    expect(toRequest(chosen)).toEqual({
      source: '/photos/2024',
      target: '/photos/web',
      recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1920 }, mode: 'stride' }] },
      workers: 3,
      recursive: false,
      existing: 'overwrite',
      maxPixels: LIMITS.maxPixels.default,
      dryRun: false,
      keepDates: true
    })
    expect(toRequest({ ...chosen, outputs: draftsOf(twoOutputs) })?.recipe).toEqual(twoOutputs)
    expect(toRequest(chosen, true)?.dryRun).toBe(true)
    expect(toRequest({ ...chosen, existing: 'rename' })?.existing).toBe('rename')
    expect(toRequest({ ...chosen, source: '' })).toBeNull()
    expect(toRequest({ ...chosen, target: '' })).toBeNull()
    expect(toRequest({ ...chosen, outputs: [draft({ size: '0' })] })).toBeNull()
    expect(toRequest({ ...chosen, outputs: [] })).toBeNull()
    expect(toRequest({ ...chosen, workers: '65' })).toBeNull()
  })

  it('asks for largest first only when chosen, and remembers the choice', () => {
    expect(toRequest(chosen)).not.toHaveProperty('order')
    expect(toRequest({ ...chosen, order: 'found' })).not.toHaveProperty('order')
    expect(toRequest({ ...chosen, order: 'largest' })).toMatchObject({ order: 'largest' })
    expect(restoreForm(serializeForm({ ...chosen, order: 'largest' }), 6).order).toBe('largest')
    expect(restoreForm(serializeForm(chosen), 6).order).toBeUndefined()
    expect(restoreForm(JSON.stringify({ order: 'biggest' }), 6).order).toBeUndefined()
  })

  it('picked files go flat, whatever the sub-folder choice', () => {
    const request = toRequest({ ...chosen, recursive: true, files: ['a.jpg', 'b.jpg'] })
    expect(request).toMatchObject({ files: ['a.jpg', 'b.jpg'], recursive: false })
    expect(toRequest({ ...chosen, recursive: true })).not.toHaveProperty('files')
  })

  it('sends folders exactly as typed: a trailing or leading space is part of the name', () => {
    const request = toRequest({ ...chosen, source: '/photos/2024 ', target: ' /photos/web  ' })
    expect(request?.source).toBe('/photos/2024 ')
    expect(request?.target).toBe(' /photos/web  ')
  })
})

describe('what keeps Start disabled, in words', () => {
  const ready = { ...chosen, outputs: [draft({})] }
  const problem = (outputs: OutputDraft[]): string | null => formProblem({ ...ready, outputs })

  it('nothing, when the form is complete', () => {
    expect(formProblem(ready)).toBeNull()
  })

  it('missing folders and workers', () => {
    expect(formProblem({ ...ready, source: '', target: '' })).toBe('Choose a source folder and a target folder to start.')
    expect(formProblem({ ...ready, source: '' })).toBe('Choose a source folder to start.')
    expect(formProblem({ ...ready, target: '' })).toBe('Choose a target folder to start.')
    expect(formProblem({ ...ready, workers: '0' })).toBe('Enter a valid number of worker threads to start.')
  })

  it('a size that is empty, out of range, or listed twice', () => {
    expect(problem([draft({ size: '' })])).toBe('Enter a size.')
    expect(problem([draft({ size: '0' })])).toBe('The long side must be at least 1 pixel.')
    expect(problem([draft({ size: '70000' })])).toBe('The long side must be at most 65,535 pixels.')
    expect(problem([draft({ size: '1920, ' })])).toBe('Enter a size.')
    expect(problem([draft({ size: '800, 800' })])).toBe('A size is listed twice.')
    expect(problem([draft({ kind: 'percent', size: '150' })])).toBe('A percentage above 100 would enlarge, which ImageScale never does.')
    expect(problem([draft({ kind: 'box', size: '1080x' })])).toMatch(/^The box height must be/)
  })

  it('a quality that is not a whole number from 1 to 100', () => {
    expect(problem([draft({ quality: '150' })])).toBe('Quality must be at most 100.')
    expect(problem([draft({ quality: '0' })])).toBe('Quality must be at least 1.')
    expect(problem([draft({ quality: 'high' })])).toBe('Quality must be a whole number.')
    expect(problem([draft({ quality: '85.5' })])).toBe('Quality must be a whole number.')
    expect(problem([draft({ quality: ' 85 ' })])).toBeNull()
  })

  it('a byte budget that cannot be read, or is too small for a photo', () => {
    expect(problem([draft({ budget: 'lots' })])).toBe('Write a byte budget as 500k, 1.5MB or 250000.')
    expect(problem([draft({ budget: '1k' })])).toBe('A byte budget must be at least 2,048 bytes.')
    expect(problem([draft({ budget: '500k' })])).toBeNull()
  })

  it('a bad name template or sub-folder', () => {
    expect(problem([draft({}, { ...OUTPUT_DEFAULTS, name: '{width}.{ext}' })])).toBe('A name template must contain {name}, or every file would get the same name.')
    expect(problem([draft({}, { ...OUTPUT_DEFAULTS, name: '{name}-{width}' })])).toBe('A name template must end with an extension, as in {name}.{ext}.')
    expect(problem([draft({}, { ...OUTPUT_DEFAULTS, name: '{name}-{width}.{format}' })])).toBeNull()
    expect(problem([draft({}, { ...OUTPUT_DEFAULTS, name: '{name}.{colour}' })])).toMatch(/^A name template may only use \{name\}/)
    expect(problem([draft({}, { ...OUTPUT_DEFAULTS, folder: '../out' })])).toMatch(/^A sub-folder must be a relative path below the target/)
  })

  it('names the output when there are several', () => {
    expect(problem([draft({}), draft({ quality: '150' })])).toBe('Output 2: quality must be at most 100.')
    expect(problem([])).toBe('Add an output.')
  })

  it('more outputs than a recipe may have, counting every size of a list', () => {
    const sizes = Array.from({ length: LIMITS.outputs.max + 1 }, (_, i) => String(100 + i)).join(', ')
    expect(problem([draft({ size: sizes })])).toBe(`A recipe has at most ${LIMITS.outputs.max} outputs (this one makes ${LIMITS.outputs.max + 1}).`)
  })
})

describe('several sizes in one output', () => {
  it('make one output per size, each in the sub-folder the CLI’s --sizes names for it', () => {
    const result = recipeOf([draft({ size: '1920, 800' })])
    expect(result).toEqual({
      ok: true,
      recipe: {
        outputs: [
          { ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1920 }, folder: '1920' },
          { ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 800 }, folder: '800' }
        ]
      }
    })
    // The same recipe the command line builds from --sizes: the command says it without a preset.
    const request = toRequest({ ...chosen, outputs: [draft({ size: '1920, 800' })], workers: '4', recursive: true, existing: 'skip', keepDates: false })!
    expect(commandLineOf(request, { defaultWorkers: 4 })).toEqual({ command: 'imagescale --sizes long:1920,long:800 /photos/2024 /photos/web', preset: null })
  })

  it('name their folders by the rule, below the output’s own sub-folder', () => {
    const folders = (patch: Partial<Omit<OutputDraft, 'key'>>, spec?: OutputSpec): string[] => {
      const result = recipeOf([draft(patch, spec)])
      return result.ok ? result.recipe.outputs.map((output) => output.folder) : [result.problem]
    }
    expect(folders({ kind: 'width', size: '1200,600' })).toEqual(['width-1200', 'width-600'])
    expect(folders({ kind: 'box', size: '1080x1350, 600x600' })).toEqual(['box-1080x1350', 'box-600x600'])
    expect(folders({ kind: 'percent', size: '50, 25' })).toEqual(['percent-50', 'percent-25'])
    expect(folders({ size: '1920, 800' }, { ...OUTPUT_DEFAULTS, folder: 'web' })).toEqual(['web/1920', 'web/800'])
    // One size stays where the output says.
    expect(folders({ size: '1920' }, { ...OUTPUT_DEFAULTS, folder: 'web' })).toEqual(['web'])
  })

  it('share every other setting of the output', () => {
    const result = recipeOf([draft({ size: '1920, 800', quality: '70', budget: '300k' }, { ...OUTPUT_DEFAULTS, format: 'webp', sharpen: true })])
    expect(result).toMatchObject({ ok: true })
    const outputs = result.ok ? result.recipe.outputs : []
    expect(outputs.map((output) => output.resize)).toEqual([
      { kind: 'long', size: 1920 },
      { kind: 'long', size: 800 }
    ])
    for (const output of outputs) expect({ ...output, resize: null, folder: null }).toEqual({ ...OUTPUT_DEFAULTS, format: 'webp', sharpen: true, quality: 70, maxBytes: 300_000, resize: null, folder: null })
  })
})

describe('pickFiles', () => {
  it('makes the files’ folder the source and keeps only the files of that folder', () => {
    expect(pickFiles(['/card/DCIM/a.jpg', '/card/DCIM/b.jpg', '/elsewhere/c.jpg', '/card/DCIM/a.jpg'])).toEqual({ source: '/card/DCIM', files: ['a.jpg', 'b.jpg'], leftOut: 1 })
    expect(pickFiles(['C:\\Photos\\a.jpg', 'C:\\Photos\\b.jpg'])).toEqual({ source: 'C:\\Photos', files: ['a.jpg', 'b.jpg'], leftOut: 0 })
  })

  it('keeps the root’s separator, and picks nothing from nothing', () => {
    expect(pickFiles(['/a.jpg'])).toEqual({ source: '/', files: ['a.jpg'], leftOut: 0 })
    expect(pickFiles(['C:\\a.jpg'])).toEqual({ source: 'C:\\', files: ['a.jpg'], leftOut: 0 })
    expect(pickFiles([])).toBeNull()
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
