#!/usr/bin/env node
// A bare-sharp pipeline with a switch for each setting, for scripts/bench-probe.mjs to price
// settings one at a time (orientation, metadata, pre-shrink, flushing). It is NOT the engine:
// `npm run bench` times the built CLI itself, and its "separate processes" ceiling is N copies
// of that CLI. Run as a program it scales the files it is given one after the other:
// `node scripts/bench-pipeline.mjs smooth|stride SIZE OUT_DIR FILE...`.
import { mkdir, open, rename } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'

/** As src/core/worker.ts: one image per thread, no operation cache. */
export function likeWorker() {
  sharp.concurrency(1)
  sharp.cache(false)
}

/**
 * One file: header, then decode → (auto-orient) → resize → encode into memory, then a
 * temp file written, flushed and renamed, as the engine does. Returns ms per stage.
 */
export async function scaleLikeEngine(file, out, v = {}) {
  const size = v.size ?? 1920
  const t0 = performance.now()
  const meta = await sharp(file, { limitInputPixels: false }).metadata()
  const t1 = performance.now()
  let pipeline = sharp(file, { failOn: 'warning', limitInputPixels: 268_402_689 })
  if (v.orient !== false) pipeline = pipeline.autoOrient()
  if (v.keep !== false) pipeline = pipeline.keepMetadata()
  if (v.mode === 'stride') {
    const w = meta.autoOrient.width
    const h = meta.autoOrient.height
    const stride = Math.ceil(Math.max(w / size, h / size))
    pipeline = pipeline.resize(Math.ceil(w / stride), Math.ceil(h / stride), { fit: 'fill', kernel: 'nearest', fastShrinkOnLoad: v.preshrink !== false })
  } else if (v.mode === 'decode') {
    pipeline = pipeline.raw()
  } else {
    pipeline = pipeline.resize(size, size, { fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: v.preshrink !== false })
  }
  // Same format out as in, as the engine's default recipe does.
  if (v.mode !== 'decode') {
    if (meta.format === 'png') pipeline = pipeline.png()
    else if (meta.format === 'webp') pipeline = pipeline.webp()
    else if (meta.format === 'tiff') pipeline = pipeline.tiff()
    else pipeline = pipeline.jpeg({ quality: v.quality ?? 90 })
  }
  const data = await pipeline.toBuffer()
  const t2 = performance.now()
  if (v.mode !== 'decode' && v.write !== false) {
    const temp = `${out}.tmp`
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(data)
      if (v.sync !== false) await handle.datasync()
    } finally {
      await handle.close()
    }
    await rename(temp, out)
  }
  const t3 = performance.now()
  return { read: t1 - t0, scale: t2 - t1, write: t3 - t2, total: t3 - t0 }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, size, outDir, ...files] = process.argv.slice(2)
  likeWorker()
  await mkdir(outDir, { recursive: true })
  // Timed from here: process start-up and module loading are not the pipeline's.
  const started = performance.now()
  for (const file of files) await scaleLikeEngine(file, join(outDir, basename(file)), { mode, size: Number(size) })
  process.stdout.write(`${JSON.stringify({ elapsedMs: performance.now() - started })}\n`)
}
