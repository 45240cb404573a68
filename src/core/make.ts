import { lstat } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import type { Dimensions, OutputResult, SourceInfo, SourceStamp } from '../shared/batch'
import { fitBudget } from './budget'
import { pipelineFor, shapeNotes, type PipelineInput } from './encode'
import { cannotDecode, decoderMessageOf, failureOf } from './errors'
import { estimateOutput } from './estimate'
import type { MakeOutput, MakeReply, WorkerInput } from './host-protocol'
import { decodableOf, type Decodable } from './heic'
import { readSourceMetadata, removeLocation } from './metadata'
import { fsPath } from './paths'
import { stampOf, writeOutput } from './safe-write'

/**
 * Makes the planned outputs of one file, inside a worker thread, from the bytes the pool host
 * read: copies are those bytes, unchanged; scaled outputs go through one libvips pipeline each.
 * It never throws: every outcome is an OutputResult with a reason.
 */

/**
 * A lenient decode fills what it cannot read with mid-grey. When most of the picture is that
 * grey, the output would be a grey card with a strip of photo: the file is called damaged.
 */
const MOSTLY_MISSING = 0.5

/** The share of an image that is the decoder's mid-grey fill. */
async function missingShare(encoded: Buffer): Promise<number> {
  const { data, info } = await sharp(encoded).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
  let grey = 0
  for (let at = 0; at < data.length; at += info.channels) {
    let flat = true
    for (let c = 0; c < info.channels; c += 1) if (Math.abs(data[at + c]! - 128) > 2) flat = false
    if (flat) grey += 1
  }
  return grey / (data.length / info.channels)
}

type Scaled =
  | { ok: true; data: Buffer; size: Dimensions; warning?: string; notes: string[] }
  | { ok: false; reason: 'corrupt' | 'unsupported-format' | 'over-budget'; message: string }
  | { ok: false; reason: 'metadata-unsafe'; message: string; failed: true }

/**
 * Decodes strictly, or leniently with the damage measured; then holds the output to its budget.
 * The encoded output in memory: what a run publishes, and what a preview shows.
 */
export async function scaleOutput(decodable: Promise<Decodable>, output: Pick<MakeOutput, 'spec' | 'format' | 'size'>, info: SourceInfo, maxPixels: number): Promise<Scaled> {
  const { spec, format } = output
  const source = await decodable
  if (!source.ok) return source
  const { data } = source
  const metadata = await readSourceMetadata(data, spec, format).catch(() => ({ hasExif: false }))
  const input: PipelineInput = { data, info, spec, metadata, maxPixels, strict: true }
  const encoding = { format, size: output.size }
  const notes = shapeNotes(info, format, spec)
  // libvips writes XMP, IPTC and the colour profile into a TIFF, but no EXIF: said, not hidden.
  if (format === 'tiff' && metadata.hasExif && spec.metadata !== 'strip') notes.push('its EXIF is not carried into TIFF; XMP and the colour profile are')
  let encoded: Buffer
  let warning: string | undefined
  try {
    encoded = await pipelineFor(input, encoding).toBuffer()
  } catch (strictError) {
    // Real camera files often carry harmless decoder warnings, so they get a second, lenient
    // pass; what it could not decode is then measured, and the file reported either way.
    const decoder = decoderMessageOf(strictError)
    input.strict = false
    const lenient = await pipelineFor(input, encoding)
      .toBuffer()
      .catch(() => null)
    const what = info.format.toUpperCase()
    if (!lenient) return { ok: false, reason: 'corrupt', message: cannotDecode(info.format, decoder) }
    const missing = await missingShare(lenient).catch(() => 1)
    const percent = `${Math.round(missing * 100)} %`
    if (missing >= MOSTLY_MISSING) return { ok: false, reason: 'corrupt', message: `damaged ${what}: about ${percent} of the picture is missing (${decoder})` }
    const extent = missing >= 0.01 ? `about ${percent} of the picture is missing` : 'the picture looks whole'
    encoded = lenient
    warning = `damaged: decoded leniently, ${extent} (${decoder})`
  }
  let size = output.size
  if (spec.maxBytes !== undefined && encoded.length > spec.maxBytes) {
    const fitted = await fitBudget(input, encoding, spec.maxBytes)
    if (!fitted.ok) return { ok: false, reason: 'over-budget', message: fitted.message }
    encoded = fitted.data
    size = fitted.size
    notes.push(fitted.note)
  }
  if (spec.metadata === 'strip-gps') {
    const erased = await removeLocation(encoded, format)
    if (!erased) return { ok: false, reason: 'metadata-unsafe', message: 'its EXIF or IPTC could not be read well enough to be sure the location was removed; nothing was written', failed: true }
    encoded = erased
  }
  return { ok: true, data: encoded, size, notes, ...(warning ? { warning } : {}) }
}

export async function makeOutputs({ task, data }: WorkerInput, abandoned: () => boolean): Promise<MakeReply> {
  const times = { scale: 0, write: 0 }
  const outputs: OutputResult[] = []
  const made: (SourceStamp | null)[] = []
  // Decoded (a HEIC) at the first output that needs it, once for all of them.
  let decodable: Promise<Decodable> | null = null
  const decodableData = (): Promise<Decodable> => (decodable ??= decodableOf(data, task.info))
  if (task.estimateOnly) {
    const started = performance.now()
    const estimates: (number | null)[] = []
    for (const output of task.outputs) estimates.push(await estimateOutput(decodableData(), output, task.info, task.maxPixels))
    return { outputs: [], made: [], times: { scale: performance.now() - started, write: 0 }, bytesRead: 0, estimates }
  }
  for (const output of task.outputs) {
    const base = { output: output.output, path: output.relative, ...(output.renamed ? { renamed: output.renamed } : {}) }
    let bytes: Uint8Array = data
    let size = output.size
    let warning: string | undefined
    let note: string | undefined
    if (output.action === 'scale') {
      const started = performance.now()
      const scaled = await scaleOutput(decodableData(), output, task.info, task.maxPixels)
      times.scale += performance.now() - started
      if (!scaled.ok) {
        outputs.push('failed' in scaled ? { ...base, outcome: 'failed', reason: scaled.reason, message: scaled.message } : { ...base, outcome: 'skipped', reason: scaled.reason, message: scaled.message })
        made.push(null)
        continue
      }
      bytes = scaled.data
      size = scaled.size
      warning = scaled.warning
      if (scaled.notes.length > 0) note = scaled.notes.join('; ')
    }
    const writing = performance.now()
    try {
      const published = await writeOutput({
        path: output.path,
        data: bytes,
        folderId: output.folderId,
        replace: output.replace,
        abandoned,
        ...(task.keepDates ? { mtimeNs: task.stamp.mtimeNs } : {})
      })
      if (published === 'abandoned') {
        outputs.push({ ...base, outcome: 'canceled', message: 'the batch was stopped before this output was published; nothing was written' })
        made.push(null)
      } else if (published === 'exists') {
        outputs.push({ ...base, outcome: 'skipped', reason: 'target-exists', message: 'a file of that name appeared while the batch ran; it is kept' })
        made.push(null)
      } else {
        const stats = await lstat(fsPath(output.path), { bigint: true })
        outputs.push({
          ...base,
          outcome: output.action === 'copy' ? 'copied' : 'scaled',
          size,
          format: output.format,
          bytes: bytes.length,
          ...(warning ? { warning } : {}),
          ...(note ? { note } : {}),
          ...(output.replace.kind === 'stale' ? { replaced: 'stale' as const } : output.replace.kind === 'any' ? { replaced: 'existing' as const } : {})
        })
        made.push(stampOf(stats))
      }
    } catch (error) {
      outputs.push({ ...base, outcome: 'failed', ...failureOf(error) })
      made.push(null)
    }
    times.write += performance.now() - writing
  }
  return { outputs, made, times, bytesRead: 0 }
}
