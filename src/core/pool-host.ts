import type { FromHost, ToHost } from './host-protocol'
import { ScaleError, messageOf } from './errors'
import { runBatch } from './runner'

/**
 * Entry of the process that hosts the worker pool: started by Node's fork (CLI, tests) or
 * Electron's utilityProcess (desktop app) with UV_THREADPOOL_SIZE already in its environment.
 * It runs one batch, reports every event, and exits.
 */

interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: ToHost }) => void): void
  postMessage(message: FromHost): void
}

const electronPort = (process as NodeJS.Process & { parentPort?: ElectronParentPort }).parentPort

const send = (message: FromHost): void => {
  if (electronPort) electronPort.postMessage(message)
  // A callback turns a send after the front end is gone (EPIPE, closed channel) into a no-op
  // instead of an uncaught error that would kill the host mid-write.
  else process.send?.(message, undefined, undefined, () => undefined)
}

const onMessage = (listener: (message: ToHost) => void): void => {
  if (electronPort) electronPort.on('message', (event) => listener(event.data))
  else process.on('message', (message) => listener(message as ToHost))
}

const controller = new AbortController()

// Ctrl-C reaches the whole process group; the front end decides, and tells us through 'cancel'.
process.on('SIGINT', () => undefined)
// A front end that vanished cannot read results: stop feeding and let running files finish.
process.on('disconnect', () => controller.abort())

onMessage((message) => {
  if (message.type === 'cancel') {
    controller.abort()
    return
  }
  runBatch(message.options, { workerPath: message.workerPath, signal: controller.signal, onEvent: send })
    .catch((error: unknown) => {
      send(
        error instanceof ScaleError
          ? { type: 'error', code: error.code, message: error.message }
          : { type: 'error', code: 'internal', message: messageOf(error) }
      )
    })
    .finally(() => {
      // Let the last messages drain before the channel closes.
      setTimeout(() => process.exit(0), 50)
    })
})
