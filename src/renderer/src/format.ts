import type { Dimensions, FilePlan, FileResult, OutputPlan, OutputResult, Renamed } from '../../shared/batch'
import { formatBytes, formatDuration } from '../../shared/format'
import { DEFAULT_NAME, DEFAULT_QUALITY, type OutputSpec, type ResizeRule } from '../../shared/recipe'
import { rowState, type FileRow } from './state/batch'

export const formatRate = (perSecond: number): string => `${perSecond.toFixed(perSecond < 10 ? 1 : 0)} images/s`

/** Per-file times are mostly well under a second: `231 ms`, then `1.4s`. */
export const formatFileTime = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms))

export const formatDimensions = (d: Dimensions | undefined): string => (d ? `${d.width}×${d.height}` : '?')

/** The word for a row's state: `on worker 3`, `scaled`, `skipped`. */
export function rowStatus(row: FileRow): string {
  const state = rowState(row)
  if (state === 'running') return row.worker === null ? 'running' : `on worker ${row.worker}`
  return state
}

function outputDetail(result: Extract<FileResult, { outcome: 'done' }>, output: OutputResult): string {
  const renamed = renamedWords(output)
  switch (output.outcome) {
    case 'copied':
      return `${formatDimensions(output.size)}${renamed}`
    case 'scaled':
      return `${formatDimensions(result.info?.shown)} → ${formatDimensions(output.size)}${renamed}${output.warning ? ` (${output.warning})` : ''}`
    case 'skipped':
    case 'failed':
    case 'canceled':
      return `${output.message}${renamed}`
  }
}

const whyRenamed = (renamed: Renamed | undefined): string =>
  renamed ? ` (${renamed.from} was ${renamed.because === 'batch' ? 'taken by another file' : 'already there'})` : ''

const renamedWords = (output: { path: string; renamed?: Renamed }): string => (output.renamed ? ` as ${output.path}${whyRenamed(output.renamed)}` : '')

/** A dry run's output: what would be done, where, and about how big. */
function plannedDetail(plan: FilePlan, output: OutputPlan): string {
  if (output.action === 'skip') return `skip: ${output.message}`
  const replacing = output.existing.kind === 'none' ? '' : output.existing.kind === 'stale' ? ', replacing an older output' : ', replacing what is there'
  const size = output.action === 'copy' ? formatDimensions(output.size) : `${formatDimensions(plan.info.shown)} → ${formatDimensions(output.size)}`
  const bytes = output.estimatedBytes === undefined ? '' : `, about ${formatBytes(output.estimatedBytes)}`
  return `${output.action} ${size} → ${output.path}${whyRenamed(output.renamed)}${bytes}${replacing}`
}

/** A name this plan could not give as the template says, or a file it would replace: what a person should look at first. */
export const isCollision = (row: FileRow): boolean =>
  row.plan?.outputs.some((output) => output.renamed !== undefined || (output.action !== 'skip' && output.existing.kind !== 'none')) ?? false

/** What happened to the file, in a sentence a photographer can act on. */
export function rowDetail(row: FileRow): string {
  const { result } = row
  if (row.plan) return row.plan.outputs.map((output) => plannedDetail(row.plan!, output)).join('; ')
  if (!result) return ''
  if (result.outcome !== 'done') return result.message
  return result.outputs.map((output) => outputDetail(result, output)).join('; ')
}

/** Total time a worker spent on the file; null until it is done or when it never ran. */
export function rowTime(row: FileRow): number | null {
  const times = row.result?.times
  if (!times || row.worker === null) return null
  const total = times.read + times.scale + times.write
  // A file its pool host never answered for (stopped, crashed) has no times to show.
  return total > 0 ? total : null
}

/**
 * What a failed request says, for people. Electron wraps an error thrown in main as
 * "Error invoking remote method 'batch:start': IpcRequestError: …": the wrapper is ours to remove.
 */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, '')
}

function ruleWords(rule: ResizeRule): string {
  switch (rule.kind) {
    case 'long':
      return `longest side ${rule.size} px`
    case 'short':
      return `shortest side ${rule.size} px`
    case 'box':
      return `within ${rule.width}×${rule.height} px`
    case 'percent':
      return `${rule.percent}% of each side`
    default:
      return `${rule.kind} ${rule.size} px`
  }
}

const METADATA_WORDS: Record<OutputSpec['metadata'], string> = { keep: 'all metadata', 'strip-gps': 'no location', strip: 'no metadata' }

function formatWords(spec: OutputSpec): string {
  switch (spec.format) {
    case 'same':
      return spec.quality === undefined ? 'same format' : `same format, quality ${spec.quality}`
    case 'png':
      return 'PNG'
    case 'webp':
      return spec.lossless ? 'WebP lossless' : `WebP ${spec.quality ?? DEFAULT_QUALITY.webp}`
    case 'jpeg':
      return `JPEG ${spec.quality ?? DEFAULT_QUALITY.jpeg}${spec.progressive ? ' progressive' : ''}`
    default:
      return `${spec.format.toUpperCase()} ${spec.quality ?? DEFAULT_QUALITY[spec.format]}`
  }
}

/** One output of an accepted recipe, as the run view describes it: `longest side 1920 px · WebP 80 · no location → web/`. */
export function describeOutput(spec: OutputSpec): string {
  const parts = [ruleWords(spec.resize), ...(spec.mode === 'stride' ? ['stride'] : []), formatWords(spec)]
  if (spec.maxBytes !== undefined) parts.push(`at most ${formatBytes(spec.maxBytes)}`)
  parts.push(METADATA_WORDS[spec.metadata])
  if (spec.srgb) parts.push('sRGB')
  if (spec.sharpen) parts.push('sharpened')
  const where = [spec.folder && `${spec.folder}/`, spec.name !== DEFAULT_NAME && spec.name].filter(Boolean).join(' ')
  return `${parts.join(' · ')}${where ? ` → ${where}` : ''}`
}
