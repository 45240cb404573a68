import { lstat, readdir } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { BUILT_IN_PRESETS, presetSchema, type Preset } from '../shared/presets'
import { ScaleError, errnoOf, messageOf } from './errors'
import { configFolder } from './paths'
import { readSource } from './read-source'
import { firstProblem } from './request'

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
  const builtIn = (BUILT_IN_PRESETS as Record<string, Preset>)[nameOrFile]
  if (builtIn) return builtIn
  const known = (await listPresets()).map((preset) => preset.name)
  throw new ScaleError('bad-request', `there is no preset "${nameOrFile}" (there are: ${known.join(', ')})`)
}

export interface PresetEntry {
  name: string
  description: string
  /** 'built-in', or the file it comes from. */
  from: string
}

/** Built-ins first, then the user's own; one of the user's with a built-in's name replaces it. */
export async function listPresets(): Promise<PresetEntry[]> {
  const entries = new Map<string, PresetEntry>()
  for (const [name, preset] of Object.entries(BUILT_IN_PRESETS)) entries.set(name, { name, description: preset.description, from: 'built-in' })
  const files = await readdir(presetsFolder()).catch(() => [])
  for (const file of files.filter((name) => extname(name) === '.json').sort()) {
    const path = join(presetsFolder(), file)
    const description = await readPresetFile(path).then(
      (preset) => preset!.description,
      (error: unknown) => `(cannot be used: ${messageOf(error)})`
    )
    entries.set(basename(file, '.json'), { name: basename(file, '.json'), description, from: path })
  }
  return [...entries.values()]
}
