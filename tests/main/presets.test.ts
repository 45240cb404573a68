import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseCommand } from '../../src/cli/args'
import { ScaleError } from '../../src/core/errors'
import { loadPreset, presetJson, presetsFolder } from '../../src/core/presets'
import { createHandlers, type MainDeps } from '../../src/main/handlers'
import { createRouter, IpcRequestError } from '../../src/main/ipc'
import type { PresetList } from '../../src/shared/ipc'
import { BUILT_IN_NAMES, BUILT_IN_PRESETS, presetNameSchema, type Preset } from '../../src/shared/presets'
import { recipeSchema, type Recipe } from '../../src/shared/recipe'

// Presets through the app's real router and handlers, on real files: the config folder is a
// temporary one (IMAGESCALE_CONFIG_DIR, as the CLI reads it), fresh for every test. Only the
// dialogs are stand-ins; no pool host is needed, and starting one fails the test.

interface Harness {
  route: (channel: string, raw: unknown) => Promise<unknown>
  /** What the preset dialog answers next (the files chosen). */
  picked: string[]
  /** What the save dialog answers next (null: canceled). */
  savePath: string | null
  filePicks: { purpose: string; current?: string }[]
  savePicks: string[]
}

function harness(): Harness {
  const h: Harness = { route: () => Promise.reject(new Error('not ready')), picked: [], savePath: null, filePicks: [], savePicks: [] }
  const deps: MainDeps = {
    spawnHost: () => {
      throw new Error('a preset request started a pool host')
    },
    workerPath: '/nowhere/worker.js',
    appInfo: { cores: 2, version: '0.0.0', platform: 'linux' },
    pickFolder: async () => null,
    pickFiles: async (purpose, current) => {
      h.filePicks.push(current === undefined ? { purpose } : { purpose, current })
      return h.picked
    },
    pickSavePath: async (suggestedName) => {
      h.savePicks.push(suggestedName)
      return h.savePath
    },
    openFolder: async () => undefined,
    showItemInFolder: () => undefined,
    writeClipboard: () => undefined,
    sendUpdate: () => undefined,
    setProgress: () => undefined,
    batchEnded: () => undefined
  }
  h.route = createRouter(createHandlers(deps))
  return h
}

/** A recipe that differs from every default somewhere, in two outputs. */
const RECIPE: Recipe = recipeSchema.parse({
  outputs: [
    { resize: { kind: 'box', width: 1080, height: 1350 }, format: 'webp', quality: 70, metadata: 'strip', folder: 'social', name: '{name}-{width}.{ext}' },
    { resize: { kind: 'long', size: 400 }, mode: 'stride', folder: 'thumbs', sharpen: true }
  ]
})
const OTHER: Recipe = recipeSchema.parse({ outputs: [{ resize: { kind: 'percent', percent: 50 }, format: 'avif', effort: 6 }] })

const BUILT_IN_ENTRIES = BUILT_IN_NAMES.map((name) => ({ name, description: BUILT_IN_PRESETS[name].description, from: 'built-in', builtIn: true, preset: BUILT_IN_PRESETS[name] }))

let root: string
let config: string
/** Where files from "elsewhere" (to import, or exported) live: never the config folder. */
let elsewhere: string
const previousConfig = process.env.IMAGESCALE_CONFIG_DIR

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'imagescale-presets-'))
  config = join(root, 'config')
  elsewhere = join(root, 'elsewhere')
  await mkdir(elsewhere)
  process.env.IMAGESCALE_CONFIG_DIR = config
})

afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

afterAll(() => {
  if (previousConfig === undefined) Reflect.deleteProperty(process.env, 'IMAGESCALE_CONFIG_DIR')
  else process.env.IMAGESCALE_CONFIG_DIR = previousConfig
})

const presetFile = (name: string): string => join(config, 'presets', `${name}.json`)

/** The files of the presets folder, hidden ones (temporary files) included. */
const presetFiles = async (): Promise<string[]> => (await readdir(join(config, 'presets')).catch(() => [])).sort()

/** Every file below the temporary root, to prove a refused request wrote nothing anywhere. */
async function everything(folder = root, prefix = ''): Promise<string[]> {
  const names: string[] = []
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) names.push(...(await everything(join(folder, entry.name), `${prefix}${entry.name}/`)))
    else names.push(`${prefix}${entry.name}`)
  }
  return names.sort()
}

const names = (list: PresetList): string[] => list.map((entry) => entry.name)

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => new Error('expected the request to be refused'),
    (reason: unknown) => reason
  )
  if (!(error instanceof ScaleError) && !(error instanceof IpcRequestError)) throw error
  return error
}

const save = (h: Harness, name: string, description: string, recipe: Recipe = RECIPE): Promise<PresetList> =>
  h.route('presets:save', { name, description, recipe }) as Promise<PresetList>

describe('presets:list', () => {
  it('lists the built-ins, in order, when the config folder does not exist yet', async () => {
    await expect(harness().route('presets:list', undefined)).resolves.toEqual(BUILT_IN_ENTRIES)
  })

  it('lists a broken file of the user’s as unusable, saying why, after the built-ins', async () => {
    await mkdir(join(config, 'presets'), { recursive: true })
    await writeFile(presetFile('broken'), '{ "outputs": [')
    const list = (await harness().route('presets:list', undefined)) as PresetList
    expect(list.slice(0, BUILT_IN_ENTRIES.length)).toEqual(BUILT_IN_ENTRIES)
    expect(list.slice(BUILT_IN_ENTRIES.length)).toEqual([
      expect.objectContaining({ name: 'broken', builtIn: false, preset: null, from: presetFile('broken'), problem: expect.stringMatching(/not valid JSON/) })
    ])
  })
})

describe('presets:save', () => {
  it('writes the preset into the config folder and answers the new list, built-ins first', async () => {
    const list = await save(harness(), 'trip 2024', 'for the album')
    expect(list).toEqual([
      ...BUILT_IN_ENTRIES,
      { name: 'trip 2024', description: 'for the album', from: presetFile('trip 2024'), builtIn: false, preset: { description: 'for the album', outputs: RECIPE.outputs } }
    ])
    expect(await presetFiles()).toEqual(['trip 2024.json'])
    // Complete: every default written out, so a later version's defaults cannot change it.
    expect(JSON.parse(await readFile(presetFile('trip 2024'), 'utf8'))).toEqual({ description: 'for the album', outputs: RECIPE.outputs })
  })

  it('is read back by the CLI’s loader, and `--preset NAME`, with the same outputs', async () => {
    await save(harness(), 'trip', 'for the album')
    await expect(loadPreset('trip')).resolves.toEqual({ description: 'for the album', outputs: RECIPE.outputs })
    const command = await parseCommand(['/photos/holiday', '/photos/small', '--preset', 'trip'])
    expect(command).toMatchObject({ kind: 'run', request: { recipe: RECIPE } })
  })

  it('saving again under the same name replaces it', async () => {
    const h = harness()
    await save(h, 'trip', 'first')
    const list = await save(h, 'trip', 'second', OTHER)
    expect(names(list)).toEqual([...BUILT_IN_NAMES, 'trip'])
    expect(list.at(-1)).toMatchObject({ description: 'second', preset: { outputs: OTHER.outputs } })
    expect(await presetFiles()).toEqual(['trip.json'])
    await expect(loadPreset('trip')).resolves.toEqual({ description: 'second', outputs: OTHER.outputs })
  })

  it('under a built-in’s name makes the user’s own copy, which wins in the list and for the CLI; deleting it brings the built-in back', async () => {
    const h = harness()
    const list = await save(h, 'web', 'my web', OTHER)
    expect(names(list)).toEqual(BUILT_IN_NAMES)
    expect(list.find((entry) => entry.name === 'web')).toEqual({ name: 'web', description: 'my web', from: presetFile('web'), builtIn: false, preset: { description: 'my web', outputs: OTHER.outputs } })
    await expect(loadPreset('web')).resolves.toEqual({ description: 'my web', outputs: OTHER.outputs })

    await expect(h.route('presets:delete', { name: 'web' })).resolves.toEqual(BUILT_IN_ENTRIES)
    expect(await presetFiles()).toEqual([])
    await expect(loadPreset('web')).resolves.toEqual(BUILT_IN_PRESETS.web)
  })
})

describe('presets:rename and presets:delete', () => {
  it('renames one of the user’s presets: the file moves, its contents stay', async () => {
    const h = harness()
    await save(h, 'trip', 'for the album')
    const before = await readFile(presetFile('trip'), 'utf8')
    const list = (await h.route('presets:rename', { from: 'trip', to: 'trip 2024' })) as PresetList
    expect(names(list)).toEqual([...BUILT_IN_NAMES, 'trip 2024'])
    expect(await presetFiles()).toEqual(['trip 2024.json'])
    expect(await readFile(presetFile('trip 2024'), 'utf8')).toBe(before)
    await expect(loadPreset('trip 2024')).resolves.toEqual({ description: 'for the album', outputs: RECIPE.outputs })
  })

  it('never renames over another preset: refused, and both are left as they were', async () => {
    const h = harness()
    await save(h, 'trip', 'mine')
    await save(h, 'album', 'also mine', OTHER)
    const before = { trip: await readFile(presetFile('trip'), 'utf8'), album: await readFile(presetFile('album'), 'utf8') }
    const error = await rejectionOf(h.route('presets:rename', { from: 'trip', to: 'album' }))
    expect(error).toMatchObject({ code: 'bad-request', message: 'there is already a preset "album"' })
    expect(await presetFiles()).toEqual(['album.json', 'trip.json'])
    expect({ trip: await readFile(presetFile('trip'), 'utf8'), album: await readFile(presetFile('album'), 'utf8') }).toEqual(before)
  })

  it('renames trip to Trip on a disk that tells them apart without losing the Trip already there', async () => {
    const h = harness()
    await save(h, 'trip', 'lower')
    await save(h, 'Trip', 'upper', OTHER)
    const error = await rejectionOf(h.route('presets:rename', { from: 'trip', to: 'Trip' }))
    expect(error).toMatchObject({ code: 'bad-request', message: 'there is already a preset "Trip"' })
    await expect(loadPreset('Trip')).resolves.toEqual({ description: 'upper', outputs: OTHER.outputs })
    await expect(loadPreset('trip')).resolves.toEqual({ description: 'lower', outputs: RECIPE.outputs })
  })

  it('changes only the case of a name when no other preset has it', async () => {
    const h = harness()
    await save(h, 'trip', 'lower')
    await h.route('presets:rename', { from: 'trip', to: 'Trip' })
    expect(await presetFiles()).toEqual(['Trip.json'])
  })

  it.each(['constructor', 'toString', 'hasOwnProperty'])('knows %s is no built-in: not found, nothing crashes', async (name) => {
    const h = harness()
    await expect(loadPreset(name)).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(`there is no preset "${name}"`) })
    expect(await rejectionOf(h.route('presets:delete', { name }))).toMatchObject({ message: `there is no preset "${name}" of yours` })
    h.savePath = join(elsewhere, 'x.json')
    expect(await rejectionOf(h.route('presets:export', { name }))).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/there is no preset/) })
    expect(h.savePicks).toEqual([])
  })

  it.each(['web', 'email', 'thumbs'])('refuses to rename or delete the built-in %s, and writes nothing', async (name) => {
    const h = harness()
    for (const [channel, payload] of [
      ['presets:rename', { from: name, to: 'mine' }],
      ['presets:delete', { name }]
    ] as const) {
      const error = await rejectionOf(h.route(channel, payload))
      expect(error, channel).toMatchObject({ code: 'bad-request', message: `"${name}" is built in and cannot be changed; save a copy under another name` })
    }
    expect(await presetFiles()).toEqual([])
    await expect(h.route('presets:list', undefined)).resolves.toEqual(BUILT_IN_ENTRIES)
  })

  it('refuses to rename or delete a preset that is not there', async () => {
    const h = harness()
    await save(h, 'trip', 'mine')
    await expect(h.route('presets:rename', { from: 'nope', to: 'other' })).rejects.toMatchObject({ code: 'bad-request', message: 'there is no preset "nope" of yours' })
    await expect(h.route('presets:delete', { name: 'nope' })).rejects.toMatchObject({ code: 'bad-request', message: 'there is no preset "nope" of yours' })
    expect(await presetFiles()).toEqual(['trip.json'])
  })

  it('deletes one of the user’s presets, and only it', async () => {
    const h = harness()
    await save(h, 'trip', 'mine')
    await save(h, 'album', 'also mine', OTHER)
    const list = (await h.route('presets:delete', { name: 'trip' })) as PresetList
    expect(names(list)).toEqual([...BUILT_IN_NAMES, 'album'])
    expect(await presetFiles()).toEqual(['album.json'])
    await expect(loadPreset('trip')).rejects.toThrow(/there is no preset "trip"/)
  })
})

describe('preset names', () => {
  const BAD: [string, string, RegExp][] = [
    ['../x', 'climbs out of the folder', /a preset name uses letters, digits, spaces, "-", "_" and "\." and does not start with a dot or a space/],
    ['.hidden', 'is hidden', /does not start with a dot/],
    ['a/b', 'has a slash', /a preset name uses letters, digits/],
    ['', 'is empty', /a preset name uses letters, digits/],
    ['a'.repeat(65), 'has 65 characters', /a preset name has at most 64 characters/]
  ]

  it.each(BAD)('%j (it %s) is refused by every preset request with a message for people, and nothing is written anywhere', async (name, _why, message) => {
    const h = harness()
    h.savePath = join(elsewhere, 'out.json')
    const before = await everything()
    for (const [channel, payload] of [
      ['presets:save', { name, description: '', recipe: RECIPE }],
      ['presets:rename', { from: 'trip', to: name }],
      ['presets:rename', { from: name, to: 'trip' }],
      ['presets:delete', { name }],
      ['presets:export', { name }]
    ] as const) {
      const error = await rejectionOf(h.route(channel, payload))
      expect(error, channel).toBeInstanceOf(IpcRequestError)
      expect(error, channel).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(message) })
      // A sentence, not zod's vocabulary or the channel's name.
      expect(error.message, channel).not.toMatch(/regex|Invalid string|too_big|invalid_format|presets:/i)
    }
    expect(await everything()).toEqual(before)
    // The dialog was never asked: the name was refused first.
    expect(h.savePicks).toEqual([])
  })

  it('accepts names of letters in any script, digits, spaces, "-", "_" and "." up to 64 characters', async () => {
    const h = harness()
    for (const name of ['Ünïcødé 2024_v1.2-final', 'фото', '写真', 'a'.repeat(64), '-dash', '_under']) await save(h, name, name)
    const list = (await h.route('presets:list', undefined)) as PresetList
    expect(names(list).slice(BUILT_IN_NAMES.length).sort()).toEqual(['Ünïcødé 2024_v1.2-final', 'фото', '写真', 'a'.repeat(64), '-dash', '_under'].sort())
  })
})

describe('presets:import', () => {
  async function writePreset(name: string, preset: unknown): Promise<string> {
    const path = join(elsewhere, name)
    await writeFile(path, typeof preset === 'string' ? preset : JSON.stringify(preset))
    return path
  }

  const TRIP: Preset = { description: 'shared by a friend', outputs: RECIPE.outputs }

  it('asks for a preset file, copies it into the config folder under its own name, and answers the new list', async () => {
    const h = harness()
    h.picked = [await writePreset('trip.json', TRIP)]
    const answer = (await h.route('presets:import', undefined)) as { imported: string | null; presets: PresetList }
    expect(h.filePicks).toEqual([{ purpose: 'preset' }])
    expect(answer.imported).toBe('trip')
    expect(answer.presets.at(-1)).toEqual({ name: 'trip', description: TRIP.description, from: presetFile('trip'), builtIn: false, preset: TRIP })
    expect(await presetFiles()).toEqual(['trip.json'])
    await expect(loadPreset('trip')).resolves.toEqual(TRIP)
    // The original is left where it was.
    await expect(readFile(join(elsewhere, 'trip.json'), 'utf8')).resolves.toBe(JSON.stringify(TRIP))
  })

  it('fills in the defaults a short preset leaves out, so the copy is complete', async () => {
    const h = harness()
    h.picked = [await writePreset('short.json', { outputs: [{ resize: { kind: 'long', size: 800 } }] })]
    await h.route('presets:import', undefined)
    const expected = { description: '', outputs: recipeSchema.parse({ outputs: [{ resize: { kind: 'long', size: 800 } }] }).outputs }
    expect(await readFile(presetFile('short'), 'utf8')).toBe(presetJson(expected))
  })

  it('gives a file named "Web Shots!.json" a safe name, and a second import of the same name gets NAME-2', async () => {
    const h = harness()
    h.picked = [await writePreset('Web Shots!.json', TRIP)]
    const first = (await h.route('presets:import', undefined)) as { imported: string | null }
    expect(first.imported).not.toBeNull()
    const imported = first.imported ?? ''
    expect(presetNameSchema.safeParse(imported).success).toBe(true)
    expect(imported).toMatch(/^Web Shots/)
    expect(imported).not.toContain('!')

    // Another file of the same name, from another folder: the first import is not replaced.
    const other = join(elsewhere, 'other')
    await mkdir(other)
    await writeFile(join(other, 'Web Shots!.json'), JSON.stringify({ description: 'the other one', outputs: OTHER.outputs }))
    h.picked = [join(other, 'Web Shots!.json')]
    const second = (await h.route('presets:import', undefined)) as { imported: string | null; presets: PresetList }
    expect(second.imported).toBe(`${imported}-2`)
    expect(await presetFiles()).toEqual([`${imported}-2.json`, `${imported}.json`].sort())
    await expect(loadPreset(imported)).resolves.toEqual(TRIP)
    await expect(loadPreset(`${imported}-2`)).resolves.toEqual({ description: 'the other one', outputs: OTHER.outputs })
  })

  it.each([
    ['trip.json.json', 'trip'],
    [`${'a'.repeat(59)} tail.json`, 'a'.repeat(59)],
    ['  .hidden trip .json', 'hidden trip']
  ])('imports %j under a name the name check accepts (%s)', async (fileName, expected) => {
    const h = harness()
    h.picked = [await writePreset(fileName, TRIP)]
    const { imported } = (await h.route('presets:import', undefined)) as { imported: string | null }
    expect(imported).toBe(expected)
    await expect(loadPreset(expected)).resolves.toEqual(TRIP)
  })

  it('never takes a built-in’s name: web.json is imported as web-2, and the built-in stays', async () => {
    const h = harness()
    h.picked = [await writePreset('web.json', TRIP)]
    const answer = (await h.route('presets:import', undefined)) as { imported: string | null; presets: PresetList }
    expect(answer.imported).toBe('web-2')
    expect(answer.presets.find((entry) => entry.name === 'web')).toEqual(BUILT_IN_ENTRIES[0])
    await expect(loadPreset('web')).resolves.toEqual(BUILT_IN_PRESETS.web)
  })

  it.each([
    ['a file that is not JSON', 'not json.json', 'description: web\n', /is not valid JSON/],
    ['half a JSON file', 'half.json', '{ "outputs": [', /is not valid JSON/],
    ['JSON that is not a preset', 'other.json', '{ "name": "x", "version": 2 }', /^the preset .*other\.json: /],
    ['a preset without outputs', 'empty.json', '{ "description": "x", "outputs": [] }', /a recipe needs at least one output/],
    ['a preset with a bad output', 'bad.json', '{ "outputs": [{ "resize": { "kind": "long", "size": 0 } }] }', /at least 1 pixel/]
  ])('refuses %s with a clear message, and copies nothing', async (_what, name, content, message) => {
    const h = harness()
    await save(h, 'mine', 'already here')
    const before = await presetFiles()
    h.picked = [await writePreset(name, content)]
    const error = await rejectionOf(h.route('presets:import', undefined))
    expect(error).toMatchObject({ code: 'bad-request', message: expect.stringMatching(message) })
    expect(error.message).toContain(join(elsewhere, name))
    expect(await presetFiles()).toEqual(before)
  })

  it('refuses a named pipe at once, without waiting for a writer, and copies nothing', async () => {
    const h = harness()
    const fifo = join(elsewhere, 'pipe.json')
    execFileSync('mkfifo', [fifo])
    h.picked = [fifo]
    const error = await rejectionOf(h.route('presets:import', undefined))
    expect(error).toMatchObject({ code: 'bad-request', message: `cannot read the preset ${fifo}: it is not a regular file` })
    expect(await presetFiles()).toEqual([])
  })

  it('does nothing when the dialog is canceled', async () => {
    const h = harness()
    h.picked = []
    await expect(h.route('presets:import', undefined)).resolves.toEqual({ imported: null, presets: BUILT_IN_ENTRIES })
    expect(h.filePicks).toEqual([{ purpose: 'preset' }])
    expect(await everything()).toEqual([])
  })
})

describe('presets:export', () => {
  it('asks where to save NAME.json and writes the user’s preset there, complete, for the CLI to read', async () => {
    const h = harness()
    await save(h, 'trip', 'for the album')
    h.savePath = join(elsewhere, 'shared trip.json')
    await expect(h.route('presets:export', { name: 'trip' })).resolves.toBe(true)
    expect(h.savePicks).toEqual(['trip.json'])
    expect(await readFile(h.savePath, 'utf8')).toBe(await readFile(presetFile('trip'), 'utf8'))
    // Read as a file by the CLI: `--preset path/to/file.json`.
    await expect(loadPreset(h.savePath)).resolves.toEqual({ description: 'for the album', outputs: RECIPE.outputs })
    expect(await parseCommand(['/a', '/b', '--preset', h.savePath])).toMatchObject({ request: { recipe: RECIPE } })
    // Nothing but the file itself was left beside it.
    expect(await readdir(elsewhere)).toEqual(['shared trip.json'])
  })

  it('writes a built-in out whole, and replaces a file already there', async () => {
    const h = harness()
    h.savePath = join(elsewhere, 'social.json')
    await writeFile(h.savePath, 'old contents')
    await expect(h.route('presets:export', { name: 'social' })).resolves.toBe(true)
    expect(await readFile(h.savePath, 'utf8')).toBe(presetJson(BUILT_IN_PRESETS.social))
    await expect(loadPreset(h.savePath)).resolves.toEqual(BUILT_IN_PRESETS.social)
  })

  it('answers false and writes nothing when the save dialog is canceled', async () => {
    const h = harness()
    h.savePath = null
    await expect(h.route('presets:export', { name: 'web' })).resolves.toBe(false)
    expect(h.savePicks).toEqual(['web.json'])
    expect(await everything()).toEqual([])
  })

  it('refuses a preset that does not exist, and writes nothing', async () => {
    const h = harness()
    h.savePath = join(elsewhere, 'nope.json')
    await expect(h.route('presets:export', { name: 'nope' })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/there is no preset "nope"/) })
    expect(await everything()).toEqual([])
    // Refused before the dialog: nobody is asked where to save what cannot be saved.
    expect(h.savePicks).toEqual([])
  })

  it('leaves the presets folder where the CLI looks for it', () => {
    expect(presetsFolder()).toBe(join(config, 'presets'))
  })
})
