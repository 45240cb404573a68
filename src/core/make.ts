import { lstat } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import sharp, { type Sharp } from 'sharp'
import type { ImageFormat, OutputResult, SourceStamp } from '../shared/batch'
import { decoderMessageOf, failureOf } from './errors'
import type { MakeOutput, MakeReply, WorkerInput } from './host-protocol'
import { fsPath } from './paths'
import { stampOf, writeOutput } from './safe-write'

/**
 * Makes the planned outputs of one file, inside a worker thread, from the bytes the pool host
 * read: copies are those bytes, unchanged; scaled outputs go through one libvips pipeline each.
 * It never throws: every outcome is an OutputResult with a reason.
 */

const JPEG_QUALITY = 90

/**
 * A lenient decode fills what it cannot read with mid-grey. When most of the picture is that
 * grey, the output would be a grey card with a strip of photo: the file is called damaged.
 */
const MOSTLY_MISSING = 0.5

function encode(pipeline: Sharp, format: ImageFormat): Sharp {
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality: JPEG_QUALITY })
    case 'png':
      return pipeline.png()
    case 'webp':
      return pipeline.webp()
    case 'avif':
      return pipeline.avif()
    case 'tiff':
      return pipeline.tiff()
    case 'gif':
      // libvips' default effort took 40 s for a 3-frame photo GIF at 1920; effort 1 took 4 s
      // for an output that differs little (measured: see the README's Reliability section).
      return pipeline.gif({ effort: 1 })
  }
}

function pipelineFor(data: Uint8Array, output: MakeOutput, frames: number, maxPixels: number, strict: boolean): Sharp {
  const input = sharp(data, {
    // The lenient pass still refuses truncation, judged by libvips per image: the error text
    // cannot be trusted for that, as libvips' error buffer is shared by every worker thread.
    failOn: strict ? 'warning' : 'truncated',
    limitInputPixels: maxPixels,
    animated: frames > 1
  })
    .autoOrient()
    // Photographers keep their EXIF, ICC and IPTC; autoOrient has already reset the orientation tag.
    .keepMetadata()
  const { width, height } = output.size
  const resized = input.resize(width, height, { fit: 'fill', kernel: output.mode === 'stride' ? 'nearest' : 'lanczos3' })
  return encode(resized, output.format)
}

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

type Scaled = { ok: true; data: Buffer; warning?: string } | { ok: false; message: string }

async function scale(data: Uint8Array, output: MakeOutput, frames: number, maxPixels: number, format: string): Promise<Scaled> {
  try {
    return { ok: true, data: await pipelineFor(data, output, frames, maxPixels, true).toBuffer() }
  } catch (strictError) {
    // Real camera files often carry harmless decoder warnings, so they get a second, lenient
    // pass; what it could not decode is then measured, and the file reported either way.
    const decoder = decoderMessageOf(strictError)
    const lenient = await pipelineFor(data, output, frames, maxPixels, false)
      .toBuffer()
      .catch(() => null)
    if (!lenient) return { ok: false, message: `damaged or incomplete ${format.toUpperCase()}, it cannot be decoded (${decoder})` }
    const missing = await missingShare(lenient).catch(() => 1)
    const percent = `${Math.round(missing * 100)} %`
    if (missing >= MOSTLY_MISSING) return { ok: false, message: `damaged ${format.toUpperCase()}: about ${percent} of the picture is missing (${decoder})` }
    const extent = missing >= 0.01 ? `about ${percent} of the picture is missing` : 'the picture looks whole'
    return { ok: true, data: lenient, warning: `damaged: decoded leniently, ${extent} (${decoder})` }
  }
}

export async function makeOutputs({ task, data }: WorkerInput, abandoned: () => boolean): Promise<MakeReply> {
  const times = { scale: 0, write: 0 }
  const outputs: OutputResult[] = []
  const made: (SourceStamp | null)[] = []
  for (const output of task.outputs) {
    const base = { output: output.output, path: output.relative, ...(output.renamed ? { renamed: output.renamed } : {}) }
    let bytes: Uint8Array = data
    let warning: string | undefined
    if (output.action === 'scale') {
      const started = performance.now()
      const scaled = await scale(data, output, task.info.frames, task.maxPixels, task.info.format)
      times.scale += performance.now() - started
      if (!scaled.ok) {
        outputs.push({ ...base, outcome: 'skipped', reason: 'corrupt', message: scaled.message })
        made.push(null)
        continue
      }
      bytes = scaled.data
      warning = scaled.warning
    }
    const writing = performance.now()
    try {
      const published = await writeOutput({ path: output.path, data: bytes, folderId: output.folderId, replace: output.replace, abandoned })
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
          size: output.size,
          format: output.format,
          bytes: bytes.length,
          ...(warning ? { warning } : {}),
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
