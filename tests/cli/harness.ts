import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises'
import { basename, dirname, join, relative } from 'node:path'
import sharp from 'sharp'
import { expect } from 'vitest'
import type { BatchEvent, Dimensions, FileResult, Outcome, OutputResult, Summary } from '../../src/shared/batch'
import { CLI_PATH, ROOT } from '../helpers/built'
import { writeImage, type ImageSpec } from '../helpers/images'

/** How the built CLI is run here: as a user runs it, through a pipe, so stdout is not a terminal. */

export interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface Running {
  child: ChildProcessWithoutNullStreams
  stdout(): string
  stderr(): string
  /** Resolves with the first stdout line that matches. */
  line(match: (line: string) => boolean): Promise<string>
  /**
   * Resolves once the CLI has exited and its stdout and stderr are read to the end. Only the
   * CLI holds those pipes: the pool host it forks has no stdout and its own stderr pipe into
   * the CLI, so a host that outlives the CLI (a third Ctrl-C) does not keep this waiting.
   */
  closed: Promise<Finished>
  /** Resolves when the CLI process itself exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const KILL_AFTER_MS = 50_000

export const startCli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Running =>
  start(process.execPath, [CLI_PATH, ...args], env)

export const runCli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> => startCli(args, env).closed

/** Any command, with the CLI's pipes: for running the CLI inside a wrapper such as `unshare`. */
export const runCommand = (file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> =>
  start(file, args, env).closed

function start(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(file, args, { cwd: ROOT, env: { ...process.env, ...env } })
  let stdout = ''
  let stderr = ''
  const waiting: { match: (line: string) => boolean; resolve: (line: string) => void }[] = []
  let partial = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk
    partial += chunk
    const lines = partial.split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      for (const waiter of [...waiting]) {
        if (!waiter.match(line)) continue
        waiting.splice(waiting.indexOf(waiter), 1)
        waiter.resolve(line)
      }
    }
  })
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk
  })
  const guard = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }))
  })
  const closed = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    line: (match) =>
      new Promise<string>((resolve, reject) => {
        waiting.push({ match, resolve })
        void closed.then(() => reject(new Error(`the CLI ended before the expected line; stdout:\n${stdout}\nstderr:\n${stderr}`)))
      }),
    closed,
    exited
  }
}

/** Every stdout line must be one JSON event; anything else on stdout breaks `--json` consumers. */
export function jsonEvents(stdout: string): BatchEvent[] {
  const lines = stdout.split('\n')
  expect(lines.pop(), 'stdout ends with a newline').toBe('')
  return lines.map((line) => {
    let parsed: unknown
    expect(() => {
      parsed = JSON.parse(line)
    }, `not JSON: ${line}`).not.toThrow()
    expect(parsed).toMatchObject({ type: expect.stringMatching(/^(started|finished|planned|progress|summary)$/) })
    return parsed as BatchEvent
  })
}

export function lastSummary(events: readonly BatchEvent[]): Summary {
  const last = events.at(-1)
  if (last?.type !== 'summary') throw new Error(`the last event is ${last?.type ?? 'missing'}, not the summary`)
  expect(events.filter((event) => event.type === 'summary')).toHaveLength(1)
  return last.summary
}

export const resultsOf = (events: readonly BatchEvent[]): FileResult[] =>
  events.flatMap((event) => (event.type === 'finished' ? [event.result] : []))

/** One result per file, by its path below the source; a file reported twice fails here. */
/** Every output result of the batch, with the file it came from. */
export const outputsOf = (events: readonly BatchEvent[]): (OutputResult & { file: string })[] =>
  resultsOf(events).flatMap((result) => (result.outcome === 'done' ? result.outputs.map((output) => ({ ...output, file: result.file })) : []))

export function resultsByFile(events: readonly BatchEvent[]): Map<string, FileResult> {
  const results = resultsOf(events)
  const byFile = new Map(results.map((result) => [result.file, result]))
  expect(byFile.size, 'each file is reported once').toBe(results.length)
  return byFile
}

/**
 * What a one-output batch did to a file, as a user reads it: its one output when the file was
 * done, else the file's own outcome (a file skipped, failed or stopped as a whole).
 */
export interface Unit {
  file: string
  outcome: Outcome
  reason?: string
  message?: string
  /** The output's stored size, for a copied or scaled file. */
  size?: Dimensions
  /** The source as a person sees it, when it was read. */
  shown?: Dimensions
  warning?: string
  path?: string
}

export function unitOf(result: FileResult): Unit {
  const shown = 'info' in result ? result.info?.shown : undefined
  const base = { file: result.file, ...(shown ? { shown } : {}) }
  switch (result.outcome) {
    case 'done': {
      expect(result.outputs, `${result.file} has one output`).toHaveLength(1)
      const output = result.outputs[0]!
      const unit: Unit = { ...base, outcome: output.outcome, path: output.path }
      switch (output.outcome) {
        case 'copied':
        case 'scaled':
          return { ...unit, size: output.size, ...(output.warning ? { warning: output.warning } : {}) }
        case 'canceled':
          return { ...unit, message: output.message }
        default:
          return { ...unit, reason: output.reason, message: output.message }
      }
    }
    case 'canceled':
      return { ...base, outcome: 'canceled', message: result.message }
    default:
      return { ...base, outcome: result.outcome, reason: result.reason, message: result.message }
  }
}

/** One unit per file of a one-output batch, by its path below the source. */
export const unitsByFile = (events: readonly BatchEvent[]): Map<string, Unit> =>
  new Map([...resultsByFile(events)].map(([file, result]) => [file, unitOf(result)]))

/** `copied + scaled + skipped + failed + canceled = todo`: every summary must add up. */
export function expectAddsUp(summary: Summary): void {
  const { copied, scaled, skipped, failed, canceled } = summary.counts
  expect(copied + scaled + skipped + failed + canceled, 'the counts add up to todo').toBe(summary.todo)
}

/** The record of what made each output, kept in the target so a re-run skips finished files. */
export const JOURNAL = '.imagescale-journal.jsonl'

/** Every file below a folder, hidden ones included, as '/'-separated relative paths. */
export async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  const files: string[] = []
  for (const entry of entries) {
    if (entry.isDirectory()) continue
    files.push(relative(folder, join(entry.parentPath, entry.name)).split('\\').join('/'))
  }
  return files.sort()
}

/**
 * The images below a target: every file but the journal (`.imagescale-journal.jsonl` at its top,
 * which records what each output was made from, so a re-run skips what is done).
 */
export async function listOutputs(target: string): Promise<string[]> {
  return (await listFiles(target)).filter((file) => file !== JOURNAL)
}

/** Our temporary outputs are `.<name>.imagescale-<pid>-<random>.tmp`; none may ever be left. */
export const isTempName = (path: string): boolean => basename(path) !== JOURNAL && (path.includes('.imagescale-') || path.endsWith('.tmp'))

/** Fully decodes an image, strictly (a truncated file throws), and returns its stored size. */
export async function decode(path: string): Promise<{ width: number; height: number; format: string | undefined }> {
  const meta = await sharp(path).metadata()
  const { info } = await sharp(path).raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, format: meta.format }
}

export async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false
}

/**
 * Many files with the pixels of two: generating a big image costs about half a second,
 * copying it costs nothing, and the CLI works just as hard on every copy.
 */
export async function writeCopies(
  scratch: string,
  source: string,
  count: number,
  spec: ImageSpec,
  name: (i: number) => string
): Promise<string[]> {
  const extension = spec.format ?? 'jpeg'
  const originals = await Promise.all([1, 2].map((seed) => writeImage(scratch, `original-${seed}.${extension}`, { ...spec, seed })))
  const names = Array.from({ length: count }, (_, i) => name(i))
  for (const [i, file] of names.entries()) {
    await mkdir(dirname(join(source, file)), { recursive: true })
    await copyFile(originals[i % 2]!, join(source, file))
  }
  return names
}

/** Processes whose parent is `pid`: the pool host a running CLI forked (Linux /proc). */
export function childPids(pid: number): number[] {
  const children: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readOr(`/proc/${entry}/stat`)
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields && Number(fields[1]) === pid) children.push(Number(entry))
  }
  return children
}

/** True while a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const stat = readOr(`/proc/${pid}/stat`)
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/**
 * Sends one Ctrl-C and waits until the kernel has handed it over: a second signal sent while
 * the first is still pending would be merged into it, and the CLI would count one press.
 */
export async function interrupt(child: ChildProcessWithoutNullStreams): Promise<void> {
  const pid = child.pid!
  child.kill('SIGINT')
  const SIGINT_BIT = 1n << 1n
  const delivered = (): boolean => {
    const status = readOr(`/proc/${pid}/status`)
    if (status === null) return true
    const pending = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].map((match) => BigInt(`0x${match[1]}`))
    return pending.every((mask) => (mask & SIGINT_BIT) === 0n)
  }
  // Watched without yielding first: a timer's 10 ms (far more on a loaded machine) would give the
  // CLI time to act on this press, and finish, before the next one is sent.
  const spinUntil = Date.now() + 1000
  while (Date.now() < spinUntil) if (delivered()) return
  await until(delivered)
}

/** Polls until a condition holds, for things a process shows only by their effects. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${timeoutMs} ms: ${condition.toString()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
