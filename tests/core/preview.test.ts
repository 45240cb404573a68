import { execFileSync } from 'node:child_process'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ScaleError } from '../../src/core/errors'
import type { SpawnHost } from '../../src/core/host-protocol'
import { forkHost } from '../../src/core/pool-client'
import { makePreview, type PreviewRequest } from '../../src/core/preview'
import type { OutputPreview, Preview, PreviewImage } from '../../src/shared/preview'
import { LIMITS, OUTPUT_DEFAULTS, type OutputSpec } from '../../src/shared/recipe'
import { HOST_PATH, WORKER_PATH } from '../helpers/built'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { outputsOf, runRecorded } from '../helpers/run'
import { isAlive, listFiles } from './fixtures'

/** The real built host and worker, forked as the CLI forks them; every host's pid is kept. */
function hosts(onSend?: (type: string) => void): { spawnHost: SpawnHost; pids: number[] } {
  const fork = forkHost(HOST_PATH, () => undefined)
  const pids: number[] = []
  const spawnHost: SpawnHost = (args, env) => {
    const host = fork(args, env)
    if (host.pid !== undefined) pids.push(host.pid)
    return {
      get pid() {
        return host.pid
      },
      kill: () => host.kill(),
      send: (message) => {
        host.send(message)
        onSend?.(message.type)
      },
      onMessage: (listener) => host.onMessage(listener),
      onExit: (listener) => host.onExit(listener)
    }
  }
  return { spawnHost, pids }
}

const output = (spec: Partial<OutputSpec> & Pick<OutputSpec, 'resize'>): OutputSpec => ({ ...OUTPUT_DEFAULTS, ...spec })
const long = (size: number) => ({ kind: 'long' as const, size })
const requestFor = (path: string, outputs: OutputSpec[]): PreviewRequest => ({ path, recipe: { outputs }, maxPixels: LIMITS.maxPixels.default })

const bytesOf = (image: PreviewImage): Buffer => Buffer.from(image.base64, 'base64')
const decoded = async (image: PreviewImage) => {
  const { width, height, format } = await sharp(bytesOf(image)).metadata()
  return { width, height, format }
}

type Made = Extract<OutputPreview, { action: 'copy' | 'scale' }>
function made(preview: Preview, index: number): Made {
  const found = preview.outputs[index]
  if (!found || (found.action !== 'copy' && found.action !== 'scale')) throw new Error(`output ${index} was not made: ${JSON.stringify(found)}`)
  return found
}

/** Every file below root with its size and time: what "nothing was written" is checked against. */
async function snapshot(root: string): Promise<string[]> {
  const files = await listFiles(root)
  return Promise.all(files.map(async (file) => `${file} ${(await stat(join(root, file))).size} ${(await stat(join(root, file))).mtimeMs}`))
}

let folders: TempFolders
beforeEach(async () => {
  folders = await tempFolders()
})
afterEach(() => folders.cleanup())

describe('makePreview', () => {
  it('shows each output as a real run writes it: the same bytes, sizes and formats', async () => {
    const path = await writeImage(folders.source, 'photo.jpg', { width: 3000, height: 2000, seed: 3 })
    const outputs = [output({ resize: long(1200), format: 'webp' }), output({ resize: long(400), format: 'jpeg', metadata: 'strip' })]
    const { spawnHost, pids } = hosts()
    const preview = await makePreview(requestFor(path, outputs), { spawnHost, workerPath: WORKER_PATH })

    expect(preview.file).toBe('photo.jpg')
    const source = await readFile(path)
    expect(preview.original.info).toMatchObject({ format: 'jpeg', shown: { width: 3000, height: 2000 }, bytes: source.length })
    // A JPEG is shown as it is: its own bytes.
    expect(preview.original.image.mime).toBe('image/jpeg')
    expect(bytesOf(preview.original.image).equals(source)).toBe(true)

    const webp = made(preview, 0)
    const jpeg = made(preview, 1)
    expect(webp).toMatchObject({ output: 0, action: 'scale', format: 'webp', size: { width: 1200, height: 800 } })
    expect(jpeg).toMatchObject({ output: 1, action: 'scale', format: 'jpeg' })
    for (const [shown, format] of [
      [webp, 'webp'],
      [jpeg, 'jpeg']
    ] as const) {
      expect(await decoded(shown.image)).toEqual({ ...shown.size, format })
      expect(shown.image.mime).toBe(`image/${format}`)
      expect(shown.bytes).toBe(bytesOf(shown.image).length)
      expect(shown.encodeMs).toBeGreaterThanOrEqual(0)
    }

    // The run writes exactly what the preview showed.
    const { events } = await runRecorded(folders.source, folders.target, { recipe: { outputs }, workers: 1 })
    const written = outputsOf(events)
    expect(written.map((o) => o.outcome)).toEqual(['scaled', 'scaled'])
    for (const [index, shown] of [webp, jpeg].entries()) {
      const file = await readFile(join(folders.target, written[index]!.path))
      expect(file.equals(bytesOf(shown.image))).toBe(true)
    }
    // The preview's host is gone once it has answered.
    expect(pids).toHaveLength(1)
    expect(isAlive(pids[0]!)).toBe(false)
  })

  it('reports a TIFF output by its real bytes, and shows it as PNG', async () => {
    const path = await writeImage(folders.source, 'photo.jpg', { width: 900, height: 600, seed: 4 })
    const outputs = [output({ resize: long(300), format: 'tiff' })]
    const preview = await makePreview(requestFor(path, outputs), { ...hosts(), workerPath: WORKER_PATH })
    const tiff = made(preview, 0)
    expect(tiff).toMatchObject({ action: 'scale', format: 'tiff', size: { width: 300, height: 200 } })
    expect(tiff.image.mime).toBe('image/png')
    expect(await decoded(tiff.image)).toEqual({ width: 300, height: 200, format: 'png' })
    const { events } = await runRecorded(folders.source, folders.target, { recipe: { outputs }, workers: 1 })
    const written = await readFile(join(folders.target, outputsOf(events)[0]!.path))
    expect(tiff.bytes).toBe(written.length)
    expect(tiff.bytes).not.toBe(bytesOf(tiff.image).length)
  })

  it('copies an image that already fits, shown as the original', async () => {
    const path = await writeImage(folders.source, 'small.jpg', { width: 200, height: 150, seed: 5 })
    const preview = await makePreview(requestFor(path, [output({ resize: long(400) })]), { ...hosts(), workerPath: WORKER_PATH })
    const copy = made(preview, 0)
    const source = await readFile(path)
    expect(copy).toMatchObject({ action: 'copy', format: 'jpeg', size: { width: 200, height: 150 }, bytes: source.length, encodeMs: 0 })
    expect(bytesOf(copy.image).equals(source)).toBe(true)
  })

  it('shows a turned photo upright, and a TIFF source as a JPEG for display only', async () => {
    const turned = await writeImage(folders.source, 'turned.jpg', { width: 300, height: 200, seed: 6, orientation: 6 })
    const upright = await makePreview(requestFor(turned, [output({ resize: long(150) })]), { ...hosts(), workerPath: WORKER_PATH })
    expect(upright.original.info.shown).toEqual({ width: 200, height: 300 })
    expect(await decoded(upright.original.image)).toEqual({ width: 200, height: 300, format: 'jpeg' })
    expect(await decoded(made(upright, 0).image)).toEqual({ width: 100, height: 150, format: 'jpeg' })

    const tiff = await writeImage(folders.source, 'scan.tif', { width: 400, height: 300, seed: 7, format: 'tiff' })
    const preview = await makePreview(requestFor(tiff, [output({ resize: long(100), format: 'png' })]), { ...hosts(), workerPath: WORKER_PATH })
    expect(preview.original.info).toMatchObject({ format: 'tiff', bytes: (await stat(tiff)).size })
    expect(preview.original.image.mime).toBe('image/jpeg')
    expect(await decoded(preview.original.image)).toEqual({ width: 400, height: 300, format: 'jpeg' })
    expect(await decoded(made(preview, 0).image)).toEqual({ width: 100, height: 75, format: 'png' })
  })

  it('shows a phone HEIC (which no browser shows) as a JPEG, and rejects a damaged one', async () => {
    const jpeg = await writeImage(folders.root, 'phone.jpg', { width: 800, height: 600, seed: 13 })
    const heic = join(folders.source, 'IMG_0001.HEIC')
    // Debian's heif-enc (libheif-examples), as tests/recipes/heic.test.ts makes them.
    execFileSync('heif-enc', ['-q', '90', jpeg, '-o', heic], { stdio: 'pipe' })
    const preview = await makePreview(requestFor(heic, [output({ resize: long(200) })]), { ...hosts(), workerPath: WORKER_PATH })
    expect(preview.original.info).toMatchObject({ format: 'heic', shown: { width: 800, height: 600 } })
    expect(await decoded(preview.original.image)).toEqual({ width: 800, height: 600, format: 'jpeg' })
    expect(made(preview, 0)).toMatchObject({ action: 'scale', format: 'jpeg', size: { width: 200, height: 150 } })

    const cut = join(folders.source, 'cut.heic')
    const whole = await readFile(heic)
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.6)))
    await expect(makePreview(requestFor(cut, [output({ resize: long(200) })]), { ...hosts(), workerPath: WORKER_PATH })).rejects.toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/^cannot preview cut\.heic: damaged/)
    })
  })

  it('says what the recipe changed: a budget met by quality, transparency flattened', async () => {
    const photo = await writeImage(folders.source, 'photo.jpg', { width: 1600, height: 1200, seed: 8 })
    const budget = 40_000
    const fitted = made(await makePreview(requestFor(photo, [output({ resize: long(1200), maxBytes: budget })]), { ...hosts(), workerPath: WORKER_PATH }), 0)
    expect(fitted.note).toMatch(/quality \d+ to fit/)
    expect(fitted.bytes).toBeLessThanOrEqual(budget)
    expect(fitted.bytes).toBe(bytesOf(fitted.image).length)

    const logo = join(folders.source, 'logo.png')
    await sharp({ create: { width: 300, height: 300, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 0.5 } } }).png().toFile(logo)
    const flattened = made(await makePreview(requestFor(logo, [output({ resize: long(100), format: 'jpeg' })]), { ...hosts(), workerPath: WORKER_PATH }), 0)
    expect(flattened.note).toMatch(/flattened onto #ffffff/)
    expect(await decoded(flattened.image)).toEqual({ width: 100, height: 100, format: 'jpeg' })
  })

  it('rejects a file it cannot show with a ScaleError a person can read', async () => {
    const context = { ...hosts(), workerPath: WORKER_PATH }
    const broken = join(folders.source, 'broken.jpg')
    await writeFile(broken, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 0x5a)]))
    const outputs = [output({ resize: long(100) })]
    await expect(makePreview(requestFor(broken, outputs), context)).rejects.toMatchObject({ name: 'ScaleError', code: 'bad-request', message: expect.stringMatching(/^cannot preview broken\.jpg: damaged JPEG/) })

    // A header that reads but pixels that do not: the run would skip it as damaged, so no preview.
    const whole = await readFile(await writeImage(folders.root, 'whole.jpg', { width: 1200, height: 900, seed: 9 }))
    const truncated = join(folders.source, 'truncated.jpg')
    await writeFile(truncated, whole.subarray(0, 2000))
    await expect(makePreview(requestFor(truncated, outputs), context)).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/^cannot preview truncated\.jpg: damaged/) })

    const text = join(folders.source, 'notes.jpg')
    await writeFile(text, 'not a photo at all\n')
    await expect(makePreview(requestFor(text, outputs), context)).rejects.toMatchObject({ code: 'bad-request', message: 'cannot preview notes.jpg: not an image' })

    const missing = join(folders.source, 'missing.jpg')
    const error: unknown = await makePreview(requestFor(missing, outputs), context).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScaleError)
    expect(error).toMatchObject({ code: 'source-unreadable', message: expect.stringMatching(/^cannot preview missing\.jpg: cannot open the file/) })

    const big = await writeImage(folders.source, 'big.jpg', { width: 400, height: 300, seed: 10 })
    await expect(makePreview({ ...requestFor(big, outputs), maxPixels: 1000 }, context)).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/over the limit of 1,000/) })

    await expect(makePreview(requestFor('relative.jpg', outputs), context)).rejects.toMatchObject({ code: 'bad-request' })
    // Every host started for these is gone.
    expect(context.pids.length).toBeGreaterThan(0)
    expect(context.pids.filter(isAlive)).toEqual([])
  })

  it('writes nothing anywhere near the source', async () => {
    const path = await writeImage(folders.source, 'photo.jpg', { width: 1500, height: 1000, seed: 11 })
    const before = await snapshot(folders.root)
    await makePreview(requestFor(path, [output({ resize: long(600), format: 'avif' }), output({ resize: long(300), format: 'tiff', metadata: 'strip-gps' })]), {
      ...hosts(),
      workerPath: WORKER_PATH
    })
    expect(await snapshot(folders.root)).toEqual(before)
  })

  it('kills its host when the preview is no longer wanted, and rejects as aborted', async () => {
    const path = await writeImage(folders.source, 'photo.jpg', { width: 3000, height: 2000, seed: 12 })
    const controller = new AbortController()
    // Aborted the moment the worker is asked to encode: the host is busy, not idle.
    const { spawnHost, pids } = hosts((type) => {
      if (type === 'preview') setImmediate(() => controller.abort())
    })
    const error: unknown = await makePreview(requestFor(path, [output({ resize: long(2000), format: 'avif', effort: 9 })]), { spawnHost, workerPath: WORKER_PATH, signal: controller.signal }).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(ScaleError)
    expect(error).toMatchObject({ name: 'AbortError', code: 'canceled' })
    expect(pids).toHaveLength(1)
    expect(isAlive(pids[0]!)).toBe(false)

    // Already aborted: no host is started at all.
    const none = hosts()
    await expect(makePreview(requestFor(path, [output({ resize: long(100) })]), { ...none, workerPath: WORKER_PATH, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'canceled' })
    expect(none.pids).toEqual([])
  })
})
