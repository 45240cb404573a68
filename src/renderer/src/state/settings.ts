import type { FolderPurpose } from '../../../shared/ipc'
import { parseWholeNumber } from '../../../shared/numbers'
import {
  DEFAULT_SIZE,
  EXISTING_POLICIES,
  LIMITS,
  MODES,
  singleOutput,
  type BatchRequest,
  type ExistingPolicy,
  type Mode
} from '../../../shared/recipe'

export const SIZE_PRESETS = [400, 800, 1024, 1280, 1920, 2560, 3840] as const

/**
 * What the form holds. The numbers stay text while they are edited, so a half-typed
 * or cleared field is shown as it is and simply keeps Start disabled.
 */
export interface FormValues {
  source: string
  target: string
  size: string
  mode: Mode
  workers: string
  recursive: boolean
  existing: ExistingPolicy
}

export const STORAGE_KEY = 'imagescale.settings.v1'

export function defaultForm(cores: number): FormValues {
  return {
    source: '',
    target: '',
    size: String(DEFAULT_SIZE),
    mode: 'smooth',
    workers: String(clamp(cores, LIMITS.workers.min, LIMITS.workers.max)),
    recursive: true,
    existing: 'skip'
  }
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, Math.round(value) || min))

/** A whole number in range, written plainly (no signs, spaces, exponents or fractions), else null. */
export function parseWhole(text: string, min: number, max: number): number | null {
  const value = parseWholeNumber(text)
  return value !== null && value >= min && value <= max ? value : null
}

export const parseSize = (text: string): number | null => parseWhole(text, LIMITS.size.min, LIMITS.size.max)
export const parseWorkers = (text: string): number | null => parseWhole(text, LIMITS.workers.min, LIMITS.workers.max)

/**
 * The request to start with, or null while something is missing or out of range. The folders
 * go exactly as typed or picked: a path is never trimmed (`photos ` is not `photos`).
 */
export function toRequest(form: FormValues): BatchRequest | null {
  const size = parseSize(form.size)
  const workers = parseWorkers(form.workers)
  if (!form.source || !form.target || size === null || workers === null) return null
  return {
    source: form.source,
    target: form.target,
    recipe: { outputs: [singleOutput(size, form.mode)] },
    workers,
    recursive: form.recursive,
    existing: form.existing,
    maxPixels: LIMITS.maxPixels.default,
    dryRun: false,
    keepDates: false
  }
}

/** What is written to storage: only valid values, as their real types. */
export function serializeForm(form: FormValues): string {
  return JSON.stringify({
    source: form.source,
    target: form.target,
    size: parseSize(form.size) ?? undefined,
    mode: form.mode,
    workers: parseWorkers(form.workers) ?? undefined,
    recursive: form.recursive,
    existing: form.existing
  })
}

/**
 * Reads back what serializeForm wrote, field by field: anything missing, mistyped or out
 * of range (an older version, a hand edit, a broken write) falls back to its default.
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
  const size = whole('size', LIMITS.size.min, LIMITS.size.max)
  const workers = whole('workers', LIMITS.workers.min, LIMITS.workers.max)
  const oneOf = <T extends string>(values: readonly T[], value: unknown): T | null => (values as readonly unknown[]).includes(value) ? (value as T) : null
  return {
    source: text('source') ?? form.source,
    target: text('target') ?? form.target,
    size: size === null ? form.size : String(size),
    mode: oneOf(MODES, record.mode) ?? form.mode,
    workers: workers === null ? form.workers : String(workers),
    recursive: typeof record.recursive === 'boolean' ? record.recursive : form.recursive,
    existing: oneOf(EXISTING_POLICIES, record.existing) ?? form.existing
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
