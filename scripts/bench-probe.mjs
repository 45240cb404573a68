#!/usr/bin/env node
// Probes behind the benchmark's numbers (not part of npm run bench): where one image's time
// goes, what each engine setting costs, and how much parallel capacity the machine really has.
//
//   node scripts/bench-probe.mjs capacity            pure-CPU loop: N processes vs 1
//   node scripts/bench-probe.mjs stages [DIR]        one thread, variants of the engine's pipeline
//   node scripts/bench-probe.mjs parallel [DIR]      1 vs N worker threads in one process, per setting
//   node scripts/bench-probe.mjs vips [DIR]          vipsthumbnail, 1 vs N processes, per setting
//
// DIR defaults to the benchmark's cached 24 MP set (run npm run bench once first).
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { CORPUS_VERSION } from './bench-corpus.mjs'
import { cpuMeter, waitForQuiet } from './bench-cpu.mjs'
import { likeWorker, scaleLikeEngine } from './bench-pipeline.mjs'

const SELF = fileURLToPath(import.meta.url)
const SIZE = 1920
const scale = scaleLikeEngine
const N = availableParallelism()
const defaultDir = join(tmpdir(), 'imagescale-bench-corpus', `${CORPUS_VERSION}-6000x4000`)

async function imagesIn(dir) {
  return (await readdir(dir)).filter((name) => /\.(jpe?g|png|webp|tiff?)$/i.test(name)).sort().map((name) => join(dir, name))
}

const VARIANTS = {
  engine: { label: 'engine as built (autoOrient, keepMetadata, preshrink, q90, datasync)' },
  nosync: { label: '… without datasync', sync: false },
  nokeep: { label: '… without keepMetadata', keep: false },
  noorient: { label: '… without autoOrient', orient: false },
  q75: { label: '… JPEG quality 75', quality: 75 },
  nopreshrink: { label: '… no JPEG shrink-on-load (as vipsthumbnail does for 3.1×)', preshrink: false },
  stride: { label: 'stride (nearest) as built', mode: 'stride' },
  stridefull: { label: 'stride without shrink-on-load (full decode)', mode: 'stride', preshrink: false },
  decode: { label: 'full-size decode only, no resize/encode/write', mode: 'decode' }
}

async function runList(files, outDir, variant) {
  const times = []
  for (const [n, file] of files.entries()) times.push(await scale(file, join(outDir, `${n}.jpg`), variant))
  return times
}

// ---------------------------------------------------------------- worker thread side

if (!isMainThread) {
  likeWorker()
  sharp.concurrency(workerData.concurrency)
  const times = await runList(workerData.files, workerData.outDir, workerData.variant)
  parentPort.postMessage(times)
}

// ---------------------------------------------------------------- main side

/** Every measurement starts on a quiet machine (other processes under 5 % for a second). */
const quiet = () => waitForQuiet({ maxForeign: 0.05, timeoutMs: 300_000, log: (text) => process.stderr.write(`probe: ${text}\n`) })
/** Runs `measure` until other processes stayed under 5 % throughout (at most 5 tries). */
async function steady(measure) {
  let best = null
  for (let attempt = 0; attempt < 5; attempt += 1) {
    await quiet()
    const meter = cpuMeter()
    const value = await measure()
    const foreign = meter.stop().foreign ?? 0
    if (!best || foreign < best.foreign) best = { value, foreign }
    if (foreign < 0.05) break
  }
  return best
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const fmt = (x, d = 0) => x.toFixed(d)

function burn(ms) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, ['-e', `let x=0;for(let i=0;i<${ms * 3e5};i++)x+=i%7;`], { stdio: 'ignore' })
    child.on('error', reject)
    child.on('close', () => resolvePromise(performance.now() - started))
  })
}

async function capacity() {
  const {
    value: { one, many },
    foreign
  } = await steady(async () => ({ one: await burn(1000), many: await Promise.all(Array.from({ length: N }, () => burn(1000))) }))
  console.log(`pure-CPU loop: 1 process ${fmt(one)} ms; ${N} at once ${many.map((t) => fmt(t)).join(', ')} ms`)
  console.log(`machine's parallel capacity: ${fmt((N * one) / Math.max(...many), 2)}× of one process (ideal ${N}×); other processes used ${fmt((foreign ?? 0) * 100)} % meanwhile`)
}

async function stages(files) {
  likeWorker()
  const outDir = await mkdtemp(join(tmpdir(), 'imagescale-probe-'))
  try {
    await runList(files.slice(0, 2), outDir, VARIANTS.engine)
    const rounds = Number(process.env.PROBE_ROUNDS ?? 3)
    console.log(`one thread, sharp.concurrency(1), ${files.length} images, mean ms per image (read / scale / write), median of ${rounds} interleaved rounds`)
    const samples = new Map(Object.keys(VARIANTS).map((name) => [name, []]))
    for (let round = 0; round < rounds; round += 1) {
      for (const [name, variant] of Object.entries(VARIANTS)) {
        const { value: times, foreign } = await steady(() => runList(files, outDir, variant))
        const m = (k) => mean(times.map((t) => t[k]))
        samples.get(name).push({ total: m('total'), read: m('read'), scale: m('scale'), write: m('write'), foreign })
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    for (const [name, variant] of Object.entries(VARIANTS)) {
      const runs = samples.get(name)
      const m = (k) => median(runs.map((r) => r[k]))
      const spread = `${fmt(Math.min(...runs.map((r) => r.total)))}–${fmt(Math.max(...runs.map((r) => r.total)))}`
      console.log(
        `  ${variant.label.padEnd(62)} ${fmt(m('total')).padStart(5)}  (${fmt(m('read'))} / ${fmt(m('scale'))} / ${fmt(m('write'))})  ` +
          `range ${spread}, other CPU ≤ ${fmt(Math.max(...runs.map((r) => r.foreign)) * 100)} %`
      )
    }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

/** `threads` worker threads share the files; wall time for all of them. */
async function threaded(files, threads, variant, concurrency) {
  const outDir = await mkdtemp(join(tmpdir(), 'imagescale-probe-'))
  try {
    const started = performance.now()
    const perThread = await Promise.all(
      Array.from({ length: threads }, (_, lane) => {
        const worker = new Worker(SELF, { workerData: { files: files.filter((_, n) => n % threads === lane), outDir: join(outDir), variant, concurrency } })
        return new Promise((resolvePromise, reject) => {
          worker.once('message', resolvePromise)
          worker.once('error', reject)
        })
      })
    )
    return { wall: performance.now() - started, perImage: mean(perThread.flat().map((t) => t.total)) }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

async function parallel(files, name) {
  const variant = VARIANTS[name] ?? VARIANTS.engine
  const concurrency = Number(process.env.PROBE_CONCURRENCY ?? 1)
  await threaded(files.slice(0, N), N, variant, concurrency)
  const {
    value: { one, many },
    foreign
  } = await steady(async () => ({ one: await threaded(files, 1, variant, concurrency), many: await threaded(files, N, variant, concurrency) }))
  console.log(
    `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '(4)'} MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '(unset)'} concurrency=${concurrency} ${name}: ` +
      `1 thread ${fmt(files.length / (one.wall / 1000), 2)} img/s (${fmt(one.perImage)} ms/img), ${N} threads ${fmt(files.length / (many.wall / 1000), 2)} img/s ` +
      `(${fmt(many.perImage)} ms/img) → ${fmt(one.wall / many.wall, 2)}×; other CPU ${fmt((foreign ?? 0) * 100)} %`
  )
}

function vipsRun(files, processes, concurrency, outDir) {
  const shares = Array.from({ length: processes }, (_, lane) => files.filter((_, n) => n % processes === lane))
  const started = performance.now()
  return Promise.all(
    shares.map(
      (share) =>
        new Promise((resolvePromise, reject) => {
          const child = spawn('vipsthumbnail', ['--size', `${SIZE}x${SIZE}>`, '-o', join(outDir, '%s.jpg[Q=90]'), ...share], {
            stdio: 'ignore',
            env: { ...process.env, VIPS_CONCURRENCY: String(concurrency) }
          })
          child.on('error', reject)
          child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`vipsthumbnail exited ${code}`))))
        })
    )
  ).then(() => performance.now() - started)
}

async function vips(files) {
  execFileSync('vipsthumbnail', ['--version'])
  const outDir = await mkdtemp(join(tmpdir(), 'imagescale-probe-'))
  try {
    await vipsRun(files, N, 1, outDir)
    for (const [processes, concurrency] of [[1, 1], [N, 1], [1, N]]) {
      const { value: wall, foreign } = await steady(() => vipsRun(files, processes, concurrency, outDir))
      console.log(`vipsthumbnail ${processes} process(es) × VIPS_CONCURRENCY=${concurrency}: ${fmt(files.length / (wall / 1000), 2)} img/s (${fmt(wall / files.length)} ms/img wall); other CPU ${fmt((foreign ?? 0) * 100)} %`)
    }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

if (isMainThread) {
  const [command = 'stages', dir = defaultDir, variant = 'engine'] = process.argv.slice(2)
  const files = command === 'capacity' ? [] : await imagesIn(dir)
  if (command !== 'capacity' && files.length === 0) throw new Error(`no images in ${dir}: run npm run bench once, or give a folder`)
  if (command === 'capacity') await capacity()
  else if (command === 'stages') await stages(files)
  else if (command === 'parallel') await parallel(files, variant)
  else if (command === 'vips') await vips(files)
  else throw new Error(`unknown probe "${command}"`)
}
