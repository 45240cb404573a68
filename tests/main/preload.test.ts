import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { IpcRendererEvent } from 'electron'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createRouter, type Handlers } from '../../src/main/ipc'
import type { ImageScaleApi } from '../../src/shared/api'
import { outputSchema, type BatchRequest } from '../../src/shared/recipe'
import type { BatchUpdate, InvokeChannel } from '../../src/shared/ipc'
import { ROOT } from '../helpers/built'

type RendererListener = (event: IpcRendererEvent, ...args: unknown[]) => void

/**
 * Electron's renderer side, reduced to what the preload touches. invoke() goes through main's
 * real router, so every call the preload makes is checked against main's schemas too.
 */
const electron = vi.hoisted(() => {
  const listeners = new Map<string, RendererListener[]>()
  const invoked: { channel: string; arg: unknown }[] = []
  const exposed: { key: string; api: unknown }[] = []
  const state: { route: ((channel: string, raw: unknown) => Promise<unknown>) | null; droppedPath: string } = { route: null, droppedPath: '' }
  return {
    listeners,
    invoked,
    exposed,
    state,
    module: {
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => {
          exposed.push({ key, api })
        }
      },
      ipcRenderer: {
        invoke: async (channel: string, arg: unknown): Promise<unknown> => {
          invoked.push({ channel, arg })
          if (!state.route) throw new Error('no router installed')
          return state.route(channel, arg)
        },
        on: (channel: string, listener: RendererListener) => {
          listeners.set(channel, [...(listeners.get(channel) ?? []), listener])
        },
        removeListener: (channel: string, listener: RendererListener) => {
          const list = listeners.get(channel) ?? []
          const at = list.indexOf(listener)
          if (at >= 0) list.splice(at, 1)
        }
      },
      webUtils: {
        getPathForFile: (_file: File): string => state.droppedPath
      }
    }
  }
})

vi.mock('electron', () => electron.module)

/** Sends a message from main the way Electron does: the IPC event first, then the payload. */
function emitFromMain(channel: string, payload: unknown): void {
  const event = { sender: 'the ipcRenderer itself', senderId: 0, ports: [] } as unknown as IpcRendererEvent
  for (const listener of [...(electron.listeners.get(channel) ?? [])]) listener(event, payload)
}

/** Every function of ImageScaleApi: if the interface grows, this stops compiling until the test knows. */
const API_FUNCTIONS: Record<keyof ImageScaleApi, true> = {
  appInfo: true,
  pickFolder: true,
  start: true,
  cancel: true,
  stopNow: true,
  showTarget: true,
  showOutput: true,
  onUpdate: true,
  pathForDroppedFile: true
}

const OPTIONS: BatchRequest = {
  source: '/photos/holiday',
  target: '/photos/holiday-small',
  recipe: { outputs: [outputSchema.parse({ resize: { kind: 'long', size: 1280 }, mode: 'stride', folder: '', name: '{dir}/{name}.{ext}' })] },
  workers: 3,
  recursive: false,
  existing: 'overwrite',
  maxPixels: 50_000_000,
  dryRun: false,
  keepDates: false
}

function recordingHandlers() {
  const calls: { channel: InvokeChannel; arg: unknown }[] = []
  const handlers: Handlers = {
    'app:info': async (arg) => {
      calls.push({ channel: 'app:info', arg })
      return { cores: 12, version: '0.1.0', platform: 'linux' }
    },
    'dialog:pick-folder': async (arg) => {
      calls.push({ channel: 'dialog:pick-folder', arg })
      return arg.purpose === 'source' ? '/photos/holiday' : null
    },
    'batch:start': async (arg) => {
      calls.push({ channel: 'batch:start', arg })
      return { ok: false, code: 'busy', message: 'a batch is already running' }
    },
    'batch:cancel': async (arg) => {
      calls.push({ channel: 'batch:cancel', arg })
    },
    'batch:stop-now': async (arg) => {
      calls.push({ channel: 'batch:stop-now', arg })
    },
    'shell:show-target': async (arg) => {
      calls.push({ channel: 'shell:show-target', arg })
    },
    'shell:show-output': async (arg) => {
      calls.push({ channel: 'shell:show-output', arg })
    }
  }
  return { calls, handlers }
}

await import('../../src/preload/index')

function exposedApi(): ImageScaleApi {
  const [first] = electron.exposed
  if (!first) throw new Error('the preload exposed nothing')
  return first.api as ImageScaleApi
}

describe('preload', () => {
  let calls: { channel: InvokeChannel; arg: unknown }[]

  beforeEach(() => {
    const recording = recordingHandlers()
    calls = recording.calls
    electron.state.route = createRouter(recording.handlers)
    electron.invoked.length = 0
    electron.listeners.clear()
    electron.state.droppedPath = ''
  })

  it('exposes exactly one object, as window.api', () => {
    expect(electron.exposed.map(({ key }) => key)).toEqual(['api'])
  })

  it('exposes exactly the ImageScaleApi functions, and nothing Electron-shaped', () => {
    const api = exposedApi() as unknown as Record<string, unknown>
    expect(Object.keys(api).sort()).toEqual(Object.keys(API_FUNCTIONS).sort())
    for (const [name, value] of Object.entries(api)) expect(typeof value, name).toBe('function')
    for (const leaked of ['ipcRenderer', 'invoke', 'send', 'on', 'require', 'process']) expect(api).not.toHaveProperty(leaked)
  })

  it('start invokes batch:start with the options and returns main’s answer', async () => {
    const answer = await exposedApi().start(OPTIONS)
    expect(electron.invoked).toEqual([{ channel: 'batch:start', arg: OPTIONS }])
    expect(calls).toEqual([{ channel: 'batch:start', arg: OPTIONS }])
    expect(answer).toEqual({ ok: false, code: 'busy', message: 'a batch is already running' })
  })

  it('start passes folders with trailing spaces through to main untrimmed', async () => {
    const spaced = { ...OPTIONS, source: '/photos/keep ', target: '/photos/keep small  ' }
    await exposedApi().start(spaced)
    expect(calls).toEqual([{ channel: 'batch:start', arg: spaced }])
  })

  it.each([
    ['appInfo', (api: ImageScaleApi) => api.appInfo(), 'app:info', undefined, { cores: 12, version: '0.1.0', platform: 'linux' }],
    ['pickFolder(source)', (api: ImageScaleApi) => api.pickFolder('source'), 'dialog:pick-folder', { purpose: 'source' }, '/photos/holiday'],
    [
      'pickFolder(target, current)',
      (api: ImageScaleApi) => api.pickFolder('target', '/photos/out'),
      'dialog:pick-folder',
      { purpose: 'target', current: '/photos/out' },
      null
    ],
    ['pickFolder(target, "")', (api: ImageScaleApi) => api.pickFolder('target', ''), 'dialog:pick-folder', { purpose: 'target' }, null],
    ['cancel', (api: ImageScaleApi) => api.cancel(), 'batch:cancel', undefined, undefined],
    ['stopNow', (api: ImageScaleApi) => api.stopNow(), 'batch:stop-now', undefined, undefined],
    ['showTarget', (api: ImageScaleApi) => api.showTarget(), 'shell:show-target', undefined, undefined],
    ['showOutput', (api: ImageScaleApi) => api.showOutput('sub/a.jpg'), 'shell:show-output', { file: 'sub/a.jpg' }, undefined]
  ] as const)('%s sends a request main’s schema accepts', async (_name, call, channel, arg, answer) => {
    await expect(call(exposedApi())).resolves.toEqual(answer)
    expect(electron.invoked).toEqual([{ channel, arg }])
    expect(calls).toEqual([{ channel, arg }])
  })

  it('onUpdate hands the listener only the payload, never the IPC event', () => {
    const received: unknown[][] = []
    exposedApi().onUpdate((...args: unknown[]) => received.push(args))
    const update: BatchUpdate = { batchId: 1, events: [{ type: 'started', file: 'a.jpg', worker: 1 }] }
    emitFromMain('batch:update', update)
    expect(received).toEqual([[update]])
  })

  it('onUpdate listens only to batch:update', () => {
    const received: BatchUpdate[] = []
    exposedApi().onUpdate((update) => received.push(update))
    expect([...electron.listeners.keys()]).toEqual(['batch:update'])
    emitFromMain('batch:other', { events: [] })
    expect(received).toEqual([])
  })

  it('the function onUpdate returns removes exactly that listener', () => {
    const first: BatchUpdate[] = []
    const second: BatchUpdate[] = []
    const api = exposedApi()
    const stopFirst = api.onUpdate((update) => first.push(update))
    api.onUpdate((update) => second.push(update))
    expect(electron.listeners.get('batch:update')).toHaveLength(2)

    stopFirst()
    expect(electron.listeners.get('batch:update')).toHaveLength(1)
    const update: BatchUpdate = { batchId: 1, events: [], error: { code: 'host-crashed', message: 'the image pool stopped' } }
    emitFromMain('batch:update', update)
    expect(first).toEqual([])
    expect(second).toEqual([update])

    // Unsubscribing twice (React's strict mode does) must not remove someone else's listener.
    stopFirst()
    expect(electron.listeners.get('batch:update')).toHaveLength(1)
  })

  it('subscribing the same function twice gives two independent subscriptions', () => {
    const received: BatchUpdate[] = []
    const listener = (update: BatchUpdate): void => {
      received.push(update)
    }
    const api = exposedApi()
    const stopA = api.onUpdate(listener)
    api.onUpdate(listener)
    stopA()
    emitFromMain('batch:update', { events: [] })
    expect(received).toHaveLength(1)
  })

  it('pathForDroppedFile gives the real path of a dropped folder, or null when it has none', () => {
    const file = new File([], 'holiday')
    electron.state.droppedPath = '/photos/holiday'
    expect(exposedApi().pathForDroppedFile(file)).toBe('/photos/holiday')
    electron.state.droppedPath = ''
    expect(exposedApi().pathForDroppedFile(file)).toBeNull()
  })
})

describe('the built preload', () => {
  it('is a CommonJS script that loads nothing but electron, as a sandboxed preload must', async () => {
    const code = await readFile(join(ROOT, 'out/preload/index.js'), 'utf8')
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1])
    expect(required).toEqual(['electron'])
    expect(code).not.toMatch(/^\s*(import|export)\s/m)
    expect(code).not.toMatch(/\bimport\(/)
    expect(code).toContain('exposeInMainWorld("api"')
  })
})
