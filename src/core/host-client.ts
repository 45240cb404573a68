import { fork } from 'node:child_process'
import type { BatchEvent, BatchOptions, Summary } from '../shared/batch'
import { ScaleError } from './errors'
import { hostEnvironment, type FromHost, type HostProcess, type SpawnHost } from './host-protocol'

export interface HostRun {
  spawn: SpawnHost
  workerPath: string
  signal?: AbortSignal
  onEvent: (event: BatchEvent) => void
}

/** Runs one batch in a fresh pool host and resolves with its summary. */
export function runInHost(options: BatchOptions, run: HostRun): Promise<Summary> {
  const host = run.spawn(hostEnvironment(options.workers))
  return new Promise<Summary>((resolve, reject) => {
    let settled = false
    const cancel = (): void => host.send({ type: 'cancel' })
    run.signal?.addEventListener('abort', cancel, { once: true })
    const finish = (outcome: () => void): void => {
      if (settled) return
      settled = true
      run.signal?.removeEventListener('abort', cancel)
      outcome()
    }
    host.onMessage((message: FromHost) => {
      if (message.type === 'error') {
        finish(() => reject(new ScaleError(message.code, message.message)))
        return
      }
      run.onEvent(message)
      if (message.type === 'summary') {
        host.release()
        finish(() => resolve(message.summary))
      }
    })
    host.onExit((code) => {
      finish(() => reject(new ScaleError('host-crashed', `the image pool stopped unexpectedly (exit code ${code ?? 'signal'})`)))
    })
    host.send({ type: 'start', options, workerPath: run.workerPath })
    if (run.signal?.aborted) cancel()
  })
}

/** The plain-Node host: what the CLI uses, and what stands in for utilityProcess in tests. */
export function forkHost(hostPath: string): SpawnHost {
  return (env) => {
    const child = fork(hostPath, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const host: HostProcess = {
      send: (message) => {
        if (child.connected) child.send(message)
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as FromHost)),
      onExit: (listener) => child.on('exit', (code) => listener(code)),
      release: () => {
        child.channel?.unref()
        child.unref()
      }
    }
    return host
  }
}
