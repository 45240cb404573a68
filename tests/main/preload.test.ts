import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { IpcRendererEvent } from 'electron'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createRouter, type Handlers } from '../../src/main/ipc'
import type { ImageScaleApi } from '../../src/shared/api'
import { outputSchema, type BatchRequest } from '../../src/shared/recipe'
import type { BatchUpdate, InvokeChannel } from '../../src/shared/ipc'
import { BUILT_IN_PRESETS, type PresetEntry } from '../../src/shared/presets'
import type { Preview } from '../../src/shared/preview'
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
const API_FUNCTIONS: Record<Exclude<keyof ImageScaleApi, 'presets'>, true> = {
  appInfo: true,
  pickFolder: true,
  pickFiles: true,
  start: true,
  cancel: true,
  stopNow: true,
  showTarget: true,
  showOutput: true,
  copyText: true,
  sourceFiles: true,
  preview: true,
  exportReport: true,
  onUpdate: true,
  pathForDroppedFile: true
}

/** The one group of ImageScaleApi, `api.presets`: functions only, too. */
const PRESET_FUNCTIONS: Record<keyof ImageScaleApi['presets'], true> = {
  list: true,
  save: true,
  rename: true,
  remove: true,
  import: true,
  export: true
}

const BATCH_ID = 'page-batch-1'

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

/** What the recording handlers answer for presets: recognisable, as main would shape it. */
const PRESETS: PresetEntry[] = [{ name: 'web', description: BUILT_IN_PRESETS.web.description, from: 'built-in', builtIn: true, preset: BUILT_IN_PRESETS.web }]

const PREVIEW: Preview = {
  file: 'a.jpg',
  original: { info: { format: 'jpeg', shown: { width: 40, height: 30 }, frames: 1, alpha: false, bytes: 1234 }, image: { mime: 'image/jpeg', base64: 'AAAA' } },
  outputs: [{ output: 0, action: 'copy', size: { width: 40, height: 30 }, format: 'jpeg', bytes: 1234, encodeMs: 0, image: { mime: 'image/jpeg', base64: 'AAAA' } }]
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
    'dialog:pick-files': async (arg) => {
      calls.push({ channel: 'dialog:pick-files', arg })
      return arg.purpose === 'images' ? ['/photos/holiday/a.jpg', '/photos/holiday/b.jpg'] : []
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
    },
    'clipboard:write': async (arg) => {
      calls.push({ channel: 'clipboard:write', arg })
    },
    'source:files': async (arg) => {
      calls.push({ channel: 'source:files', arg })
      return { files: ['a.jpg', 'sub/b.jpg'], more: false }
    },
    'preview:make': async (arg) => {
      calls.push({ channel: 'preview:make', arg })
      return PREVIEW
    },
    'presets:list': async (arg) => {
      calls.push({ channel: 'presets:list', arg })
      return PRESETS
    },
    'presets:save': async (arg) => {
      calls.push({ channel: 'presets:save', arg })
      return PRESETS
    },
    'presets:rename': async (arg) => {
      calls.push({ channel: 'presets:rename', arg })
      return PRESETS
    },
    'presets:delete': async (arg) => {
      calls.push({ channel: 'presets:delete', arg })
      return PRESETS
    },
    'presets:import': async (arg) => {
      calls.push({ channel: 'presets:import', arg })
      return { imported: 'trip', presets: PRESETS }
    },
    'presets:export': async (arg) => {
      calls.push({ channel: 'presets:export', arg })
      return true
    },
    'report:export': async (arg) => {
      calls.push({ channel: 'report:export', arg })
      return false
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

  it('exposes exactly the ImageScaleApi functions (and its presets group of functions), and nothing Electron-shaped', () => {
    const api = exposedApi() as unknown as Record<string, unknown>
    expect(Object.keys(api).sort()).toEqual([...Object.keys(API_FUNCTIONS), 'presets'].sort())
    for (const [name, value] of Object.entries(api)) if (name !== 'presets') expect(typeof value, name).toBe('function')
    const presets = api.presets as Record<string, unknown>
    expect(Object.keys(presets).sort()).toEqual(Object.keys(PRESET_FUNCTIONS).sort())
    for (const [name, value] of Object.entries(presets)) expect(typeof value, `presets.${name}`).toBe('function')
    for (const leaked of ['ipcRenderer', 'invoke', 'send', 'on', 'require', 'process']) {
      expect(api).not.toHaveProperty(leaked)
      expect(presets).not.toHaveProperty(leaked)
    }
  })

  it('start invokes batch:start with the page’s batch id and the options, and returns main’s answer', async () => {
    const answer = await exposedApi().start(BATCH_ID, OPTIONS)
    expect(electron.invoked).toEqual([{ channel: 'batch:start', arg: { batchId: BATCH_ID, request: OPTIONS } }])
    expect(calls).toEqual([{ channel: 'batch:start', arg: { batchId: BATCH_ID, request: OPTIONS } }])
    expect(answer).toEqual({ ok: false, code: 'busy', message: 'a batch is already running' })
  })

  it('start passes folders with trailing spaces through to main untrimmed', async () => {
    const spaced = { ...OPTIONS, source: '/photos/keep ', target: '/photos/keep small  ' }
    await exposedApi().start(BATCH_ID, spaced)
    expect(calls).toEqual([{ channel: 'batch:start', arg: { batchId: BATCH_ID, request: spaced } }])
  })

  it('start passes picked files through to main, in the order picked', async () => {
    const picked = { ...OPTIONS, files: ['b.jpg', 'a.jpg'] }
    await exposedApi().start(BATCH_ID, picked)
    expect(calls).toEqual([{ channel: 'batch:start', arg: { batchId: BATCH_ID, request: picked } }])
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
    ['showOutput', (api: ImageScaleApi) => api.showOutput('sub/a.jpg'), 'shell:show-output', { file: 'sub/a.jpg' }, undefined],
    ['copyText', (api: ImageScaleApi) => api.copyText("imagescale '/photos/a b' /out"), 'clipboard:write', { text: "imagescale '/photos/a b' /out" }, undefined],
    [
      'pickFiles(images, current)',
      (api: ImageScaleApi) => api.pickFiles('images', '/photos/holiday'),
      'dialog:pick-files',
      { purpose: 'images', current: '/photos/holiday' },
      ['/photos/holiday/a.jpg', '/photos/holiday/b.jpg']
    ],
    ['pickFiles(preset, "")', (api: ImageScaleApi) => api.pickFiles('preset', ''), 'dialog:pick-files', { purpose: 'preset' }, []],
    [
      'sourceFiles',
      (api: ImageScaleApi) => api.sourceFiles('/photos/holiday', true),
      'source:files',
      { source: '/photos/holiday', recursive: true },
      { files: ['a.jpg', 'sub/b.jpg'], more: false }
    ],
    [
      'preview',
      (api: ImageScaleApi) => api.preview('/photos/holiday/a.jpg', OPTIONS.recipe, 1_000_000),
      'preview:make',
      { path: '/photos/holiday/a.jpg', recipe: OPTIONS.recipe, maxPixels: 1_000_000 },
      PREVIEW
    ],
    ['presets.list', (api: ImageScaleApi) => api.presets.list(), 'presets:list', undefined, PRESETS],
    [
      'presets.save',
      (api: ImageScaleApi) => api.presets.save('trip', 'for the album', OPTIONS.recipe),
      'presets:save',
      { name: 'trip', description: 'for the album', recipe: OPTIONS.recipe },
      PRESETS
    ],
    ['presets.rename', (api: ImageScaleApi) => api.presets.rename('trip', 'trip 2024'), 'presets:rename', { from: 'trip', to: 'trip 2024' }, PRESETS],
    ['presets.remove', (api: ImageScaleApi) => api.presets.remove('trip'), 'presets:delete', { name: 'trip' }, PRESETS],
    ['presets.import', (api: ImageScaleApi) => api.presets.import(), 'presets:import', undefined, { imported: 'trip', presets: PRESETS }],
    ['presets.export', (api: ImageScaleApi) => api.presets.export('web'), 'presets:export', { name: 'web' }, true],
    ['exportReport', (api: ImageScaleApi) => api.exportReport('csv'), 'report:export', { format: 'csv' }, false]
  ] as const)('%s sends a request main’s schema accepts', async (_name, call, channel, arg, answer) => {
    await expect(call(exposedApi())).resolves.toEqual(answer)
    expect(electron.invoked).toEqual([{ channel, arg }])
    expect(calls).toEqual([{ channel, arg }])
  })

  it('onUpdate hands the listener only the payload, never the IPC event', () => {
    const received: unknown[][] = []
    exposedApi().onUpdate((...args: unknown[]) => received.push(args))
    const update: BatchUpdate = { batchId: BATCH_ID, events: [{ type: 'started', file: 'a.jpg', worker: 1 }], at: [3] }
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
    const update: BatchUpdate = { batchId: BATCH_ID, events: [], at: [], error: { code: 'host-crashed', message: 'the image pool stopped' } }
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
    emitFromMain('batch:update', { batchId: BATCH_ID, events: [] })
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
