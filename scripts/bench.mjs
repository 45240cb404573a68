#!/usr/bin/env node
// `npm run bench`: throughput, parallel speedup, cancel latency and peak memory of the BUILT
// imagescale CLI (the same pool host and worker a user runs), side by side with libvips' own
// vipsthumbnail at equal parallelism. A report, not a test: it exits 0 even when a target is
// missed, and non-zero only when something went wrong.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, link, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import { VIPS_OUTPUT, folderCorpus, stageCorpus, syntheticCorpus } from './bench-corpus.mjs'
import { cpuMeter, cpuSupported, parallelCapacity, waitForQuiet } from './bench-cpu.mjs'
import { rssSupported, watchRss } from './bench-rss.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const BUILT = [join(ROOT, 'out/main/cli.js'), join(ROOT, 'out/main/pool-host.js'), join(ROOT, 'out/main/worker.js')]
const TEMP_FILE = /\.imagescale-\d+-[0-9a-f]{12}\.tmp$/
const MB = 1024 * 1024
/** A run during which other processes used more of the machine than this is repeated. */
const QUIET = 0.05
const ATTEMPTS = 5

const USAGE = `usage: node scripts/bench.mjs [options]      (npm run bench builds first)

  --corpus DIR     use the JPEG/PNG/WebP/TIFF images under DIR instead of generated ones
  --images N       number of images (default 16 generated 24 MP JPEGs; all of --corpus)
  --quick          smoke run: 4 smaller (12 MP) images, one round, one cancel trial
  --size N         output box in pixels (default 1920)
  --workers N      the parallel worker count compared with 1 (default: os.availableParallelism())
  --rounds N       measured rounds after the warm-up round; medians are reported (default 3)
  --no-vips        skip the vipsthumbnail comparison
  --patience S     wait at most S seconds for other processes to go quiet before each run (default 300)
  --no-wait        do not wait for other processes to go quiet, nor repeat disturbed runs
  --json           print one JSON object instead of the tables
  -h, --help       this text`

const log = (text) => process.stderr.write(`bench: ${text}\n`)
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length

function positive(name, raw, fallback) {
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a positive whole number, not "${raw}"`)
  return Number(raw)
}

function options() {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string' },
      images: { type: 'string' },
      quick: { type: 'boolean' },
      size: { type: 'string' },
      workers: { type: 'string' },
      rounds: { type: 'string' },
      'no-vips': { type: 'boolean' },
      'no-wait': { type: 'boolean' },
      patience: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  const quick = values.quick === true
  return {
    help: values.help === true,
    corpus: values.corpus ? resolve(values.corpus) : null,
    images: positive('--images', values.images, values.corpus ? 0 : quick ? 4 : 16),
    quick,
    width: quick ? 4000 : 6000,
    height: quick ? 3000 : 4000,
    size: positive('--size', values.size, 1920),
    workers: positive('--workers', values.workers, availableParallelism()),
    rounds: positive('--rounds', values.rounds, quick ? 1 : 3),
    cancelTrials: quick ? 1 : 3,
    vips: values['no-vips'] !== true,
    wait: values['no-wait'] !== true,
    patienceMs: positive('--patience', values.patience, 300) * 1000,
    json: values.json === true
  }
}

/**
 * A private copy of the built CLI, pool host and worker, made once at the start, so a rebuild
 * of out/ while the bench runs (a test run's global setup does one) cannot change the engine
 * between the runs it compares. node_modules is linked, not copied.
 */
async function snapshotEngine(into) {
  await cp(join(ROOT, 'out/main'), join(into, 'out/main'), { recursive: true })
  await cp(join(ROOT, 'bin'), join(into, 'bin'), { recursive: true })
  await cp(join(ROOT, 'package.json'), join(into, 'package.json'))
  await symlink(join(ROOT, 'node_modules'), join(into, 'node_modules'), 'dir')
  return join(into, 'bin/imagescale.js')
}

/** Which source the built engine came from, as far as git can tell without changing anything. */
function revision() {
  try {
    const git = (...args) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    // What the CLI, pool host and worker are built from; the renderer and Electron main are not in them.
    const changed = git('status', '--porcelain', '--', 'src/core', 'src/cli', 'src/shared').split('\n').filter(Boolean).length
    return `${git('rev-parse', '--short', 'HEAD')}${changed ? ` + ${changed} uncommitted change(s) under src/core, src/cli, src/shared` : ''}`
  } catch {
    return 'unknown (not a git checkout)'
  }
}

function vipsVersion() {
  try {
    return execFileSync('vipsthumbnail', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

/** Lines of JSON from the CLI, with arrival times, so a cancel can be timed against them. */
function readEvents(stream, onEvent, onGarbage) {
  createInterface({ input: stream }).on('line', (line) => {
    if (!line.trim()) return
    let event
    try {
      event = JSON.parse(line)
    } catch {
      onGarbage(line)
      return
    }
    onEvent(event, performance.now())
  })
}

/**
 * One run of the built CLI exactly as a user types it. With `cancelAfterFirst`, SIGINT goes
 * to the CLI the moment the first finished file is reported (Ctrl-C reaches the host too in a
 * terminal, but the host ignores SIGINT and waits for the CLI's cancel message either way).
 */
async function runImagescale({ cli, source, target, workers, mode, size, cancelAfterFirst = false }) {
  await rm(target, { recursive: true, force: true })
  const args = [cli, source, target, '--json', '-c', String(workers), '-s', String(size), '--overwrite']
  if (mode === 'stride') args.push('--stride')
  const startedAt = performance.now()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const rss = watchRss(() => [child.pid], { hostPattern: /pool-host\.js/ })
  const results = []
  let summary = null
  let summaryAt = null
  let firstEventAt = null
  let cancelAt = null
  let exitAt = null
  let stderr = ''
  let garbage = null
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text))
  readEvents(child.stdout, (event, at) => {
    firstEventAt ??= at
    if (event.type === 'finished') {
      results.push({ ...event.result, at })
      if (cancelAfterFirst && cancelAt === null) {
        cancelAt = performance.now()
        child.kill('SIGINT')
      }
    } else if (event.type === 'summary') {
      summary = event.summary
      summaryAt = at
    }
  }, (line) => (garbage ??= line))
  child.on('exit', () => {
    exitAt = performance.now()
  })
  const code = await new Promise((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('close', (exitCode, signal) => resolvePromise(exitCode ?? signal))
  })
  const memory = rss.stop()
  const expected = cancelAfterFirst ? 130 : 0
  if (garbage !== null) throw new Error(`the CLI printed something that is not JSON: ${garbage.slice(0, 200)}`)
  if (code !== expected || !summary) {
    throw new Error(`imagescale ${args.slice(1).join(' ')} exited with ${code} (expected ${expected})${summary ? '' : ' and no summary'}\n${stderr.trim()}`)
  }
  if (summary.counts.failed > 0) throw new Error(`imagescale failed on ${summary.counts.failed} output(s): ${JSON.stringify(summary.failedBy)}`)
  // Each finished file carries its outputs; the one-output runs here make one per file.
  const made = (r, outcomes) => r.outcome === 'done' && r.outputs.some((o) => outcomes.includes(o.outcome))
  const done = results.filter((r) => made(r, ['scaled', 'copied']))
  const scaled = results.filter((r) => made(r, ['scaled']))
  // After a cancel, look again a little later: a file abandoned in flight must not surface
  // afterwards, neither as a temp file nor as an output nobody was told about.
  if (cancelAfterFirst) await sleep(500)
  // The journal (what made each output, for resuming) is ImageScale's own, not an output.
  const names = (await readdir(target).catch(() => [])).filter((name) => name !== '.imagescale-journal.jsonl')
  const leftovers = names.filter((name) => TEMP_FILE.test(name))
  const unreported = names.length - leftovers.length - done.length
  return {
    wallMs: exitAt - startedAt,
    engineMs: summary.elapsedMs,
    // Spawn to the engine's first event (processes, modules, pool), and summary to exit.
    startMs: firstEventAt - startedAt,
    stopMs: exitAt - summaryAt,
    images: done.length,
    megapixels: done.reduce((sum, r) => sum + (r.info ? (r.info.shown.width * r.info.shown.height) / 1e6 : 0), 0),
    perImageMs: scaled.length ? mean(scaled.map((r) => r.times.read + r.times.scale + r.times.write)) : null,
    stageMs: scaled.length
      ? { read: mean(scaled.map((r) => r.times.read)), scale: mean(scaled.map((r) => r.times.scale)), write: mean(scaled.map((r) => r.times.write)) }
      : null,
    bytesOut: summary.bytesOut,
    peakParallel: summary.peakParallel,
    summary,
    treePeak: memory.treePeak,
    hostPeak: memory.hostPeak,
    cancel: cancelAfterFirst
      ? {
          settleMs: exitAt - cancelAt,
          summaryMs: summaryAt - cancelAt,
          finishedAfterCancel: results.filter((r) => r.at > cancelAt && r.outcome !== 'canceled').length,
          canceledFiles: summary.counts.canceled,
          canceled: summary.canceled,
          leftovers: leftovers.length,
          unreported
        }
      : null
  }
}

function spawnAndWait(command, args, env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolvePromise()
      else reject(new Error(`${command} ${args.slice(0, 4).join(' ')} … exited with ${code}\n${stderr.trim()}`))
    })
    spawnAndWait.live.add(child.pid)
    child.on('exit', () => spawnAndWait.live.delete(child.pid))
  })
}
spawnAndWait.live = new Set()

/**
 * vipsthumbnail at equal parallelism: `workers` processes at once, each handling its share of
 * the files, each with one libvips thread (VIPS_CONCURRENCY=1), as each imagescale worker
 * runs one image on one thread. Same box, shrink only ('>'), JPEG quality 90 as imagescale.
 */
async function runVips({ files, target, workers, size }) {
  await rm(target, { recursive: true, force: true })
  await mkdir(target, { recursive: true })
  const env = { ...process.env, VIPS_CONCURRENCY: '1' }
  const shares = Array.from({ length: workers }, (_, lane) => files.filter((_, n) => n % workers === lane))
  const rss = watchRss(() => [...spawnAndWait.live])
  const startedAt = performance.now()
  await Promise.all(
    shares.map(async (share) => {
      for (const format of Object.keys(VIPS_OUTPUT)) {
        const group = share.filter((f) => f.format === format).map((f) => f.path)
        if (group.length === 0) continue
        await spawnAndWait('vipsthumbnail', ['--size', `${size}x${size}>`, '-o', join(target, `%s${VIPS_OUTPUT[format]}`), ...group], env)
      }
    })
  )
  const wallMs = performance.now() - startedAt
  const memory = rss.stop()
  const written = (await readdir(target)).length
  if (written !== files.length) throw new Error(`vipsthumbnail wrote ${written} files for ${files.length} inputs`)
  return {
    wallMs,
    images: files.length,
    megapixels: files.reduce((sum, f) => sum + (f.width * f.height) / 1e6, 0),
    treePeak: memory.treePeak
  }
}

/**
 * The ceiling for the engine's own task: the same built CLI, N copies at once, each with one
 * worker thread and its share of the files (hard links in a folder of its own). No shared pool,
 * IPC or allocator between them: what N independent copies of ImageScale get out of this machine.
 */
async function runSeparate({ cli, files, target, workers, mode, size }) {
  await rm(target, { recursive: true, force: true })
  const shares = Array.from({ length: workers }, (_, lane) => files.filter((_, n) => n % workers === lane))
  const sources = []
  for (const [lane, share] of shares.entries()) {
    const dir = join(target, 'sources', String(lane))
    await mkdir(dir, { recursive: true })
    for (const file of share) await link(file.path, join(dir, basename(file.path)))
    sources.push(dir)
  }
  const live = new Set()
  const rss = watchRss(() => [...live], { hostPattern: /pool-host\.js/ })
  const started = performance.now()
  const elapsed = await Promise.all(
    sources.map(
      (source, lane) =>
        new Promise((resolvePromise, reject) => {
          const args = [cli, source, join(target, 'out', String(lane)), '--json', '-c', '1', '-s', String(size), ...(mode === 'stride' ? ['--stride'] : [])]
          const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
          live.add(child.pid)
          let summary = null
          let err = ''
          child.stderr.setEncoding('utf8').on('data', (text) => (err += text))
          readEvents(child.stdout, (event) => {
            if (event.type === 'summary') summary = event.summary
          }, () => undefined)
          child.on('error', reject)
          child.on('close', (code) => {
            live.delete(child.pid)
            if (code === 0 && summary) resolvePromise(summary.elapsedMs)
            else reject(new Error(`imagescale -c 1 (separate ${lane}) exited with ${code}\n${err.trim()}`))
          })
        })
    )
  )
  const wallMs = performance.now() - started
  return {
    wallMs,
    treePeak: rss.stop().treePeak,
    engineMs: Math.max(...elapsed),
    images: files.length,
    megapixels: files.reduce((sum, f) => sum + (f.width * f.height) / 1e6, 0)
  }
}

// ---------------------------------------------------------------- the report

const percent = (share) => (share === null || share === undefined ? '–' : `${(share * 100).toFixed(0)} %`)
const fixed = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits))
const mbOf = (bytes) => (bytes === null || bytes === undefined ? '–' : `${(bytes / MB).toFixed(0)} MB`)

function table(header, rows) {
  const all = [header, ...rows].map((row) => row.map(String))
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)))
  const line = (row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')
  return [line(all[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n')
}

function printReport(report) {
  const { meta, configs, speedup, vipsRatio, cancel, targets, disturbance } = report
  const out = []
  const c = meta.corpus
  out.push(`ImageScale benchmark — ${c.count} images (${c.description}), box ${meta.size} px`)
  out.push(`  corpus   ${c.dir}${c.synthetic ? ' (generated, cached)' : ''}; ${fixed(c.meanMegapixels)} MP and ${fixed(c.meanBytes / MB)} MB per image${c.progressive ? `, ${c.progressive} progressive` : ''}`)
  out.push(`  machine  ${meta.cpuModel}, ${meta.cores} cores (availableParallelism ${meta.parallelism}); node ${meta.node}; sharp ${meta.sharp} / libvips ${meta.libvips}`)
  if (meta.capacity !== null) {
    out.push(`  ceiling  a pure-CPU loop runs ${fixed(meta.capacity, 2)}× faster in ${meta.workers} processes than in 1 on this machine (ideal ${meta.workers}×)`)
  }
  out.push(`  vips     ${meta.vipsthumbnail ?? (meta.vipsSkipped ? 'comparison skipped (--no-vips)' : 'vipsthumbnail not found on PATH: comparison skipped (apt-get install libvips-tools)')}`)
  out.push(`  engine   built CLI (${meta.cli}, copied at start) from ${meta.revision}`)
  out.push(`  method   CLI --json --overwrite, outputs in ${meta.workDir}; 1 warm-up round, then ${meta.rounds} measured round(s), medians`)
  out.push(`           img/s and MP/s from the engine's elapsed time (summary.elapsedMs); "wall" from spawn to exit of the whole command`)
  out.push('')
  out.push(
    table(
      ['run', 'workers', 'img/s', 'MP/s', 'wall img/s', 'wall s', 'start ms', 'stop ms', 'ms/image', 'read', 'scale', 'write', 'in flight', 'host RSS', 'tree RSS', 'other CPU'],
      configs.map((r) => [
        r.tool === 'imagescale' ? `imagescale ${r.mode}` : r.tool === 'separate' ? `separate processes ${r.mode}` : 'vipsthumbnail',
        r.workers,
        fixed(r.imagesPerSecond, 2),
        fixed(r.megapixelsPerSecond),
        fixed(r.wallImagesPerSecond, 2),
        fixed(r.wallMs / 1000, 2),
        fixed(r.startMs, 0),
        fixed(r.stopMs, 0),
        fixed(r.perImageMs, 0),
        fixed(r.stageMs?.read, 0),
        fixed(r.stageMs?.scale, 0),
        fixed(r.stageMs?.write, 0),
        r.peakParallel ?? '–',
        mbOf(r.hostPeak),
        mbOf(r.treePeak),
        percent(r.foreignCpu)
      ])
    )
  )
  out.push('  start = spawn to the engine\'s first event; stop = summary to exit (both inside "wall", outside img/s);')
  out.push('  ms/image = read + scale + write inside a worker (mean over scaled files); in flight = most images libvips held at once;')
  out.push('  host RSS = the pool-host process (where images are decoded); tree RSS = CLI + host (vipsthumbnail: all its processes);')
  out.push('  other CPU = share of the machine used by other processes during the run (worst of the rounds);')
  out.push('  separate processes = N copies of the built CLI at once, one worker thread each, each on its share of the files (engine time: the slowest)')
  out.push('')
  out.push(
    table(
      ['speedup', `1 → ${meta.workers} workers`, 'efficiency', 'wall speedup', 'separate processes'],
      speedup.map((s) => [s.mode, `${fixed(s.speedup, 2)}×`, `${fixed(s.efficiency * 100, 0)} %`, `${fixed(s.wallSpeedup, 2)}×`, `${fixed(s.ceiling, 2)}×`])
    )
  )
  if (vipsRatio.length > 0) {
    out.push('')
    out.push(
      table(
        ['imagescale / vipsthumbnail', 'workers', 'wall ÷ wall', 'engine ÷ wall'],
        vipsRatio.map((v) => [v.mode, v.workers, `${fixed(v.wallRatio, 2)}×`, `${fixed(v.engineRatio, 2)}×`])
      )
    )
    out.push('  throughput ratios (> 1: imagescale faster); both sides run the same files with the same number of images at once')
  }
  out.push('')
  out.push(
    table(
      ['cancel (SIGINT after 1st file)', 'workers', 'settle ms', 'max ms', 'to summary', 'ms/image', 'settle ÷ image', 'finished after', 'canceled', 'temp files left', 'unreported outputs'],
      cancel.map((k) => [
        k.mode,
        k.workers,
        fixed(k.settleMs, 0),
        fixed(k.maxSettleMs, 0),
        fixed(k.summaryMs, 0),
        fixed(k.perImageMs, 0),
        `${fixed(k.ratio, 2)}×`,
        k.finishedAfterCancel,
        k.canceledFiles,
        k.leftovers,
        k.unreported
      ])
    )
  )
  out.push(`  settle = SIGINT to the CLI's exit (median of ${meta.cancelTrials}); ms/image from the throughput run at the same worker count;`)
  out.push('  temp files and outputs no event reported are counted 0.5 s after the exit')
  out.push('')
  if (disturbance !== null && disturbance >= QUIET) {
    out.push(`WARNING: other processes used up to ${percent(disturbance)} of the CPU during measured runs: ratios are unreliable; rerun on a quiet machine`)
    out.push('')
  }
  out.push('targets')
  for (const t of targets) out.push(`  ${t.pass === null ? 'n/a ' : t.pass ? 'PASS' : 'FAIL'}  ${t.name.padEnd(54)} ${t.value}`)
  process.stdout.write(`${out.join('\n')}\n`)
}

// ---------------------------------------------------------------- the run

async function main() {
  const opts = options()
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const missing = BUILT.filter((file) => !existsSync(file))
  if (missing.length > 0) throw new Error(`the CLI is not built (${missing.join(', ')} missing): run npm run bench, or npm run build first`)
  if (!rssSupported) log('no /proc here: peak RSS is not measured')

  const vips = opts.vips ? vipsVersion() : null
  if (opts.vips && !vips) log('vipsthumbnail is not on PATH: running without the comparison (apt-get install libvips-tools)')

  const corpus = opts.corpus
    ? await folderCorpus({ dir: opts.corpus, count: opts.images })
    : await syntheticCorpus({ count: opts.images, width: opts.width, height: opts.height, log })
  const workDir = await mkdtemp(join(tmpdir(), 'imagescale-bench-'))
  try {
    const cli = await snapshotEngine(join(workDir, 'engine'))
    const built = revision()
    const source = join(workDir, 'source')
    const files = await stageCorpus(corpus.files, source)
    const workerCounts = [...new Set([1, opts.workers])]
    const configs = []
    for (const mode of ['smooth', 'stride']) for (const workers of workerCounts) configs.push({ tool: 'imagescale', mode, workers })
    for (const mode of ['smooth', 'stride']) for (const workers of workerCounts) configs.push({ tool: 'separate', mode, workers })
    if (vips) for (const workers of workerCounts) configs.push({ tool: 'vipsthumbnail', mode: 'smooth', workers })

    /**
     * Runs `run` on a quiet machine: waits for other processes to calm down first and repeats a
     * run they disturbed (keeping the least disturbed), so ratios compare like with like.
     */
    const undisturbed = async (what, run) => {
      let best = null
      for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
        if (opts.wait) await waitForQuiet({ maxForeign: QUIET, timeoutMs: opts.patienceMs, log })
        const meter = cpuMeter()
        const result = await run()
        result.foreignCpu = meter.stop().foreign
        if (!best || result.foreignCpu < best.foreignCpu) best = result
        if (!opts.wait || result.foreignCpu === null || result.foreignCpu < QUIET) break
        log(`${what}: other processes used ${percent(result.foreignCpu)} of the CPU meanwhile${attempt < ATTEMPTS ? ', repeating' : ''}`)
      }
      return best
    }
    const runConfig = (config) => {
      const target = join(workDir, `out-${config.tool}-${config.mode}-${config.workers}`)
      const { workers, mode } = config
      if (config.tool === 'imagescale') return runImagescale({ cli, source, target, workers, mode, size: opts.size })
      if (config.tool === 'separate') return runSeparate({ cli, files, target, workers, mode, size: opts.size })
      return runVips({ files, target, workers, size: opts.size })
    }
    const label = (config) => `${config.tool}${config.tool === 'vipsthumbnail' ? '' : ` ${config.mode}`} ×${config.workers}`

    const capacity =
      opts.workers > 1
        ? await undisturbed('CPU capacity', async () => ({ value: await parallelCapacity(opts.workers) }))
        : null
    // Warm-up: the page cache holds every input, every binary and library is loaded once.
    for (const config of configs) {
      log(`warm-up: ${label(config)}`)
      await runConfig(config)
    }
    // Rounds interleave the configurations so drift on a shared machine hits them alike.
    const samples = new Map(configs.map((config) => [config, []]))
    for (let round = 1; round <= opts.rounds; round += 1) {
      for (const config of configs) {
        log(`round ${round}/${opts.rounds}: ${label(config)}`)
        samples.get(config).push(await undisturbed(label(config), () => runConfig(config)))
      }
    }

    const rows = configs.map((config) => {
      const runs = samples.get(config)
      const first = runs[0]
      const wallMs = median(runs.map((r) => r.wallMs))
      const engineMs = config.tool === 'vipsthumbnail' ? null : median(runs.map((r) => r.engineMs))
      return {
        ...config,
        images: first.images,
        megapixels: first.megapixels,
        wallMs,
        engineMs,
        startMs: config.tool === 'imagescale' ? median(runs.map((r) => r.startMs)) : null,
        stopMs: config.tool === 'imagescale' ? median(runs.map((r) => r.stopMs)) : null,
        imagesPerSecond: engineMs ? first.images / (engineMs / 1000) : null,
        megapixelsPerSecond: engineMs ? first.megapixels / (engineMs / 1000) : first.megapixels / (wallMs / 1000),
        wallImagesPerSecond: first.images / (wallMs / 1000),
        perImageMs: first.perImageMs === null || first.perImageMs === undefined ? null : median(runs.map((r) => r.perImageMs)),
        stageMs: first.stageMs
          ? { read: median(runs.map((r) => r.stageMs.read)), scale: median(runs.map((r) => r.stageMs.scale)), write: median(runs.map((r) => r.stageMs.write)) }
          : null,
        peakParallel: config.tool === 'imagescale' ? Math.max(...runs.map((r) => r.peakParallel)) : null,
        hostPeak: config.tool === 'imagescale' && rssSupported ? Math.max(...runs.map((r) => r.hostPeak)) : null,
        treePeak: rssSupported ? Math.max(...runs.map((r) => r.treePeak)) : null,
        foreignCpu: cpuSupported ? Math.max(...runs.map((r) => r.foreignCpu)) : null,
        // Each run without its CLI summary, which would repeat the figures above.
        runs: runs.map((run) => Object.fromEntries(Object.entries(run).filter(([key]) => key !== 'summary')))
      }
    })
    const find = (tool, mode, workers) => rows.find((r) => r.tool === tool && r.mode === mode && r.workers === workers)
    const top = opts.workers

    const speedup = ['smooth', 'stride'].map((mode) => {
      const one = find('imagescale', mode, 1)
      const many = find('imagescale', mode, top)
      const value = one.engineMs / many.engineMs
      const ceiling = find('separate', mode, 1).engineMs / find('separate', mode, top).engineMs
      return { mode, workers: top, speedup: value, efficiency: value / top, wallSpeedup: one.wallMs / many.wallMs, ceiling }
    })
    const vipsRatio = []
    if (vips) {
      for (const mode of ['smooth', 'stride']) {
        for (const workers of workerCounts) {
          const ours = find('imagescale', mode, workers)
          const theirs = find('vipsthumbnail', 'smooth', workers)
          vipsRatio.push({ mode, workers, wallRatio: theirs.wallMs / ours.wallMs, engineRatio: theirs.wallMs / ours.engineMs })
        }
      }
    }

    const cancel = []
    for (const mode of ['smooth', 'stride']) {
      for (const workers of workerCounts) {
        const trials = []
        for (let trial = 1; trial <= opts.cancelTrials; trial += 1) {
          log(`cancel ${trial}/${opts.cancelTrials}: imagescale ${mode} ×${workers}`)
          const target = join(workDir, `cancel-${mode}-${workers}`)
          trials.push(
            await undisturbed(`cancel imagescale ${mode} ×${workers}`, () =>
              runImagescale({ cli, source, target, workers, mode, size: opts.size, cancelAfterFirst: true })
            )
          )
        }
        const perImageMs = find('imagescale', mode, workers).perImageMs
        const settleMs = median(trials.map((t) => t.cancel.settleMs))
        cancel.push({
          mode,
          workers,
          settleMs,
          maxSettleMs: Math.max(...trials.map((t) => t.cancel.settleMs)),
          summaryMs: median(trials.map((t) => t.cancel.summaryMs)),
          perImageMs,
          ratio: settleMs / perImageMs,
          finishedAfterCancel: median(trials.map((t) => t.cancel.finishedAfterCancel)),
          canceledFiles: median(trials.map((t) => t.cancel.canceledFiles)),
          leftovers: Math.max(...trials.map((t) => t.cancel.leftovers)),
          unreported: Math.max(...trials.map((t) => t.cancel.unreported)),
          treePeak: rssSupported ? Math.max(...trials.map((t) => t.treePeak)) : null,
          foreignCpu: cpuSupported ? Math.max(...trials.map((t) => t.foreignCpu)) : null,
          trials: trials.map((t) => ({ ...t.cancel, foreignCpu: t.foreignCpu }))
        })
      }
    }

    const disturbances = [...rows, ...cancel].map((r) => r.foreignCpu).filter((v) => v !== null)
    const disturbance = disturbances.length ? Math.max(...disturbances) : null
    const imagescalePeaks = [...rows.filter((r) => r.tool === 'imagescale'), ...cancel].map((r) => r.treePeak)
    const peakRss = rssSupported ? Math.max(...imagescalePeaks) : null
    const hostPeakRss = rssSupported ? Math.max(...rows.filter((r) => r.tool === 'imagescale').map((r) => r.hostPeak)) : null
    const wanted = Math.round(top * 0.9 * 100) / 100
    const targets = [
      ...speedup.map((s) => ({
        name: `${s.mode}: ${top} workers ≥ ${wanted}× one worker`,
        pass: top > 1 ? s.speedup >= wanted : null,
        value:
          top > 1
            ? `${fixed(s.speedup, 2)}× (efficiency ${fixed(s.efficiency * 100, 0)} %; separate processes ${fixed(s.ceiling, 2)}×, pure CPU ${fixed(capacity?.value, 2)}×)`
            : 'one core: nothing to compare'
      })),
      (() => {
        const v = vipsRatio.find((r) => r.mode === 'smooth' && r.workers === top)
        return {
          name: `smooth: ≥ 1.4× vipsthumbnail throughput at ${top} workers`,
          pass: v ? v.wallRatio >= 1.4 : null,
          value: v
            ? `${fixed(v.wallRatio, 2)}× (wall ÷ wall; engine ÷ wall ${fixed(v.engineRatio, 2)}×)`
            : opts.vips
              ? 'vipsthumbnail not installed (apt-get install libvips-tools)'
              : 'skipped (--no-vips)'
        }
      })(),
      ...cancel
        .filter((k) => k.workers === top)
        .map((k) => ({
          name: `${k.mode}: cancel settles within one image's time (${top} workers)`,
          pass: k.ratio <= 1 && k.leftovers === 0 && k.unreported === 0,
          value:
            `${fixed(k.settleMs, 0)} ms vs ${fixed(k.perImageMs, 0)} ms/image = ${fixed(k.ratio, 2)}× (max ${fixed(k.maxSettleMs, 0)} ms)` +
            `${k.leftovers ? `, ${k.leftovers} temp files left!` : ''}${k.unreported ? `, ${k.unreported} unreported outputs!` : ''}`
        })),
      {
        name: 'peak RSS ≤ 400 MB (CLI + pool host, every run)',
        pass: peakRss === null ? null : peakRss <= 400 * MB,
        value: peakRss === null ? 'not measured (no /proc)' : `${mbOf(peakRss)} (pool host alone ${mbOf(hostPeakRss)})`
      }
    ]

    const dims = new Set(files.map((f) => `${f.width}×${f.height}`))
    const formats = [...new Set(files.map((f) => f.format))].join('/')
    const report = {
      meta: {
        cli: 'node bin/imagescale.js',
        revision: built,
        workDir,
        size: opts.size,
        workers: top,
        rounds: opts.rounds,
        cancelTrials: opts.cancelTrials,
        quick: opts.quick,
        cpuModel: cpus()[0]?.model ?? 'unknown CPU',
        cores: cpus().length,
        parallelism: availableParallelism(),
        node: process.version,
        sharp: sharp.versions.sharp,
        libvips: sharp.versions.vips,
        vipsthumbnail: vips,
        vipsSkipped: !opts.vips,
        capacity: capacity ? capacity.value : null,
        capacityForeignCpu: capacity ? capacity.foreignCpu : null,
        corpus: {
          dir: corpus.dir,
          synthetic: corpus.synthetic,
          count: files.length,
          description: `${dims.size === 1 ? [...dims][0] : `${dims.size} sizes`} ${formats}`,
          meanMegapixels: mean(files.map((f) => (f.width * f.height) / 1e6)),
          meanBytes: mean(files.map((f) => f.bytes)),
          progressive: files.filter((f) => f.progressive).length
        }
      },
      configs: rows,
      speedup,
      vipsRatio,
      cancel,
      peakRss,
      disturbance,
      targets
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    else printReport(report)
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
