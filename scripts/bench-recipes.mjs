#!/usr/bin/env node
// Part of `npm run bench`: what recipes cost, measured on the BUILT CLI (the engine's own
// task, not a copy of it) as ratios against a reference run in the same process of
// measurement: three sizes against the largest alone, WebP and AVIF against JPEG at the same
// size, and a byte budget against no budget. A report, not a test: it exits 0 when a target
// is missed, non-zero only when a run went wrong.
//
//   node scripts/bench-recipes.mjs [--images N] [--rounds N] [--corpus DIR] [--json]
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { readdir } from 'node:fs/promises'
import sharp from 'sharp'
import { folderCorpus, stageCorpus, syntheticCorpus } from './bench-corpus.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CLI = join(ROOT, 'bin/imagescale.js')
const log = (text) => process.stderr.write(`bench-recipes: ${text}\n`)
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const { values } = parseArgs({
  options: { images: { type: 'string' }, rounds: { type: 'string' }, corpus: { type: 'string' }, json: { type: 'boolean' } }
})
const IMAGES = Number(values.images ?? 8)
const ROUNDS = Number(values.rounds ?? 3)

/** One run of the CLI into an empty target (else the journal makes it all already-done). */
async function run(source, target, flags) {
  await rm(target, { recursive: true, force: true })
  return new Promise((resolvePromise, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [CLI, source, target, '--json', '--overwrite', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text))
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`imagescale ${flags.join(' ')} exited ${code}: ${stderr.trim()}`))
      const summary = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .find((event) => event.type === 'summary')?.summary
      if (!summary) return reject(new Error(`imagescale ${flags.join(' ')} printed no summary: ${stderr.trim()}`))
      resolvePromise({ engineMs: summary.elapsedMs, wallMs: performance.now() - started, bytesOut: summary.bytesOut, skipped: summary.counts.skipped })
    })
  })
}

const CONFIGS = {
  'one size (-s 3840)': ['-s', '3840'],
  'three sizes (--sizes 3840,1920,800)': ['--sizes', '3840,1920,800'],
  'JPEG at 1920 (-s 1920)': ['-s', '1920'],
  'WebP at 1920': ['-s', '1920', '--format', 'webp'],
  'AVIF at 1920': ['-s', '1920', '--format', 'avif'],
  'JPEG at 1920 within 300 KB': ['-s', '1920', '--max-bytes', '300k']
}

async function main() {
  const corpus = values.corpus
    ? await folderCorpus({ dir: values.corpus, count: IMAGES })
    : await syntheticCorpus({ count: IMAGES, width: 6000, height: 4000, log })
  const work = await mkdtemp(join(tmpdir(), 'imagescale-bench-recipes-'))
  try {
    const source = join(work, 'source')
    const files = await stageCorpus(corpus.files, source)
    const times = Object.fromEntries(Object.keys(CONFIGS).map((name) => [name, []]))
    const bytes = {}
    // Rounds interleave the configurations, so a slow spell of the machine hits them all alike.
    for (let round = 0; round <= ROUNDS; round += 1) {
      for (const [name, flags] of Object.entries(CONFIGS)) {
        const result = await run(source, join(work, 'out'), flags)
        if (round > 0) times[name].push(result.engineMs)
        bytes[name] = result.bytesOut
        log(`round ${round}${round === 0 ? ' (warm-up)' : ''}: ${name} ${Math.round(result.engineMs)} ms`)
      }
    }
    // --sharpen: edge contrast (the spread of a Laplacian) and how far the picture moved (PSNR),
    // on lossless outputs of the same files with and without it.
    const plainDir = join(work, 'plain')
    const sharpDir = join(work, 'sharp')
    await run(source, plainDir, ['-s', '800', '--format', 'png'])
    await run(source, sharpDir, ['-s', '800', '--format', 'png', '--sharpen'])
    const laplacian = async (path) =>
      (await sharp(path).greyscale().convolve({ width: 3, height: 3, kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0], offset: 128 }).stats()).channels[0].stdev
    const psnr = async (a, b) => {
      const [x, y] = await Promise.all([sharp(a).raw().toBuffer(), sharp(b).raw().toBuffer()])
      let sum = 0
      for (let i = 0; i < x.length; i += 1) sum += (x[i] - y[i]) ** 2
      return 10 * Math.log10((255 * 255) / (sum / x.length))
    }
    const gains = []
    const psnrs = []
    for (const name of await readdir(plainDir)) {
      if (name.startsWith('.')) continue
      gains.push((await laplacian(join(sharpDir, name))) / (await laplacian(join(plainDir, name))))
      psnrs.push(await psnr(join(sharpDir, name), join(plainDir, name)))
    }
    const ms = (name) => median(times[name])
    const perImage = (name) => ms(name) / files.length
    const report = {
      images: files.length,
      rounds: ROUNDS,
      medianMs: Object.fromEntries(Object.keys(CONFIGS).map((name) => [name, ms(name)])),
      bytesOut: bytes,
      ratios: {
        threeSizesVsLargest: ms('three sizes (--sizes 3840,1920,800)') / ms('one size (-s 3840)'),
        webpVsJpeg: ms('WebP at 1920') / ms('JPEG at 1920 (-s 1920)'),
        avifVsJpeg: ms('AVIF at 1920') / ms('JPEG at 1920 (-s 1920)'),
        budgetVsNone: ms('JPEG at 1920 within 300 KB') / ms('JPEG at 1920 (-s 1920)')
      },
      sharpen: { edgeContrastGain: median(gains), psnrDb: median(psnrs) },
      perImageMs: { jpeg: perImage('JPEG at 1920 (-s 1920)'), webp: perImage('WebP at 1920'), avif: perImage('AVIF at 1920'), budget: perImage('JPEG at 1920 within 300 KB') }
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      return
    }
    const fixed = (value, digits = 2) => value.toFixed(digits)
    const lines = [
      `recipes: ${files.length} images, median of ${ROUNDS} rounds, engine time of the built CLI`,
      ...Object.keys(CONFIGS).map((name) => `  ${name.padEnd(38)} ${String(Math.round(ms(name))).padStart(7)} ms  ${(bytes[name] / 1e6).toFixed(1).padStart(6)} MB out`),
      '',
      `  three sizes ÷ largest alone        ${fixed(report.ratios.threeSizesVsLargest)}×  (target ≤ 1.6×: ${report.ratios.threeSizesVsLargest <= 1.6 ? 'met' : 'MISSED'})`,
      `  WebP ÷ JPEG at 1920                ${fixed(report.ratios.webpVsJpeg)}×  (${fixed(report.perImageMs.webp, 0)} vs ${fixed(report.perImageMs.jpeg, 0)} ms an image)`,
      `  AVIF ÷ JPEG at 1920                ${fixed(report.ratios.avifVsJpeg)}×  (${fixed(report.perImageMs.avif, 0)} ms an image)`,
      `  300 KB budget ÷ no budget          ${fixed(report.ratios.budgetVsNone)}×  (the quality search's extra encodes)`,
      `  --sharpen at 800                   edge contrast ${fixed((report.sharpen.edgeContrastGain - 1) * 100, 1)} % higher (median), ${fixed(report.sharpen.psnrDb, 1)} dB PSNR from the plain downscale`
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

main().catch((error) => {
  process.stderr.write(`bench-recipes: ${error.stack ?? error}\n`)
  process.exit(1)
})
