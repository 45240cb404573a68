import { fork } from 'node:child_process'
import type { FailReason } from '../shared/reasons'
import { hostEnvironment, type FromHost, type HostProcess, type MakeReply, type MakeTask, type ProbeReply, type ProbeTask, type SpawnHost } from './host-protocol'

/**
 * The batch's side of the pool host: starts it when there is work, sends it tasks, and
 * survives it. A host that dies (SIGBUS from a decoder, the OOM killer, a stray kill) or stops
 * answering fails only the tasks it held, and the next task starts a new one. It is never
 * trusted after that: what it held is reported, and its temp files are swept by the batch.
 */

/** Why a task got no answer from its host. */
export class HostLost extends Error {
  constructor(
    readonly reason: Extract<FailReason, 'host-crashed' | 'host-hung'> | 'stopped',
    message: string,
    /** The host's pid, whose temp files may be left behind. */
    readonly pid: number | undefined
  ) {
    super(message)
    this.name = 'HostLost'
  }
}

export interface PoolOptions {
  spawn: SpawnHost
  workerPath: string
  workers: number
  /** A host holding tasks that sends nothing (not even its heartbeat) for this long is hung. */
  hostTimeoutMs: number
}

/** A host that holds tasks and sends no heartbeat for a minute is not coming back. */
export const DEFAULT_HOST_TIMEOUT_MS = 60_000

/** How long a stopped host may take to finish and exit before it is killed. */
const EXIT_GRACE_MS = 10_000

interface Live {
  process: HostProcess
  exited: Promise<void>
  lastHeard: number
  /** What the batch did to it, if it ends: 'stopped' (Stop now) or 'host-hung'. */
  endedBy: 'stopped' | 'host-hung' | null
}

interface Pending {
  resolve(value: unknown): void
  reject(error: Error): void
}

const signalOf = (code: number | null, signal: string | null): string => (signal ? `was killed by ${signal}` : `exited with code ${code}`)

export class PoolClient {
  private live: Live | null = null
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private readonly watchdog: NodeJS.Timeout
  /** Hosts that died or hung and were replaced. */
  restarts = 0
  /** Most images libvips had in flight at once, over every host of this pool. */
  peakParallel = 0

  constructor(private readonly options: PoolOptions) {
    this.watchdog = setInterval(() => this.checkAlive(), Math.min(1000, options.hostTimeoutMs / 4))
    this.watchdog.unref()
  }

  /** Reads and probes a file; the host keeps its bytes for the make that follows when `keep` is set. */
  probe(task: Omit<ProbeTask, 'id'>): { id: number; reply: Promise<ProbeReply> } {
    const id = this.nextId++
    return { id, reply: this.request<ProbeReply>(id, { type: 'probe', task: { ...task, id } }) }
  }

  make(task: MakeTask): Promise<MakeReply> {
    return this.request<MakeReply>(task.id, { type: 'make', task })
  }

  /** The probed bytes of a file that will not be made. */
  drop(id: number): void {
    this.live?.process.send({ type: 'drop', id })
  }

  /** Lets running tasks finish, then waits for the host to exit (killing it if it will not). */
  async stop(): Promise<void> {
    clearInterval(this.watchdog)
    const live = this.live
    if (!live) return
    live.process.send({ type: 'stop' })
    const timer = setTimeout(() => this.kill(live, 'stopped'), EXIT_GRACE_MS)
    await live.exited
    clearTimeout(timer)
  }

  /** Stop now: kills the host at once; its tasks fail as 'stopped'. Returns the dead host's pid. */
  async stopNow(): Promise<number | undefined> {
    clearInterval(this.watchdog)
    const live = this.live
    if (!live) return undefined
    this.kill(live, 'stopped')
    await live.exited
    return live.process.pid
  }

  private kill(live: Live, why: 'stopped' | 'host-hung'): void {
    live.endedBy ??= why
    live.process.kill()
  }

  private request<T>(id: number, message: Parameters<HostProcess['send']>[0]): Promise<T> {
    const live = this.ensureHost()
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      if (this.pending.size === 1) live.lastHeard = Date.now()
      live.process.send(message)
    })
  }

  private ensureHost(): Live {
    if (this.live) return this.live
    const process = this.options.spawn([this.options.workerPath, String(this.options.workers)], hostEnvironment(this.options.workers))
    let markExited = (): void => undefined
    const live: Live = { process, exited: new Promise((resolve) => (markExited = resolve)), lastHeard: Date.now(), endedBy: null }
    process.onMessage((message) => this.heard(live, message))
    process.onExit((code, signal) => {
      if (this.live === live) this.live = null
      this.lost(live, code, signal)
      markExited()
    })
    this.live = live
    return live
  }

  private heard(live: Live, message: FromHost): void {
    live.lastHeard = Date.now()
    switch (message.type) {
      case 'heartbeat':
        this.peakParallel = Math.max(this.peakParallel, message.peakParallel)
        return
      case 'probed':
      case 'made': {
        const waiting = this.pending.get(message.id)
        this.pending.delete(message.id)
        waiting?.resolve(message.reply)
        return
      }
      case 'task-error': {
        const waiting = this.pending.get(message.id)
        this.pending.delete(message.id)
        waiting?.reject(new Error(message.message))
        return
      }
    }
  }

  private lost(live: Live, code: number | null, signal: string | null): void {
    if (this.pending.size === 0) return
    const how = signalOf(code, signal)
    const error =
      live.endedBy === 'stopped'
        ? new HostLost('stopped', 'stopped while it was being worked on; no half-written file was left', live.process.pid)
        : live.endedBy === 'host-hung'
          ? new HostLost('host-hung', `the image pool sent nothing for ${Math.round(this.options.hostTimeoutMs / 1000)} s while it worked on this file, and was stopped`, live.process.pid)
          : new HostLost('host-crashed', `the image pool ${how} while it worked on this file; a new one took over the rest`, live.process.pid)
    if (live.endedBy !== 'stopped') this.restarts += 1
    const waiting = [...this.pending.values()]
    this.pending.clear()
    for (const task of waiting) task.reject(error)
  }

  private checkAlive(): void {
    const live = this.live
    if (live && this.pending.size > 0 && Date.now() - live.lastHeard > this.options.hostTimeoutMs) this.kill(live, 'host-hung')
  }
}

/**
 * The plain-Node host: what the CLI uses, and what stands in for utilityProcess in tests. It
 * runs in its own process group, so a Ctrl-C at the terminal reaches only the front end,
 * which decides what it means; its stderr is passed on, and its stdout is not held open.
 */
export function forkHost(hostPath: string, stderr: (text: string) => void = (text) => process.stderr.write(text)): SpawnHost {
  return (args, env) => {
    const child = fork(hostPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      detached: true
    })
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (text: string) => stderr(text))
    return {
      pid: child.pid,
      kill: () => void child.kill('SIGKILL'),
      send: (message) => {
        if (child.connected) child.send(message, (error) => void error)
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as FromHost)),
      onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal))
    }
  }
}
