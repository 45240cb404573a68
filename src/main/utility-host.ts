import { utilityProcess } from 'electron'
import type { FromHost, HostProcess, SpawnHost } from '../core/host-protocol'

/**
 * The desktop app's pool host: an Electron utility process, started with libuv's pool sized
 * in its environment (it cannot be raised inside the running main process), and away from
 * the main process, which Electron advises should not decode untrusted content.
 */
export function utilityHost(hostPath: string): SpawnHost {
  return (env) => {
    const child = utilityProcess.fork(hostPath, [], {
      env: { ...process.env, ...env },
      serviceName: 'ImageScale image pool',
      stdio: 'inherit'
    })
    const host: HostProcess = {
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message: FromHost) => listener(message)),
      onExit: (listener) => child.on('exit', (code) => listener(code)),
      // The app outlives every batch; the utility process exits by itself after its summary.
      release: () => undefined
    }
    return host
  }
}
