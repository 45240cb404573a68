import { lstat, readdir, rename, stat, unlink } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { firstProblem } from '../shared/recipe'
import { BUILT_IN_PRESETS, PRESET_NAME, builtInPreset, isBuiltIn, presetNameSchema, presetSchema, type Preset, type PresetEntry } from '../shared/presets'
import { ScaleError, errnoOf, messageOf } from './errors'
import { configFolder } from './paths'
import { readSource } from './read-source'
import { tempPathFor, writeWhole } from './safe-write'

/**
 * Presets by name or file: `NAME` is the user's `<config>/presets/NAME.json` if there is one (so
 * a built-in can be tuned), else the built-in; anything with a slash or ending `.json` is a file.
 */

export const presetsFolder = (): string => join(configFolder(), 'presets')

const isFileName = (nameOrFile: string): boolean => nameOrFile.includes('/') || nameOrFile.includes('\\') || nameOrFile.endsWith('.json')

/**
 * The preset in a file; null when there is no such file and `missingIsNull`. Read as sources
 * are (readSource): only a regular file, opened without blocking, so a FIFO named as a preset
 * is an error, not a hang.
 */
async function readPresetFile(path: string, missingIsNull = false): Promise<Preset | null> {
  if (missingIsNull && (await lstat(path).catch((error: unknown) => errnoOf(error))) === 'ENOENT') return null
  const read = await readSource(path)
  if (!read.ok) throw new ScaleError('bad-request', `cannot read the preset ${path}: ${read.reason === 'special-file' ? 'it is not a regular file' : read.message}`)
  let json: unknown
  try {
    json = JSON.parse(read.data.toString('utf8'))
  } catch (error) {
    throw new ScaleError('bad-request', `the preset ${path} is not valid JSON (${messageOf(error)})`)
  }
  const parsed = presetSchema.safeParse(json)
  if (parsed.success) return parsed.data
  throw new ScaleError('bad-request', `the preset ${path}: ${firstProblem(parsed.error, 'not a preset')}`)
}

export async function loadPreset(nameOrFile: string): Promise<Preset> {
  if (isFileName(nameOrFile)) return (await readPresetFile(nameOrFile))!
  const own = await readPresetFile(join(presetsFolder(), `${nameOrFile}.json`), true)
  if (own) return own
  const builtIn = builtInPreset(nameOrFile)
  if (builtIn) return builtIn
  const known = (await listPresets()).map((preset) => preset.name)
  throw new ScaleError('bad-request', `there is no preset "${nameOrFile}" (there are: ${known.join(', ')})`)
}

/** Built-ins first, then the user's own; one of the user's with a built-in's name replaces it. */
export async function listPresets(): Promise<PresetEntry[]> {
  const entries = new Map<string, PresetEntry>()
  for (const [name, preset] of Object.entries(BUILT_IN_PRESETS)) {
    entries.set(name, { name, description: preset.description, from: 'built-in', builtIn: true, preset })
  }
  const files = await readdir(presetsFolder()).catch(() => [])
  for (const file of files.filter((name) => extname(name) === '.json').sort()) {
    const path = join(presetsFolder(), file)
    const name = basename(file, '.json')
    const entry = await readPresetFile(path).then(
      (preset): PresetEntry => ({ name, description: preset!.description, from: path, builtIn: false, preset }),
      (error: unknown): PresetEntry => ({ name, description: `(cannot be used: ${messageOf(error)})`, from: path, builtIn: false, preset: null, problem: messageOf(error) })
    )
    entries.set(name, entry)
  }
  return [...entries.values()]
}

/** The user's file for a preset name, after the name is checked (it becomes a file name). */
function ownFile(name: string): string {
  const parsed = presetNameSchema.safeParse(name)
  if (!parsed.success) throw new ScaleError('bad-request', firstProblem(parsed.error, 'not a preset name'))
  return join(presetsFolder(), `${name}.json`)
}

const exists = async (path: string): Promise<boolean> => (await lstat(path).catch((error: unknown) => errnoOf(error))) !== 'ENOENT'

/** A preset's file, complete: every default written out, so it makes the same outputs whatever a later version's defaults. */
export const presetJson = (preset: Preset): string => `${JSON.stringify(presetSchema.parse(preset), null, 2)}\n`

/** Saves (or replaces) one of the user's presets; a built-in's name makes a tuned copy that wins. */
export async function savePreset(name: string, preset: Preset): Promise<void> {
  await writeWhole(ownFile(name), presetJson(preset))
}

async function ownExisting(name: string): Promise<string> {
  const path = ownFile(name)
  if (await exists(path)) return path
  const what = isBuiltIn(name) ? `"${name}" is built in and cannot be changed; save a copy under another name` : `there is no preset "${name}" of yours`
  throw new ScaleError('bad-request', what)
}

export async function deletePreset(name: string): Promise<void> {
  await unlink(await ownExisting(name))
}

/** Renames one of the user's presets; never over another one, which would lose it. */
export async function renamePreset(from: string, to: string): Promise<void> {
  const source = await ownExisting(from)
  const target = ownFile(to)
  if (from === to) return
  // A name differing only in case is the same file on macOS and Windows (then it is renamed through a
  // temporary name); on Linux it is another preset, which a rename must never replace.
  if (await exists(target)) {
    const same = await Promise.all([stat(source), stat(target)]).then(([a, b]) => a.dev === b.dev && a.ino === b.ino)
    if (!same) throw new ScaleError('bad-request', `there is already a preset "${to}"`)
  }
  const temp = tempPathFor(target)
  await rename(source, temp)
  await rename(temp, target)
}

/**
 * Copies a preset file into the config folder under its own name (or the first free
 * `name-2`, `name-3`…), checked first: a broken file is refused, never copied.
 */
export async function importPreset(file: string): Promise<string> {
  const preset = (await readPresetFile(file))!
  // Made to pass presetNameSchema: every `.json` off the end, spaces and dots off both ends after the cut.
  const base =
    basename(file)
      .replace(/(\.json)+$/i, '')
      .replace(/[^\p{L}\p{N} _.-]/gu, '-')
      .slice(0, PRESET_NAME.max - 4)
      .replace(/^[ .]+|[ .]+$/g, '')
      .replace(/(\.json)+$/i, '') || 'imported'
  let name = base
  for (let n = 2; (await exists(ownFile(name))) || isBuiltIn(name); n += 1) name = `${base}-${n}`
  await savePreset(name, preset)
  return name
}

/** Writes a preset (built-in or the user's, as loadPreset found it) to a file of the person's choosing. */
export async function exportPreset(preset: Preset, file: string): Promise<void> {
  await writeWhole(file, presetJson(preset))
}
