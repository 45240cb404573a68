import { utilityProcess } from 'electron'
import type { FromHost, HostProcess, SpawnHost } from '../core/host-protocol'

/**
 * The desktop app's pool host: an Electron utility process, started with libuv's pool sized
 * in its environment (it cannot be raised inside the running main process), and away from
 * the main process, which Electron advises should not decode untrusted content.
 */
export function utilityHost(hostPath: string): SpawnHost {
  return (args, env) => {
    const child = utilityProcess.fork(hostPath, args, {
      env: { ...process.env, ...env },
      serviceName: 'ImageScale image pool',
      stdio: 'inherit'
    })
    const host: HostProcess = {
      // A process not yet spawned cannot be signalled: it is killed the moment it is.
      kill: () => {
        if (!child.kill()) child.once('spawn', () => void child.kill())
      },
      get pid() {
        return child.pid
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message: FromHost) => listener(message)),
      // Electron reports only the exit code; a crash shows as a non-zero code.
      onExit: (listener) => child.on('exit', (code) => listener(code, null))
    }
    return host
  }
}
