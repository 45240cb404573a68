import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { z } from 'zod'
import type { EventChannel, EventContract, InvokeArg, InvokeChannel, InvokeResult } from '../shared/ipc'
import { INVOKE_CHANNELS } from '../shared/ipc'
import type { ProblemCode } from '../shared/reasons'
import { firstProblem } from '../shared/recipe'
import { requestSchemas } from './schemas'

/**
 * The only place that touches ipcMain: each channel is registered once, with its schema,
 * behind a sender check. Handlers receive validated, typed arguments and nothing else.
 */

export type Handlers = {
  [C in InvokeChannel]: (arg: InvokeArg<C>) => Promise<InvokeResult<C>>
}

export class IpcRequestError extends Error {
  constructor(
    readonly code: Extract<ProblemCode, 'unknown-channel' | 'invalid-request'>,
    message: string
  ) {
    super(message)
    this.name = 'IpcRequestError'
  }
}

const isChannel = (channel: string): channel is InvokeChannel => (INVOKE_CHANNELS as readonly string[]).includes(channel)

/** Validates a raw request and calls its handler: Electron's transport or a test's, the same code path. */
export function createRouter(handlers: Handlers): (channel: string, raw: unknown) => Promise<unknown> {
  return async (channel, raw) => {
    if (!isChannel(channel)) throw new IpcRequestError('unknown-channel', `no such request: ${channel}`)
    const parsed = (requestSchemas[channel] as z.ZodType).safeParse(raw)
    // The message is shown to people: it says what is wrong, not which channel or field path.
    if (!parsed.success) throw new IpcRequestError('invalid-request', firstProblem(parsed.error, 'invalid request'))
    const handler = handlers[channel] as (arg: unknown) => Promise<unknown>
    return handler(parsed.data)
  }
}

export function registerIpc(
  ipcMain: IpcMain,
  route: (channel: string, raw: unknown) => Promise<unknown>,
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean
): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event, raw: unknown) => {
      // Anything but the app's own window (a stray frame, a devtools extension) is ignored.
      if (!isTrustedSender(event)) throw new IpcRequestError('invalid-request', 'request from an unknown sender')
      return route(channel, raw)
    })
  }
}

export function sendEvent<C extends EventChannel>(contents: WebContents, channel: C, payload: EventContract[C]): void {
  if (!contents.isDestroyed()) contents.send(channel, payload)
}
