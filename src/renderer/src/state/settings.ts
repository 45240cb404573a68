import type { FolderPurpose } from '../../../shared/ipc'
import { parseWholeNumber } from '../../../shared/numbers'
import {
  DEFAULT_SIZE,
  EXISTING_POLICIES,
  FILE_ORDERS,
  LIMITS,
  MODES,
  recipeSchema,
  singleOutput,
  type BatchRequest,
  type ExistingPolicy,
  type FileOrder,
  type Recipe
} from '../../../shared/recipe'
import { draftsOf, recipeOf, type OutputDraft } from './outputs'

/**
 * What the form holds. The numbers stay text while they are edited, so a half-typed
 * or cleared field is shown as it is and simply keeps Start disabled.
 */
export interface FormValues {
  source: string
  target: string
  /** Files picked one by one from the source folder, or null for the whole folder. */
  files: string[] | null
  /** How many picked or dropped files were left out for being in another folder (not remembered). */
  leftOut?: number
  outputs: OutputDraft[]
  workers: string
  recursive: boolean
  existing: ExistingPolicy
  keepDates: boolean
  /** Absent: as found. */
  order?: FileOrder
}

export const STORAGE_KEY = 'imagescale.settings.v1'

const bookRecipe = (): Recipe => ({ outputs: [singleOutput(DEFAULT_SIZE, 'smooth')] })

export function defaultForm(cores: number): FormValues {
  return {
    source: '',
    target: '',
    files: null,
    outputs: draftsOf(bookRecipe()),
    workers: String(clamp(cores, LIMITS.workers.min, LIMITS.workers.max)),
    recursive: true,
    existing: 'skip',
    keepDates: false
  }
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, Math.round(value) || min))

/** A whole number in range, written plainly (no signs, spaces, exponents or fractions), else null. */
export function parseWhole(text: string, min: number, max: number): number | null {
  const value = parseWholeNumber(text)
  return value !== null && value >= min && value <= max ? value : null
}

export const parseWorkers = (text: string): number | null => parseWhole(text, LIMITS.workers.min, LIMITS.workers.max)

/** What keeps the form from starting, in words; null when it is ready. */
export function formProblem(form: FormValues): string | null {
  if (!form.source && !form.target) return 'Choose a source folder and a target folder to start.'
  if (!form.source) return 'Choose a source folder to start.'
  if (!form.target) return 'Choose a target folder to start.'
  const recipe = recipeOf(form.outputs)
  if (!recipe.ok) return `${recipe.problem[0]!.toUpperCase()}${recipe.problem.slice(1)}.`
  if (parseWorkers(form.workers) === null) return 'Enter a valid number of worker threads to start.'
  return null
}

/**
 * The request to start with, or null while something is missing or out of range. The folders
 * go exactly as typed or picked: a path is never trimmed (`photos ` is not `photos`).
 */
export function toRequest(form: FormValues, dryRun = false): BatchRequest | null {
  const recipe = recipeOf(form.outputs)
  const workers = parseWorkers(form.workers)
  if (!form.source || !form.target || !recipe.ok || workers === null) return null
  return {
    source: form.source,
    target: form.target,
    ...(form.files ? { files: form.files } : {}),
    recipe: recipe.recipe,
    workers,
    recursive: form.files ? false : form.recursive,
    existing: form.existing,
    maxPixels: LIMITS.maxPixels.default,
    dryRun,
    keepDates: form.keepDates,
    ...(form.order === 'largest' ? { order: form.order } : {})
  }
}

/** What is written to storage: only valid values, as their real types (the recipe as the schema has it). */
export function serializeForm(form: FormValues): string {
  const recipe = recipeOf(form.outputs)
  return JSON.stringify({
    source: form.source,
    target: form.target,
    recipe: recipe.ok ? recipe.recipe : undefined,
    workers: parseWorkers(form.workers) ?? undefined,
    recursive: form.recursive,
    existing: form.existing,
    keepDates: form.keepDates,
    order: form.order ?? 'found'
  })
}

/**
 * Reads back what serializeForm wrote, field by field: anything missing, mistyped or out
 * of range (an older version, a hand edit, a broken write) falls back to its default. The
 * picked files are not remembered: a folder's files change between sessions.
 */
export function restoreForm(stored: string | null, cores: number): FormValues {
  const form = defaultForm(cores)
  let data: unknown
  try {
    data = stored === null ? null : JSON.parse(stored)
  } catch {
    return form
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return form
  const record = data as Record<string, unknown>
  const text = (key: string): string | null => {
    const value = record[key]
    return typeof value === 'string' && value.length <= LIMITS.path.max && !value.includes('\0') ? value : null
  }
  const whole = (key: string, min: number, max: number): number | null => {
    const value = record[key]
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : null
  }
  const workers = whole('workers', LIMITS.workers.min, LIMITS.workers.max)
  const oneOf = <T extends string>(values: readonly T[], value: unknown): T | null => (values as readonly unknown[]).includes(value) ? (value as T) : null
  return {
    ...form,
    source: text('source') ?? form.source,
    target: text('target') ?? form.target,
    outputs: restoredRecipe(record, whole) ?? form.outputs,
    workers: workers === null ? form.workers : String(workers),
    recursive: typeof record.recursive === 'boolean' ? record.recursive : form.recursive,
    existing: oneOf(EXISTING_POLICIES, record.existing) ?? form.existing,
    keepDates: typeof record.keepDates === 'boolean' ? record.keepDates : form.keepDates,
    ...(oneOf(FILE_ORDERS, record.order) === 'largest' ? { order: 'largest' as const } : {})
  }

  /** The stored recipe, checked by the one schema; or the one size and method of settings saved before recipes. */
  function restoredRecipe(record: Record<string, unknown>, whole: (key: string, min: number, max: number) => number | null): OutputDraft[] | null {
    const parsed = recipeSchema.safeParse(record.recipe)
    if (parsed.success) return draftsOf(parsed.data)
    const size = whole('size', LIMITS.size.min, LIMITS.size.max)
    const mode = oneOf(MODES, record.mode)
    return size === null && mode === null ? null : draftsOf({ outputs: [singleOutput(size ?? DEFAULT_SIZE, mode ?? 'smooth')] })
  }
}

/**
 * Where dropped folders go: onto a field, into that field; onto the window, two folders
 * fill source and target, one fills the first empty field (the source when both are set).
 */
export function assignDroppedFolders(
  folders: Pick<FormValues, 'source' | 'target'>,
  paths: readonly string[],
  onto: FolderPurpose | null
): Pick<FormValues, 'source' | 'target'> {
  const [first, second] = paths
  if (first === undefined) return folders
  if (onto) return { ...folders, [onto]: first }
  if (second !== undefined) return { source: first, target: second }
  if (folders.source && !folders.target) return { ...folders, target: first }
  return { ...folders, source: first }
}

/** `/photos/trip/a.jpg` → `/photos/trip` and `a.jpg`, on either kind of separator. */
function splitPath(path: string): { folder: string; name: string } {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  // `/a.jpg` and `C:\a.jpg`: the folder is the root itself, separator kept.
  const folder = cut <= 0 || path[cut - 1] === ':' ? path.slice(0, cut + 1) : path.slice(0, cut)
  return { folder, name: path.slice(cut + 1) }
}

/**
 * Files picked or dropped one by one: the source becomes their folder and only they are made.
 * A batch reads one folder, so files from elsewhere are left out, and counted for the form to say.
 */
export function pickFiles(paths: readonly string[]): { source: string; files: string[]; leftOut: number } | null {
  const [first] = paths
  if (first === undefined) return null
  const { folder } = splitPath(first)
  const files = paths.map(splitPath).filter((path) => path.folder === folder && path.name !== '').map((path) => path.name)
  return { source: folder, files: [...new Set(files)], leftOut: paths.length - files.length }
}
