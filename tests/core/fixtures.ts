import { execFileSync } from 'node:child_process'
import { constants } from 'node:fs'
import { access, chmod, readdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { expect } from 'vitest'
import { forkHost } from '../../src/core/pool-client'
import { runBatch, type BatchContext } from '../../src/core/runner'
import type { BatchEvent, Dimensions, FileResult, ImageFormat, Outcome, OutputResult, SourceInfo, StageTimes, Summary } from '../../src/shared/batch'
import type { FailReason, SkipReason } from '../../src/shared/reasons'
import { HOST_PATH, WORKER_PATH } from '../helpers/built'
import { plansOf, requestFor, resultsOf, type Recorded, type RunControl, type RunOverrides } from '../helpers/run'

/** Shared by the core tests: raw pixel pictures, file listings and the invariants every run must keep. */

export type Rgb = readonly [number, number, number]

export const RED: Rgb = [255, 0, 0]
export const GREEN: Rgb = [0, 200, 0]
export const BLUE: Rgb = [0, 0, 255]
export const WHITE: Rgb = [255, 255, 255]

export interface RawImage {
  width: number
  height: number
  data: Buffer
}

export const colourDistance = (a: Rgb, b: Rgb): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])

/** A picture whose four quadrants are red, green (top right), blue (bottom left) and white. */
export function quadrants(width: number, height: number): RawImage {
  const data = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const top = y < height / 2
      const left = x < width / 2
      const colour = top ? (left ? RED : GREEN) : left ? BLUE : WHITE
      data.set(colour, (y * width + x) * 3)
    }
  }
  return { width, height, data }
}

/**
 * Where a stored pixel appears once a viewer applies EXIF orientation `o` (the EXIF 2.3
 * definitions, written out by hand so the test does not trust libvips to check libvips).
 */
function displayedAt(o: number, x: number, y: number, sw: number, sh: number): [number, number] {
  switch (o) {
    case 1:
      return [x, y]
    case 2:
      return [sw - 1 - x, y]
    case 3:
      return [sw - 1 - x, sh - 1 - y]
    case 4:
      return [x, sh - 1 - y]
    case 5:
      return [y, x]
    case 6:
      return [sh - 1 - y, x]
    case 7:
      return [sh - 1 - y, sw - 1 - x]
    case 8:
      return [y, sw - 1 - x]
    default:
      throw new Error(`no EXIF orientation ${o}`)
  }
}

/** The pixels a camera would store so that, shown with orientation `o`, the picture is `upright`. */
export function storedFor(upright: RawImage, o: number): RawImage {
  const swapped = o >= 5
  const width = swapped ? upright.height : upright.width
  const height = swapped ? upright.width : upright.height
  const data = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const [dx, dy] = displayedAt(o, x, y, width, height)
      upright.data.copy(data, (y * width + x) * 3, (dy * upright.width + dx) * 3, (dy * upright.width + dx + 1) * 3)
    }
  }
  return { width, height, data }
}

export async function writeRawJpeg(path: string, image: RawImage, orientation?: number): Promise<void> {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
  if (orientation !== undefined) pipeline = pipeline.withMetadata({ orientation })
  await pipeline.jpeg({ quality: 95 }).toFile(path)
}

/** Decodes an image fully (strictly: a truncated file throws) to 3-channel pixels, as stored. */
export async function decodeStrict(path: string): Promise<RawImage> {
  const { data, info } = await sharp(path, { failOn: 'truncated' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data }
}

/** Mean red, green and blue of an image as a viewer shows it (8-bit sRGB, whatever it is stored as). */
export async function meanColour(path: string): Promise<Rgb> {
  const { data, info } = await sharp(path).toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
  const sums = [0, 0, 0]
  for (let at = 0; at < data.length; at += info.channels) for (let c = 0; c < 3; c += 1) sums[c]! += data[at + c]!
  const pixels = data.length / info.channels
  return [sums[0]! / pixels, sums[1]! / pixels, sums[2]! / pixels]
}

export function pixel(image: RawImage, x: number, y: number): Rgb {
  const at = (y * image.width + x) * 3
  return [image.data[at]!, image.data[at + 1]!, image.data[at + 2]!]
}

/** Every file below `root` (hidden ones included), '/'-separated and sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1).split('\\').join('/'))
    .sort()
}

/** The journal a run keeps in its target (documented name: people see it, scripts may look for it). */
export const JOURNAL = '.imagescale-journal.jsonl'

/**
 * Something of ours that must never outlive a run: a temp output, a name-rule probe, anything
 * hidden with our mark — everything but the journal, which is meant to stay.
 */
export const isTempName = (name: string): boolean => {
  const base = basename(name)
  return base !== JOURNAL && (base.includes('.imagescale-') || base.includes('.IMAGESCALE-') || base.endsWith('.tmp'))
}

/** The outputs below `root`: every file but the target's journal. */
export async function listOutputs(root: string): Promise<string[]> {
  return (await listFiles(root)).filter((file) => file !== JOURNAL)
}

/**
 * A real, valid PNG bomb: 1-bit grey, one colour, so a huge claimed size compresses to a few
 * kilobytes. Built by hand because making it with libvips means decoding what we must refuse.
 */
export async function writePngBomb(path: string, width: number, height: number): Promise<void> {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc32 = (bytes: Buffer): number => {
    let c = 0xffffffff
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, body: Buffer): Buffer => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body])
    const length = Buffer.alloc(4)
    length.writeUInt32BE(body.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(typed))
    return Buffer.concat([length, typed, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([1, 0, 0, 0, 0], 8) // bit depth 1, greyscale, deflate, no filter, no interlace
  const row = Buffer.alloc(1 + Math.ceil(width / 8)) // filter byte 0, then all-black pixels
  const raw = Buffer.alloc(row.length * height)
  const idat = deflateSync(raw, { level: 9 })
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  await writeFile(path, Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]))
}

/**
 * Makes a folder unwritable even for root (who ignores permission bits): the immutable
 * attribute when running as root, plain permissions otherwise. Returns the undo.
 */
export async function makeUnwritable(folder: string): Promise<() => Promise<void>> {
  const root = process.getuid?.() === 0
  if (root) {
    try {
      execFileSync('chattr', ['+i', folder], { stdio: 'pipe' })
    } catch (error) {
      throw new Error(`as root, ${folder} can only be made unwritable with chattr +i (CAP_LINUX_IMMUTABLE, ext4/xfs/btrfs): ${String(error)}`)
    }
  } else await chmod(folder, 0o555)
  const undo = async (): Promise<void> => {
    if (root) execFileSync('chattr', ['-i', folder])
    else await chmod(folder, 0o755)
  }
  const writable = await access(folder, constants.W_OK).then(
    () => true,
    () => false
  )
  if (writable) {
    await undo()
    throw new Error(`cannot make ${folder} unwritable on this machine`)
  }
  return undo
}

const UNIT_OUTCOMES: readonly Outcome[] = ['copied', 'scaled', 'skipped', 'failed', 'canceled']

/**
 * The invariant of every run, in units (one per output of each file, or one for a file that
 * was skipped, failed or canceled as a whole): every unit is in exactly one bucket, the buckets
 * add up to todo, and the summary agrees with the events one by one.
 */
export function expectBalanced(summary: Summary, events: BatchEvent[]): FileResult[] {
  const results = resultsOf(events)
  const plans = plansOf(events)
  const { counts } = summary
  expect(counts.copied + counts.scaled + counts.skipped + counts.failed + counts.canceled, 'the buckets add up to todo').toBe(summary.todo)

  // Each source file is reported once: a result, a plan (dry run), or only counted as not started.
  const files = [...results.map((r) => r.file), ...plans.map((p) => p.file)]
  expect(new Set(files).size, 'no file is reported twice').toBe(files.length)
  expect(summary.files).toBe(files.length + summary.notStarted)
  if (!summary.canceled) expect(summary.notStarted).toBe(0)
  if (!summary.dryRun) expect(plans).toEqual([])

  const recount: Record<Outcome, number> = { copied: 0, scaled: 0, skipped: 0, failed: 0, canceled: summary.notStarted * summary.outputs }
  const skippedBy: Partial<Record<SkipReason, number>> = {}
  const failedBy: Partial<Record<FailReason, number>> = {}
  const bump = <K extends string>(map: Partial<Record<K, number>>, key: K): void => void (map[key] = (map[key] ?? 0) + 1)
  let warnings = 0
  let remade = 0
  let bytesIn = 0
  let bytesOut = 0
  for (const result of results) {
    expectConsistent(result, summary.outputs)
    bytesIn += result.bytesIn
    if (result.outcome !== 'done') {
      recount[result.outcome] += 1
      if (result.outcome === 'skipped') bump(skippedBy, result.reason)
      if (result.outcome === 'failed') bump(failedBy, result.reason)
      continue
    }
    for (const output of result.outputs) {
      recount[output.outcome] += 1
      if (output.outcome === 'skipped') bump(skippedBy, output.reason)
      if (output.outcome === 'failed') bump(failedBy, output.reason)
      if (output.outcome === 'copied' || output.outcome === 'scaled') {
        bytesOut += output.bytes
        if (output.warning) warnings += 1
        if (output.replaced === 'stale') remade += 1
      }
    }
  }
  for (const plan of plans) {
    expect(plan.outputs.map((o) => o.output)).toEqual([...Array(summary.outputs).keys()])
    for (const output of plan.outputs) {
      if (output.action === 'skip') {
        recount.skipped += 1
        bump(skippedBy, output.reason)
      } else recount[output.action === 'copy' ? 'copied' : 'scaled'] += 1
    }
  }
  expect(counts).toEqual(recount)
  expect(summary.skippedBy).toEqual(skippedBy)
  expect(summary.failedBy).toEqual(failedBy)
  expect(summary.warnings).toBe(warnings)
  expect(summary.remade).toBe(remade)
  expect(summary.bytesOut).toBe(bytesOut)
  // Files probed and then never started were read, but have no result to carry the bytes.
  if (summary.notStarted === 0 && !summary.dryRun) expect(summary.bytesIn).toBe(bytesIn)
  else expect(summary.bytesIn).toBeGreaterThanOrEqual(bytesIn)
  for (const outcome of UNIT_OUTCOMES) expect(counts[outcome]).toBeGreaterThanOrEqual(0)
  return results
}

/** One file's result says one coherent thing: every output once, in recipe order, each complete. */
export function expectConsistent(result: FileResult, outputs: number): void {
  const where = `${result.file}: ${JSON.stringify(result)}`
  expect(result.bytesIn, where).toBeGreaterThanOrEqual(0)
  for (const stage of ['read', 'scale', 'write'] as const) expect(result.times[stage], where).toBeGreaterThanOrEqual(0)
  switch (result.outcome) {
    case 'done':
      expect(result.outputs.map((o) => o.output), where).toEqual([...Array(outputs).keys()])
      expect(new Set(result.outputs.map((o) => o.path)).size, `${where}: two outputs share a path`).toBe(outputs)
      for (const output of result.outputs) {
        expect(output.path, where).not.toMatch(/^\/|(^|\/)\.\.?(\/|$)/)
        if (output.outcome === 'copied' || output.outcome === 'scaled') {
          expect(output.bytes, where).toBeGreaterThan(0)
          expect(output.size.width, where).toBeGreaterThanOrEqual(1)
          expect(output.size.height, where).toBeGreaterThanOrEqual(1)
          // A copy is the source itself: same size and format, same bytes.
          if (output.outcome === 'copied' && result.info) {
            expect(output.size, where).toEqual(result.info.shown)
            expect(output.format, where).toBe(result.info.format)
            expect(output.bytes, where).toBe(result.info.bytes)
          }
        } else expect('message' in output && output.message, where).toBeTruthy()
      }
      // A file whose every output is done is not read again; one with anything left to make is.
      if (!result.info) {
        expect(result.outputs.every((o) => o.outcome === 'skipped' && o.reason === 'already-done'), where).toBe(true)
        expect(result.bytesIn, `${where}: a finished file is not read again`).toBe(0)
      }
      break
    default:
      expect(result.message, where).toBeTruthy()
  }
}

export function resultFor(results: FileResult[], file: string): FileResult {
  const result = results.find((r) => r.file === file)
  if (!result) throw new Error(`no result for ${file}; got ${results.map((r) => r.file).join(', ')}`)
  return result
}

/**
 * What a one-output batch did to one file, flattened: its single output merged with the file's
 * `info`, `bytesIn` and `times` when the file was done, else the file's own result.
 */
export interface Unit {
  file: string
  outcome: Outcome
  reason?: SkipReason | FailReason
  message?: string
  info?: SourceInfo
  path?: string
  size?: Dimensions
  format?: ImageFormat
  bytes?: number
  warning?: string
  replaced?: 'stale' | 'existing'
  renamed?: OutputResult['renamed']
  bytesIn: number
  times: StageTimes
}

export function unitFor(results: FileResult[], file: string): Unit {
  const result = resultFor(results, file)
  if (result.outcome !== 'done') return result
  expect(result.outputs, `${file} has one output`).toHaveLength(1)
  return { file, bytesIn: result.bytesIn, times: result.times, ...(result.info ? { info: result.info } : {}), ...result.outputs[0]! }
}

/** Like runRecorded, and also records the pid of every pool host the batch started. */
export async function runWatched(source: string, target: string, overrides: RunOverrides = {}, control: RunControl = {}): Promise<Recorded & { hosts: number[] }> {
  const events: BatchEvent[] = []
  const hosts: number[] = []
  const fork = forkHost(HOST_PATH, () => undefined)
  const spawnHost: BatchContext['spawnHost'] = (args, env) => {
    const host = fork(args, { ...env, ...control.hostEnv })
    if (host.pid !== undefined) hosts.push(host.pid)
    return host
  }
  const summary = await runBatch(requestFor(source, target, overrides), {
    spawnHost,
    workerPath: WORKER_PATH,
    signal: control.signal,
    stopNow: control.stopNow,
    hostTimeoutMs: control.hostTimeoutMs,
    onEvent: (event) => {
      events.push(event)
      control.onEvent?.(event)
    }
  })
  return { summary, events, hosts }
}

/** True while a process (a pool host, say) is still there. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
