// The benchmark's image set: camera-like 24 MP JPEGs generated once and cached, or a folder
// of real photos. Either way the run gets a flat folder of links to exactly the chosen files.
import { copyFile, link, mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, extname, join } from 'node:path'
import sharp from 'sharp'

/** Bump when the generator changes, so cached sets from an older generator are not reused. */
export const CORPUS_VERSION = 'v2'

/** The formats both imagescale and vipsthumbnail handle, with vipsthumbnail's output suffix. */
export const VIPS_OUTPUT = { jpeg: '.jpg[Q=90]', png: '.png', webp: '.webp', tiff: '.tif' }

/** mulberry32: deterministic pixels, so a regenerated set is the same set. */
function random(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Random values on a coarse grid, upscaled smoothly: one octave of value noise. */
async function noiseField(next, width, height, cell, channels) {
  const w = Math.max(2, Math.ceil(width / cell))
  const h = Math.max(2, Math.ceil(height / cell))
  const cells = Buffer.alloc(w * h * channels)
  for (let i = 0; i < cells.length; i += 1) cells[i] = (next() * 256) | 0
  return sharp(cells, { raw: { width: w, height: h, channels } })
    .resize(width, height, { kernel: 'cubic', fit: 'fill' })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer()
}

/**
 * A photo-like picture: soft colour regions, luminance detail at four scales (sky to
 * foliage), hard-edged objects and sensor grain. At quality 90 a 24 MP one is about 7.5 MB and
 * decodes like a camera file; flat colour would be a fraction of both.
 */
async function photoLike(width, height, seed) {
  const next = random(seed)
  const colour = await noiseField(next, width, height, width / 12, 3)
  const octaves = []
  for (const [divisor, amplitude] of [[20, 60], [150, 35], [750, 25], [3000, 18]]) {
    octaves.push({ field: await noiseField(next, width, height, width / divisor, 1), amplitude: amplitude / 128 })
  }
  const edges = new Int16Array(width * height)
  for (let n = 0; n < 40; n += 1) {
    const cx = next() * width
    const cy = next() * height
    const r = (0.01 + next() * 0.08) * width
    const delta = Math.round((next() - 0.5) * 70)
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(height - 1, Math.ceil(cy + r)); y += 1) {
      const half = Math.sqrt(Math.max(0, r * r - (y - cy) ** 2))
      const row = y * width
      for (let x = Math.max(0, Math.floor(cx - half)); x <= Math.min(width - 1, Math.ceil(cx + half)); x += 1) edges[row + x] += delta
    }
  }
  const grain = 8
  const pixels = Buffer.alloc(width * height * 3)
  for (let p = 0, i = 0; p < width * height; p += 1, i += 3) {
    let light = edges[p] + (next() - 0.5) * 2 * grain
    for (const { field, amplitude } of octaves) light += (field[p] - 128) * amplitude
    const grey = (0.6 * (colour[i] + colour[i + 1] + colour[i + 2])) / 3 + 40 + light
    for (let c = 0; c < 3; c += 1) {
      const value = grey + 0.55 * (colour[i + c] - 128) + (next() - 0.5) * grain * 0.6
      pixels[i + c] = value < 0 ? 0 : value > 255 ? 255 : value
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .withMetadata({ orientation: 1 })
    .withExif({ IFD0: { Make: 'ImageScale', Model: 'bench synthetic camera' } })
    .jpeg({ quality: 90 })
    .toBuffer()
}

/** Generates what is missing of the cached set; each file appears only once complete. */
export async function syntheticCorpus({ count, width, height, log }) {
  const dir = join(tmpdir(), 'imagescale-bench-corpus', `${CORPUS_VERSION}-${width}x${height}`)
  await mkdir(dir, { recursive: true })
  const files = []
  for (let n = 0; n < count; n += 1) {
    const file = join(dir, `photo-${String(n + 1).padStart(3, '0')}.jpg`)
    files.push(file)
    if (await stat(file).then(() => true, () => false)) continue
    log(`generating ${basename(file)} (${width}×${height}) into ${dir}`)
    const data = await photoLike(width, height, 1000 + n)
    const partial = `${file}.partial-${process.pid}`
    // The encoded bytes as they are: sharp(data).toFile() would decode and re-encode them.
    await writeFile(partial, data).catch(async (error) => {
      await unlink(partial).catch(() => undefined)
      throw error
    })
    await rename(partial, file)
  }
  return { dir, files, synthetic: true }
}

async function walk(dir) {
  const found = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await walk(path)))
    else if (entry.isFile()) found.push(path)
  }
  return found.sort()
}

/** Real photos: every readable image of a format both tools handle, the first `count` if given. */
export async function folderCorpus({ dir, count }) {
  const files = []
  for (const file of await walk(dir)) {
    if (count && files.length >= count) break
    const meta = await sharp(file).metadata().catch(() => null)
    if (meta && meta.format in VIPS_OUTPUT) files.push(file)
  }
  if (files.length === 0) throw new Error(`no JPEG, PNG, WebP or TIFF images in ${dir}`)
  return { dir, files, synthetic: false }
}

/**
 * Describes every file (format, displayed size, bytes) and links it into `into`, flat and
 * numbered, so the CLI and vipsthumbnail see exactly the same files and nothing else.
 */
export async function stageCorpus(files, into) {
  await mkdir(into, { recursive: true })
  const staged = []
  for (const [n, file] of files.entries()) {
    const meta = await sharp(file).metadata()
    const name = `${String(n + 1).padStart(3, '0')}-${basename(file, extname(file))}${extname(file).toLowerCase()}`
    const path = join(into, name)
    await link(file, path).catch(() => copyFile(file, path))
    staged.push({
      name,
      path,
      format: meta.format,
      width: meta.autoOrient?.width ?? meta.width,
      height: meta.autoOrient?.height ?? meta.height,
      bytes: (await stat(file)).size,
      progressive: meta.isProgressive === true
    })
  }
  return staged
}
