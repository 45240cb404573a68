import { open } from 'node:fs/promises'
import { extname } from 'node:path'
import { performance } from 'node:perf_hooks'
import sharp, { type Metadata, type Sharp } from 'sharp'
import type { Dimensions, FileResult, FileTask, StageTimes } from '../shared/batch'
import { decoderMessageOf, failReasonOf, messageOf } from './errors'
import { fitsWithin, strideDimensions } from './geometry'
import { SNIFF_BYTES, sniffFormat, type SupportedFormat } from './formats'
import { TargetExistsError, copyOutput, exists, writeOutput } from './safe-write'

/**
 * The whole life of one file, as run inside a worker thread: read the header, then copy,
 * scale or skip it. It never throws: every outcome is a FileResult with a reason.
 */

const JPEG_QUALITY = 90

interface Clock {
  times: StageTimes
  lap(stage: keyof StageTimes): void
}

function startClock(): Clock {
  let last = performance.now()
  const times: StageTimes = { read: 0, scale: 0, write: 0 }
  return {
    times,
    lap(stage) {
      const now = performance.now()
      times[stage] += now - last
      last = now
    }
  }
}

async function readHead(path: string): Promise<{ head: Uint8Array; bytes: number }> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    const head = new Uint8Array(SNIFF_BYTES)
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0)
    return { head: head.subarray(0, bytesRead), bytes: size }
  } finally {
    await handle.close()
  }
}

function displayedSize(meta: Metadata): Dimensions {
  // Animated images stack their frames vertically; one frame is what a person sees.
  const frames = meta.pages ?? 1
  const orientedHeight = meta.autoOrient.height
  return frames > 1 && meta.pageHeight
    ? { width: meta.autoOrient.width, height: Math.round(orientedHeight / frames) }
    : { width: meta.autoOrient.width, height: orientedHeight }
}

function encode(pipeline: Sharp, format: SupportedFormat): Sharp {
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
      return pipeline.gif()
  }
}

function buildPipeline(task: FileTask, format: SupportedFormat, shown: Dimensions, animated: boolean, strict: boolean): Sharp {
  const input = sharp(task.sourcePath, {
    // The lenient pass still fails on truncation, judged by libvips per image: the error text
    // cannot be trusted for that, as libvips' error buffer is shared by every worker thread.
    failOn: strict ? 'warning' : 'truncated',
    limitInputPixels: task.maxPixels,
    animated
  })
    .autoOrient()
    // Photographers keep their EXIF, ICC and IPTC; autoOrient has already reset the orientation tag.
    .keepMetadata()
  const resized =
    task.mode === 'smooth'
      ? input.resize(task.size, task.size, { fit: 'inside', withoutEnlargement: true })
      : (() => {
          const { width, height } = strideDimensions(shown, task.size)
          return input.resize(width, height, { fit: 'fill', kernel: 'nearest' })
        })()
  return encode(resized, format)
}

async function scaleToBuffer(
  task: FileTask,
  format: SupportedFormat,
  shown: Dimensions,
  animated: boolean
): Promise<{ data: Buffer; output: Dimensions; warning?: string }> {
  const run = async (strict: boolean): Promise<{ data: Buffer; output: Dimensions }> => {
    const { data, info } = await buildPipeline(task, format, shown, animated, strict).toBuffer({ resolveWithObject: true })
    return { data, output: { width: info.width, height: animated && info.pageHeight ? info.pageHeight : info.height } }
  }
  try {
    return await run(true)
  } catch (strictError) {
    // Real camera files often carry harmless decoder warnings, so they get a second, lenient
    // pass; libvips itself still refuses a file that ends early (failOn 'truncated').
    const lenient = await run(false).catch(() => {
      throw strictError
    })
    return { ...lenient, warning: `decoded leniently: ${decoderMessageOf(strictError)}` }
  }
}

export async function scaleOne(task: FileTask): Promise<FileResult> {
  const clock = startClock()
  const base = { file: task.file, bytesIn: 0, bytesOut: 0, times: clock.times }
  const skip = (reason: NonNullable<FileResult['reason']>, message: string, extra: Partial<FileResult> = {}): FileResult => ({
    ...base,
    ...extra,
    action: 'skipped',
    reason,
    message
  })

  let head: Uint8Array
  try {
    const read = await readHead(task.sourcePath)
    head = read.head
    base.bytesIn = read.bytes
  } catch (error) {
    return skip('corrupt', `cannot read the file: ${messageOf(error)}`)
  }
  const sniffed = sniffFormat(head, extname(task.sourcePath))
  if (sniffed.kind === 'unknown') return skip('not-an-image', 'not an image')
  if (sniffed.kind === 'unsupported') {
    return skip('unsupported-format', `${sniffed.format} images are not supported`, { format: sniffed.format })
  }
  const format = sniffed.format
  const keepExisting = task.existing === 'skip'
  if (keepExisting && (await exists(task.targetPath))) {
    return skip('target-exists', 'the output already exists', { format })
  }

  let meta: Metadata
  try {
    meta = await sharp(task.sourcePath, { limitInputPixels: false }).metadata()
  } catch (error) {
    return skip('corrupt', `damaged ${format.toUpperCase()}, its header cannot be read (${decoderMessageOf(error)})`, { format })
  }
  const shown = displayedSize(meta)
  const frames = meta.pages ?? 1
  clock.lap('read')
  if (meta.width * meta.height > task.maxPixels) {
    return skip(
      'too-large',
      `${meta.width}×${meta.height} is over the limit of ${task.maxPixels.toLocaleString('en')} pixels`,
      { format, input: shown }
    )
  }

  const done = { ...base, format, input: shown }
  try {
    if (fitsWithin(shown, task.size)) {
      await copyOutput(task.sourcePath, task.targetPath, keepExisting)
      clock.lap('write')
      return { ...done, action: 'copied', output: shown, bytesOut: base.bytesIn }
    }
    let scaled: Awaited<ReturnType<typeof scaleToBuffer>>
    try {
      scaled = await scaleToBuffer(task, format, shown, frames > 1)
    } catch (error) {
      return skip('corrupt', `damaged or incomplete ${format.toUpperCase()}, it cannot be decoded (${decoderMessageOf(error)})`, { format, input: shown })
    }
    clock.lap('scale')
    await writeOutput(task.targetPath, scaled.data, keepExisting)
    clock.lap('write')
    return {
      ...done,
      action: 'scaled',
      output: scaled.output,
      bytesOut: scaled.data.length,
      ...(scaled.warning ? { message: scaled.warning } : {})
    }
  } catch (error) {
    if (error instanceof TargetExistsError) return skip('target-exists', error.message, { format, input: shown })
    return { ...done, action: 'failed', ...failReasonOf(error) }
  }
}
