#!/usr/bin/env node
// `npm run stress`: the BUILT imagescale CLI (bin/imagescale.js, its pool host and worker) under
// the loads and interruptions a test run is too short for: a tree of 25,000 files, Ctrl-C at
// random moments, a double Ctrl-C (stop now), a reader that closes the pipe, and the pool host
// killed with SIGKILL mid-run. Each run is checked as a user would: the exit status, a summary
// that adds up and matches what was reported file by file, no temp file or process left behind,
// nothing written after the exit, and every output that exists is a whole, decodable picture.
// Prints a table of figures; exits 1 when any check failed (each failure is listed).
//
// Environment: STRESS_FILES (25000), STRESS_CYCLES (Ctrl-C cycles, 30), STRESS_DOUBLE_CYCLES
// (cycles/3), STRESS_PIPE_CYCLES (cycles/3), STRESS_KILL_CYCLES (cycles/6), STRESS_SEED (random),
// STRESS_SETTLE_S (60: longest a run may take to exit once told to stop), STRESS_TIMEOUT_S (longest
// a whole run may take; default 120 + 20 ms a file), STRESS_KEEP=1 (keep the temp folder on failure).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { cp, link, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const BUILT = [join(ROOT, 'out/main/cli.js'), join(ROOT, 'out/main/pool-host.js'), join(ROOT, 'out/main/worker.js')]
const JOURNAL = '.imagescale-journal.jsonl'
/** src/core/safe-write.ts tempPathFor: `.<name>.imagescale-<pid>-<12 hex>.tmp`; the case probes are `.imagescale-case-…`. */
const isLeftover = (name) => name.includes('.imagescale-') || name.endsWith('.tmp')
const PER_FOLDER = 1000
const SIZE = 48
/** s-*.jpg are 64×48 (scaled to 48×36 at -s 48), c-*.jpg are 40×30 (copied as they are). */
const SCALED_DIMS = { width: 48, height: 36 }
const COPIED_DIMS = { width: 40, height: 30 }
const DECODE_SAMPLE = 50
const OUTCOMES = ['copied', 'scaled', 'skipped', 'failed', 'canceled']

const log = (text) => process.stderr.write(`stress: ${text}\n`)

function whole(name, fallback, min = 1) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`${name} must be a whole number ≥ ${min}, not "${raw}"`)
  return Number(raw)
}

const FILES = whole('STRESS_FILES', 25_000)
const CYCLES = whole('STRESS_CYCLES', 30, 0)
const DOUBLE_CYCLES = whole('STRESS_DOUBLE_CYCLES', Math.ceil(CYCLES / 3), 0)
const PIPE_CYCLES = whole('STRESS_PIPE_CYCLES', Math.ceil(CYCLES / 3), 0)
const KILL_CYCLES = whole('STRESS_KILL_CYCLES', Math.ceil(CYCLES / 6), 0)
const SEED = whole('STRESS_SEED', Math.floor(Math.random() * 2 ** 31), 0)
const SETTLE_MS = whole('STRESS_SETTLE_S', 60) * 1000
const TIMEOUT_MS = whole('STRESS_TIMEOUT_S', 120 + Math.ceil(FILES * 0.02)) * 1000
const KEEP = process.env.STRESS_KEEP === '1'

/** mulberry32: the same STRESS_SEED gives the same delays and samples. */
const random = (() => {
  let state = SEED >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
})()
const between = (low, high) => low + random() * (high - low)
const median = (values) => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

// ---------------------------------------------------------------- processes, from /proc

function procStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command in parentheses may hold spaces: the fields after it are split on the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0], startTime: fields[19] }
  } catch {
    return null
  }
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()
  } catch {
    return ''
  }
}

function hwmKb(pid) {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

function childrenOf(pid) {
  const children = []
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
        if (text) children.push(...text.split(/\s+/).map(Number))
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // the process ended
  }
  return children
}

/** The same process still running (not a zombie, not a new process under a reused pid). */
function stillRunning(proc) {
  const now = procStat(proc.pid)
  return now !== null && now.state !== 'Z' && now.startTime === proc.startTime
}

/**
 * Every process under `root` seen while the run lasted, with its peak resident memory (VmHWM,
 * the kernel's high-water mark, so peaks between samples count), sampled every 25 ms.
 */
function watchTree(root) {
  const procs = new Map()
  const sample = () => {
    const stack = [root]
    const seen = new Set()
    while (stack.length > 0) {
      const pid = stack.pop()
      if (seen.has(pid)) continue
      seen.add(pid)
      let proc = procs.get(pid)
      const now = procStat(pid)
      if (!now) continue
      if (!proc || proc.startTime !== now.startTime) {
        proc = { pid, startTime: now.startTime, command: '', peakKb: 0 }
        procs.set(pid, proc)
      }
      // Just after fork a child still shows its parent's command line: read it until it changes.
      if (!proc.command.includes('pool-host.js')) proc.command = commandOf(pid)
      proc.peakKb = Math.max(proc.peakKb, hwmKb(pid))
      stack.push(...childrenOf(pid))
    }
  }
  sample()
  const timer = setInterval(sample, 25)
  return {
    sample,
    procs,
    hosts: () => [...procs.values()].filter((p) => p.command.includes('pool-host.js')),
    liveHosts: () => [...procs.values()].filter((p) => p.command.includes('pool-host.js') && stillRunning(p)),
    stop: () => clearInterval(timer)
  }
}

// ---------------------------------------------------------------- one run of the CLI

const live = new Set()

/**
 * Starts the CLI (or a bash pipeline around it) in its own process group, as a terminal would,
 * so a signal to the group is a Ctrl-C, and a Ctrl-C at this script's terminal reaches only this
 * script. With `json`, stdout is read as events, one JSON object a line.
 */
function start({ command, args, json }) {
  const startedAt = performance.now()
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  const run = {
    child,
    pid: child.pid,
    startedAt,
    exitAt: null,
    code: null,
    signal: null,
    stdout: '',
    stderr: '',
    lines: 0,
    garbage: [],
    results: [],
    startedFiles: 0,
    lastProgress: null,
    summaries: [],
    lastType: null,
    tree: watchTree(child.pid)
  }
  live.add(run)
  child.stderr.setEncoding('utf8').on('data', (text) => (run.stderr = (run.stderr + text).slice(-20_000)))
  if (json) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.trim()) return
      run.lines += 1
      let event
      try {
        event = JSON.parse(line)
      } catch {
        if (run.garbage.length < 3) run.garbage.push(line.slice(0, 200))
        return
      }
      run.lastType = event.type
      if (event.type === 'finished') run.results.push(event.result)
      else if (event.type === 'started') run.startedFiles += 1
      else if (event.type === 'progress') run.lastProgress = event.progress
      else if (event.type === 'summary') run.summaries.push(event.summary)
    })
  } else {
    child.stdout.setEncoding('utf8').on('data', (text) => (run.stdout += text))
  }
  run.closed = new Promise((resolvePromise) => {
    child.on('error', (error) => {
      run.stderr += `\nspawn failed: ${error.message}`
      resolvePromise()
    })
    child.on('close', (code, signal) => {
      run.exitAt ??= performance.now()
      run.code = code
      run.signal = signal
      run.tree.stop()
      live.delete(run)
      resolvePromise()
    })
  })
  // The moment the process itself ended (its streams may close a little later).
  child.on('exit', () => {
    run.exitAt = performance.now()
  })
  return run
}

/** Ctrl-C at a terminal: SIGINT to the foreground process group. */
function interrupt(run) {
  try {
    process.kill(-run.pid, 'SIGINT')
  } catch {
    // already gone
  }
}

function killAll(run) {
  try {
    process.kill(-run.pid, 'SIGKILL')
  } catch {
    // already gone
  }
  for (const proc of run.tree.procs.values()) {
    if (stillRunning(proc)) {
      try {
        process.kill(proc.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }
}

/** Waits for the run to end; after `ms`, kills it and everything it started and says so. */
async function finish(run, ms, what) {
  const timer = sleep(ms).then(() => 'timeout')
  if ((await Promise.race([run.closed.then(() => 'closed'), timer])) === 'closed') return null
  killAll(run)
  await Promise.race([run.closed, sleep(5000)])
  return `${what}: no exit after ${Math.round(ms / 1000)} s (killed it); last event ${run.lastType ?? 'none'}, ${run.results.length} files reported`
}

async function waitUntil(run, predicate, ms) {
  const deadline = performance.now() + ms
  while (!predicate()) {
    if (run.exitAt !== null || performance.now() > deadline) return false
    await sleep(10)
  }
  return true
}

// ---------------------------------------------------------------- the tree and the target

async function makeTree(dir, files) {
  const scaleMe = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 60, b: 90 } } })
    .jpeg({ quality: 80 })
    .toBuffer()
  const copyMe = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 30, g: 140, b: 90 } } })
    .jpeg({ quality: 80 })
    .toBuffer()
  const originals = join(dir, 'originals')
  await mkdir(originals, { recursive: true })
  await writeFile(join(originals, 's.jpg'), scaleMe)
  await writeFile(join(originals, 'c.jpg'), copyMe)
  const source = join(dir, 'source')
  let linked = true
  for (let n = 0; n < files; n += 1) {
    const folder = join(source, `d${String(Math.floor(n / PER_FOLDER)).padStart(3, '0')}`)
    if (n % PER_FOLDER === 0) await mkdir(folder, { recursive: true })
    const kind = n % 2 === 0 ? 's' : 'c'
    const path = join(folder, `${kind}-${String(n).padStart(6, '0')}.jpg`)
    if (linked) {
      try {
        await link(join(originals, `${kind}.jpg`), path)
        continue
      } catch {
        linked = false
      }
    }
    await writeFile(path, kind === 's' ? scaleMe : copyMe)
  }
  return { source, copyMe, folders: Math.ceil(files / PER_FOLDER), linked }
}

/** Every file below `dir`: relative path → size. */
async function listing(dir) {
  const files = new Map()
  const walk = async (folder, prefix) => {
    let entries
    try {
      entries = await readdir(folder, { withFileTypes: true })
    } catch (error) {
      if (error.code === 'ENOENT') return
      throw error
    }
    for (const entry of entries) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name
      if (entry.isDirectory()) await walk(join(folder, entry.name), relative)
      else files.set(relative, (await stat(join(folder, entry.name)).catch(() => ({ size: -1 }))).size)
    }
  }
  await walk(dir, '')
  return files
}

const sameListing = (a, b) => a.size === b.size && [...a].every(([path, size]) => b.get(path) === size)

/**
 * How long this machine takes, now, from spawning node to the first line of a program: a
 * Ctrl-C before then ends any Node program, whatever it does first.
 */
async function nodeFloorMs(times = 5) {
  const samples = []
  for (let n = 0; n < times; n += 1) {
    const startedAt = performance.now()
    const child = spawn(process.execPath, ['-e', "process.stdout.write('up')"], { stdio: ['ignore', 'pipe', 'ignore'] })
    await new Promise((resolvePromise) => {
      child.stdout.once('data', () => samples.push(performance.now() - startedAt))
      child.on('close', resolvePromise)
    })
  }
  return { median: median(samples), max: Math.max(...samples) }
}

const baseName = (path) => path.slice(path.lastIndexOf('/') + 1)

/** The outputs a run reported as written (copied or scaled), by path below the target. */
function reportedOutputs(results) {
  const outputs = new Map()
  for (const result of results) {
    if (result.outcome !== 'done') continue
    for (const output of result.outputs) if (output.outcome === 'copied' || output.outcome === 'scaled') outputs.set(output.path, output)
  }
  return outputs
}

const reference = { scaled: null }

/**
 * What is in the target: no temp file; every output a whole JPEG (SOI … EOI); copies identical
 * to their source; scaled outputs identical to the full run's; a random sample fully decoded at
 * the right size. With `reported`, every reported output exists, and (unless `before` lists what
 * was there already) nothing is there that was not reported.
 */
async function checkTarget(target, problems, { reported = null, before = null, copyMe, files = null }) {
  const found = files ?? (await listing(target))
  const leftovers = [...found.keys()].filter((path) => path !== JOURNAL && isLeftover(baseName(path)))
  if (leftovers.length > 0) problems.push(`${leftovers.length} temp file(s) left in the target: ${leftovers.slice(0, 3).join(', ')}`)
  const outputs = [...found.keys()].filter((path) => path !== JOURNAL && !isLeftover(baseName(path)))
  const broken = []
  const differs = []
  for (const path of outputs) {
    const bytes = await readFile(join(target, path)).catch(() => null)
    if (!bytes || bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[bytes.length - 2] !== 0xff || bytes[bytes.length - 1] !== 0xd9) {
      broken.push(path)
      continue
    }
    const kind = baseName(path)[0]
    if (kind === 'c' && !bytes.equals(copyMe)) differs.push(path)
    if (kind === 's' && reference.scaled && !bytes.equals(reference.scaled)) differs.push(path)
  }
  if (broken.length > 0) problems.push(`${broken.length} output(s) not a whole JPEG: ${broken.slice(0, 3).join(', ')}`)
  if (differs.length > 0) problems.push(`${differs.length} output(s) differ from the expected bytes: ${differs.slice(0, 3).join(', ')}`)
  const sample = [...outputs]
  for (let i = 0; i < Math.min(DECODE_SAMPLE, sample.length); i += 1) {
    const j = i + Math.floor(random() * (sample.length - i))
    ;[sample[i], sample[j]] = [sample[j], sample[i]]
  }
  sample.length = Math.min(DECODE_SAMPLE, sample.length)
  let decoded = 0
  for (const path of sample) {
    const expected = baseName(path)[0] === 's' ? SCALED_DIMS : COPIED_DIMS
    try {
      const full = join(target, path)
      const meta = await sharp(full).metadata()
      const { info } = await sharp(full, { failOn: 'warning' }).raw().toBuffer({ resolveWithObject: true })
      if (meta.format !== 'jpeg' || info.width !== expected.width || info.height !== expected.height) {
        problems.push(`${path}: ${meta.format} ${info.width}×${info.height}, expected jpeg ${expected.width}×${expected.height}`)
      } else decoded += 1
    } catch (error) {
      problems.push(`${path}: does not decode (${error.message})`)
    }
  }
  if (reported) {
    const missing = [...reported.keys()].filter((path) => !found.has(path))
    if (missing.length > 0) problems.push(`${missing.length} output(s) reported written but missing: ${missing.slice(0, 3).join(', ')}`)
    const unreported = outputs.filter((path) => !reported.has(path) && !(before && before.has(path)))
    if (unreported.length > 0) problems.push(`${unreported.length} output(s) on disk that no event reported: ${unreported.slice(0, 3).join(', ')}`)
  }
  return { outputs: outputs.length, leftovers: leftovers.length, decoded }
}

/** The one summary, last, adding up, and matching what the events said file by file. */
function checkSummary(run, problems, files) {
  if (run.garbage.length > 0) problems.push(`stdout had lines that are not JSON: ${run.garbage[0]}`)
  if (run.summaries.length !== 1) {
    problems.push(`${run.summaries.length} summaries (expected exactly one)`)
    if (run.summaries.length === 0) return null
  }
  if (run.lastType !== 'summary') problems.push(`the last line is a '${run.lastType}' event, not the summary`)
  const summary = run.summaries.at(-1)
  const { counts } = summary
  const sum = OUTCOMES.reduce((total, key) => total + counts[key], 0)
  if (sum !== summary.todo) problems.push(`counts add up to ${sum}, todo is ${summary.todo}: ${JSON.stringify(counts)}`)
  if (summary.todo !== summary.files * summary.outputs) problems.push(`todo ${summary.todo} ≠ files ${summary.files} × outputs ${summary.outputs}`)
  if (summary.files !== files) problems.push(`summary.files is ${summary.files}, the source holds ${files}`)
  if (run.results.length + summary.notStarted !== summary.files) {
    problems.push(`${run.results.length} 'finished' events + ${summary.notStarted} not started ≠ ${summary.files} files`)
  }
  // The counts the events imply: one unit per output of a finished file, or one for the whole file.
  const implied = Object.fromEntries(OUTCOMES.map((key) => [key, 0]))
  for (const result of run.results) {
    if (result.outcome === 'done') for (const output of result.outputs) implied[output.outcome] += 1
    else implied[result.outcome] += summary.outputs
  }
  implied.canceled += summary.notStarted * summary.outputs
  const mismatch = OUTCOMES.filter((key) => implied[key] !== counts[key])
  if (mismatch.length > 0) problems.push(`summary counts ${JSON.stringify(counts)} ≠ what the events reported ${JSON.stringify(implied)}`)
  const reasons = Object.values(summary.failedBy).reduce((a, b) => a + b, 0)
  if (reasons !== counts.failed) problems.push(`failedBy adds up to ${reasons}, failed is ${counts.failed}`)
  return summary
}

function checkNoProcessLeft(run, problems) {
  const left = [...run.tree.procs.values()].filter((proc) => proc.pid !== run.pid && stillRunning(proc))
  if (left.length > 0) problems.push(`process(es) still running after the CLI exited: ${left.map((p) => `${p.pid} ${p.command.slice(0, 80)}`).join('; ')}`)
  return left.length
}

const describeExit = (run) => (run.signal ? `killed by ${run.signal}` : `exit ${run.code}`)
const stderrTail = (run) => (run.stderr.trim() ? ` — stderr: ${run.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}` : '')

// ---------------------------------------------------------------- the scenarios

async function main() {
  const missing = BUILT.filter((file) => !existsSync(file))
  if (missing.length > 0) throw new Error(`the CLI is not built (${missing.join(', ')} missing): run npm run stress, or npm run build first`)
  if (!existsSync('/proc/self/status')) throw new Error('this script reads /proc (Linux) to follow the pool host and its memory')

  const workDir = await mkdtemp(join(tmpdir(), 'imagescale-stress-'))
  let failed = false
  const onSignal = () => {
    for (const run of live) killAll(run)
    rm(workDir, { recursive: true, force: true }).finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    // A private copy of the built engine: a rebuild of out/ during the run cannot change it.
    const engine = join(workDir, 'engine')
    await cp(join(ROOT, 'out/main'), join(engine, 'out/main'), { recursive: true })
    await cp(join(ROOT, 'bin'), join(engine, 'bin'), { recursive: true })
    await cp(join(ROOT, 'package.json'), join(engine, 'package.json'))
    await symlink(join(ROOT, 'node_modules'), join(engine, 'node_modules'), 'dir')
    const cli = join(engine, 'bin/imagescale.js')

    log(`seed ${SEED}; making ${FILES.toLocaleString('en-US')} files in ${Math.ceil(FILES / PER_FOLDER)} folders`)
    const tree = await makeTree(workDir, FILES)
    const { source, copyMe } = tree
    const cliArgs = (target, extra = []) => [cli, source, target, '--json', '-s', String(SIZE), ...extra]
    const rows = []
    const failures = []
    const figures = { hostPeakKb: 0, cliPeakKb: 0 }
    const note = (run) => {
      for (const proc of run.tree.procs.values()) {
        if (proc.command.includes('pool-host.js')) figures.hostPeakKb = Math.max(figures.hostPeakKb, proc.peakKb)
        else if (/bin\/imagescale\.js/.test(proc.command) && !proc.command.startsWith('bash')) figures.cliPeakKb = Math.max(figures.cliPeakKb, proc.peakKb)
      }
    }
    const cycleRow = (name) => {
      const row = { name, cycles: 0, passed: 0, exits: new Map(), leftovers: 0, processesLeft: 0, settle: [], earlyDelays: [], extra: [] }
      rows.push(row)
      return row
    }
    const conclude = (row, label, problems, exitText) => {
      row.cycles += 1
      row.exits.set(exitText, (row.exits.get(exitText) ?? 0) + 1)
      if (problems.length === 0) row.passed += 1
      else failures.push(`${label}: ${problems.join('; ')}`)
      log(`${label}: ${exitText}, ${problems.length === 0 ? 'ok' : `FAILED (${problems.length} problem(s))`}`)
    }

    // 1. A full run.
    log('full run')
    const fullTarget = join(workDir, 'full')
    const full = start({ command: process.execPath, args: cliArgs(fullTarget), json: true })
    const fullTimeout = await finish(full, TIMEOUT_MS, 'full run')
    const fullWallMs = full.exitAt - full.startedAt
    const fullProblems = fullTimeout ? [fullTimeout] : []
    if (!fullTimeout) {
      if (full.code !== 0) fullProblems.push(`${describeExit(full)}, expected exit 0${stderrTail(full)}`)
      const summary = checkSummary(full, fullProblems, FILES)
      if (summary) {
        if (summary.canceled) fullProblems.push('summary says canceled')
        if (summary.counts.copied !== Math.floor(FILES / 2) || summary.counts.scaled !== Math.ceil(FILES / 2)) {
          fullProblems.push(`expected ${Math.floor(FILES / 2)} copied and ${Math.ceil(FILES / 2)} scaled, got ${JSON.stringify(summary.counts)}`)
        }
      }
      checkNoProcessLeft(full, fullProblems)
      const reported = reportedOutputs(full.results)
      const firstScaled = [...reported.values()].find((output) => output.outcome === 'scaled')
      if (firstScaled) {
        const bytes = await readFile(join(fullTarget, firstScaled.path)).catch(() => null)
        const info = bytes ? await sharp(bytes, { failOn: 'warning' }).raw().toBuffer({ resolveWithObject: true }).then((r) => r.info, () => null) : null
        if (info && info.width === SCALED_DIMS.width && info.height === SCALED_DIMS.height) reference.scaled = bytes
      }
      const target = await checkTarget(fullTarget, fullProblems, { reported, copyMe })
      if (target.outputs !== FILES) fullProblems.push(`${target.outputs} outputs in the target for ${FILES} files`)
    }
    note(full)
    const fullRun = {
      wallMs: fullWallMs,
      engineMs: full.summaries.at(-1)?.elapsedMs ?? null,
      cliPeakKb: full.tree.procs.get(full.pid)?.peakKb ?? 0,
      hostPeakKb: Math.max(0, ...full.tree.hosts().map((h) => h.peakKb)),
      peakParallel: full.summaries.at(-1)?.peakParallel ?? null,
      ok: fullProblems.length === 0
    }
    if (fullProblems.length > 0) failures.push(`full run: ${fullProblems.join('; ')}`)
    log(`full run: ${describeExit(full)} in ${(fullWallMs / 1000).toFixed(1)} s, ${fullProblems.length === 0 ? 'ok' : 'FAILED'}`)
    await rm(fullTarget, { recursive: true, force: true })

    /**
     * A run told to stop at a random moment. `resume` runs into the previous cycle's target (the
     * journal then skips what is done). `second` adds a second Ctrl-C (stop now).
     */
    const interrupted = async ({ row, label, target, resume, delayMs, secondAfterMs = null }) => {
      if (!resume) await rm(target, { recursive: true, force: true })
      const before = resume ? await listing(target) : null
      const run = start({ command: process.execPath, args: cliArgs(target), json: true })
      const problems = []
      await sleep(Math.max(0, delayMs - (performance.now() - run.startedAt)))
      const ranOut = run.exitAt !== null
      interrupt(run)
      const signalAt = performance.now()
      if (secondAfterMs !== null) {
        await sleep(secondAfterMs)
        interrupt(run)
      }
      const timeout = await finish(run, SETTLE_MS, 'after Ctrl-C')
      if (timeout) problems.push(timeout)
      const files = await listing(target)
      const settleMs = run.exitAt - signalAt
      // Before Node lets any program catch SIGINT (its first ~50 ms), the default action ends
      // the process: harmless only if nothing had started (no output, no pool host, no target).
      const untouched = resume ? sameListing(before, files) : !existsSync(target)
      if (run.signal === 'SIGINT' && run.lines === 0 && run.tree.hosts().length === 0 && untouched) {
        row.earlyDelays.push(delayMs)
        conclude(row, `${label} (${delayMs.toFixed(0)} ms)`, problems, 'SIGINT before Node could catch it')
        return
      }
      if (!timeout) {
        const summary = checkSummary(run, problems, FILES)
        // 0 only for a batch that finished before the Ctrl-C reached it.
        const finishedFirst = run.code === 0 && summary !== null && !summary.canceled
        if (run.code !== 130 && !finishedFirst) problems.push(`${describeExit(run)}, expected 130${stderrTail(run)}`)
        if (finishedFirst) row.extra.push(`${label}: finished before the Ctrl-C${ranOut ? '' : ' (which reached it while it ran)'}`)
        if (summary) {
          if (run.code === 130 && !summary.canceled) problems.push('exit 130 but the summary says not canceled')
          if (summary.counts.failed > 0) problems.push(`${summary.counts.failed} failed: ${JSON.stringify(summary.failedBy)}`)
          if (secondAfterMs === null && run.results.some((r) => r.outcome === 'canceled')) {
            problems.push('a single Ctrl-C abandoned a file on a worker (it should finish)')
          }
        }
        row.settle.push(settleMs)
      }
      row.processesLeft += checkNoProcessLeft(run, problems)
      const target_ = await checkTarget(target, problems, { reported: reportedOutputs(run.results), before, copyMe, files })
      row.leftovers += target_.leftovers
      // Nothing may appear once the CLI has exited.
      await sleep(1000)
      const later = await listing(target)
      const changed = [...later].filter(([path, size]) => files.get(path) !== size).length + [...files.keys()].filter((path) => !later.has(path)).length
      if (changed > 0) problems.push(`${changed} file(s) appeared, changed or vanished in the target in the 1 s after the exit`)
      note(run)
      const second = secondAfterMs === null ? '' : ` + ${secondAfterMs.toFixed(0)} ms`
      conclude(row, `${label} (${delayMs.toFixed(0)} ms${second}${resume ? ', resumed' : ''})`, problems, describeExit(run))
    }

    const floorBefore = await nodeFloorMs()
    // 2. Ctrl-C at a random moment; every 4th in the first 0.3 s; every 3rd resumes the last target.
    const single = cycleRow('Ctrl-C at a random moment')
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const delayMs = cycle % 4 === 0 ? between(0, 300) : between(0, 3000)
      await interrupted({ row: single, label: `Ctrl-C ${cycle + 1}/${CYCLES}`, target: join(workDir, 'cancel'), resume: cycle % 3 === 2, delayMs })
    }

    // 3. Double Ctrl-C: stop now.
    const double = cycleRow('double Ctrl-C (stop now)')
    for (let cycle = 0; cycle < DOUBLE_CYCLES; cycle += 1) {
      const delayMs = cycle % 4 === 0 ? between(0, 300) : between(0, 3000)
      await interrupted({
        row: double,
        label: `double Ctrl-C ${cycle + 1}/${DOUBLE_CYCLES}`,
        target: join(workDir, 'stop-now'),
        resume: false,
        delayMs,
        secondAfterMs: between(0, 600)
      })
    }

    // 4. A reader that goes away: `imagescale SRC TGT 2>&1 | head -3`.
    const pipe = cycleRow('closed pipe (2>&1 | head -3)')
    for (let cycle = 0; cycle < PIPE_CYCLES; cycle += 1) {
      const target = join(workDir, 'pipe')
      await rm(target, { recursive: true, force: true })
      // Half the cycles in --json, half as plain lines (a line per file), as a user would type it.
      const json = cycle % 2 === 0 ? ' --json' : ''
      const script = `"$0" "$1" "$2" "$3"${json} -s ${SIZE} 2>&1 | head -3 >/dev/null; echo "status=\${PIPESTATUS[0]}"`
      const run = start({ command: 'bash', args: ['-c', script, process.execPath, cli, source, target], json: false })
      const problems = []
      const timeout = await finish(run, SETTLE_MS, 'closed pipe')
      if (timeout) problems.push(timeout)
      const atExit = await listing(target)
      const status = /status=(\d+)/.exec(run.stdout)?.[1]
      if (!timeout && status !== '130') problems.push(`the CLI exited with ${status ?? 'no status'}, expected 130${stderrTail(run)}`)
      pipe.processesLeft += checkNoProcessLeft(run, problems)
      await sleep(1500)
      const later = await listing(target)
      const changed = [...later].filter(([path, size]) => atExit.get(path) !== size).map(([path]) => path)
      if (changed.length > 0) problems.push(`${changed.length} file(s) written in the 1.5 s after the exit: ${changed.slice(0, 3).join(', ')}`)
      const target_ = await checkTarget(target, problems, { copyMe, files: later })
      pipe.leftovers += target_.leftovers
      note(run)
      conclude(pipe, `closed pipe ${cycle + 1}/${PIPE_CYCLES}${json}`, problems, status ? `exit ${status}` : describeExit(run))
    }

    // 5. The pool host killed with SIGKILL mid-run (every other cycle twice): the batch goes on.
    const kill = cycleRow('pool host killed (SIGKILL)')
    let restarts = 0
    let crashedFiles = 0
    for (let cycle = 0; cycle < KILL_CYCLES; cycle += 1) {
      const target = join(workDir, 'kill')
      await rm(target, { recursive: true, force: true })
      const run = start({ command: process.execPath, args: cliArgs(target), json: true })
      const problems = []
      const kills = cycle % 2 === 1 ? 2 : 1
      let busyAtKill = 0
      const killedPids = []
      for (let k = 0; k < kills; k += 1) {
        const threshold = Math.floor(FILES * between(0.05, 0.3)) + k * Math.floor(FILES * 0.2)
        await waitUntil(run, () => run.results.length >= threshold && run.tree.liveHosts().some((h) => !killedPids.includes(h.pid)), TIMEOUT_MS)
        run.tree.sample()
        const host = run.tree.liveHosts().find((h) => !killedPids.includes(h.pid))
        if (!host) {
          problems.push(`no pool host to kill (kill ${k + 1}: ${run.results.length} files reported)`)
          break
        }
        busyAtKill += run.lastProgress?.inFlight ?? 0
        process.kill(host.pid, 'SIGKILL')
        killedPids.push(host.pid)
        log(`kill ${cycle + 1}/${KILL_CYCLES}: SIGKILL to pool host ${host.pid} after ${run.results.length} files (${run.lastProgress?.inFlight ?? '?'} in flight)`)
      }
      const timeout = await finish(run, TIMEOUT_MS, 'after killing the pool host')
      if (timeout) problems.push(timeout)
      if (!timeout) {
        const summary = checkSummary(run, problems, FILES)
        if (summary) {
          const expected = summary.counts.failed > 0 ? 1 : 0
          if (run.code !== expected) problems.push(`${describeExit(run)}, expected ${expected} (${summary.counts.failed} failed)${stderrTail(run)}`)
          if (summary.hostRestarts < 1 && busyAtKill > 0) problems.push(`hostRestarts is ${summary.hostRestarts} after ${killedPids.length} kill(s) of a busy host`)
          if (summary.hostRestarts > killedPids.length) problems.push(`hostRestarts is ${summary.hostRestarts} after only ${killedPids.length} kill(s)`)
          if (summary.canceled) problems.push('summary says canceled')
          const crashed = summary.failedBy['host-crashed'] ?? 0
          if (crashed !== summary.counts.failed) problems.push(`failed for other reasons than host-crashed: ${JSON.stringify(summary.failedBy)}`)
          if (busyAtKill > 0 && crashed === 0) problems.push('files were in flight at the kill, none failed host-crashed')
          const failedResults = run.results.filter((r) => r.outcome === 'failed')
          const unnamed = failedResults.filter((r) => r.reason !== 'host-crashed' || !/SIGKILL/.test(r.message))
          if (unnamed.length > 0) problems.push(`${unnamed.length} failed file(s) without reason host-crashed naming SIGKILL: ${JSON.stringify(unnamed[0]).slice(0, 200)}`)
          restarts += summary.hostRestarts
          crashedFiles += crashed
        }
      }
      kill.processesLeft += checkNoProcessLeft(run, problems)
      const target_ = await checkTarget(target, problems, { reported: reportedOutputs(run.results), copyMe })
      kill.leftovers += target_.leftovers
      note(run)
      conclude(kill, `kill ${cycle + 1}/${KILL_CYCLES} (${killedPids.length}×)`, problems, describeExit(run))
    }
    kill.extra.push(`host restarts ${restarts}, files failed host-crashed ${crashedFiles}`)
    const floorAfter = await nodeFloorMs()

    // ---------------------------------------------------------------- the report
    const mb = (kb) => (kb ? `${(kb / 1024).toFixed(0)} MB` : '–')
    const out = []
    out.push('')
    out.push(`imagescale stress (built CLI; seed ${SEED}; ${tree.linked ? 'hard-linked' : 'copied'} tiny JPEGs, half scaled, half copied at -s ${SIZE})`)
    out.push('')
    out.push(`  files                      ${FILES.toLocaleString('en-US')} in ${tree.folders} folders`)
    out.push(`  full run                   ${fullRun.ok ? 'ok' : 'FAILED'}: wall ${(fullRun.wallMs / 1000).toFixed(1)} s (engine ${fullRun.engineMs === null ? '–' : `${(fullRun.engineMs / 1000).toFixed(1)} s`}), ${(FILES / (fullRun.wallMs / 1000)).toFixed(0)} files/s, at most ${fullRun.peakParallel ?? '–'} in flight`)
    out.push(`  peak RSS, full run         CLI ${mb(fullRun.cliPeakKb)}, pool host ${mb(fullRun.hostPeakKb)}`)
    out.push(`  peak RSS, every run        CLI ${mb(figures.cliPeakKb)}, pool host ${mb(figures.hostPeakKb)}`)
    out.push('')
    const header = ['scenario', 'cycles', 'passed', 'failed', 'exits', 'settle ms (median / max)', 'temp files left', 'processes left']
    const body = rows.map((row) => [
      row.name,
      String(row.cycles),
      String(row.passed),
      String(row.cycles - row.passed),
      [...row.exits].map(([exit, n]) => `${exit} ×${n}`).join(', '),
      row.settle.length ? `${median(row.settle).toFixed(0)} / ${Math.max(...row.settle).toFixed(0)}` : '–',
      String(row.leftovers),
      String(row.processesLeft)
    ])
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)))
    const line = (cells) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`
    out.push(line(header))
    out.push(line(widths.map((w) => '-'.repeat(w))))
    for (const r of body) out.push(line(r))
    for (const row of rows) for (const extra of row.extra) out.push(`  ${row.name}: ${extra}`)
    const total = rows.reduce((n, r) => n + r.cycles, 0)
    const passed = rows.reduce((n, r) => n + r.passed, 0)
    out.push('')
    out.push(`  cycles ${passed}/${total} passed; settle = the (last) Ctrl-C to the CLI's exit`)
    const early = rows.flatMap((row) => row.earlyDelays)
    if (early.length > 0) {
      out.push(`  ${early.length} Ctrl-C(s) at ${early.map((d) => d.toFixed(0)).join(', ')} ms came before the CLI's first statement (its SIGINT handler) ran: killed by SIGINT, nothing written;`)
      out.push(`  on this machine, now, a bare \`node -e\` reaches its first line in ${floorBefore.median.toFixed(0)} ms median (max ${floorBefore.max.toFixed(0)}) before the cycles, ${floorAfter.median.toFixed(0)} ms (max ${floorAfter.max.toFixed(0)}) after`)
    }
    out.push(`  checks: exit status; one summary, last, adding up (counts = todo = files) and equal to the per-file events;`)
    out.push(`  no temp file left; no process left; nothing written after the exit; every output a whole JPEG of the`)
    out.push(`  expected bytes, ${DECODE_SAMPLE} a run fully decoded at the expected size`)
    if (failures.length > 0) {
      failed = true
      out.push('')
      out.push(`FAILED (${failures.length}):`)
      for (const failure of failures) out.push(`  - ${failure}`)
    } else {
      out.push('')
      out.push('all checks passed')
    }
    process.stdout.write(`${out.join('\n')}\n`)
  } finally {
    for (const run of live) killAll(run)
    if (failed && KEEP) log(`kept ${workDir}`)
    else await rm(workDir, { recursive: true, force: true })
  }
  return failed ? 1 : 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    process.stderr.write(`stress: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  }
)
