import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { describe, expect, it } from 'vitest'
import { createRouter, IpcRequestError, registerIpc, sendEvent, type Handlers } from '../../src/main/ipc'
import { DEFAULT_NAME, LIMITS, OUTPUT_DEFAULTS, outputSchema, type BatchRequest } from '../../src/shared/recipe'
import { INVOKE_CHANNELS, type BatchUpdate, type InvokeChannel } from '../../src/shared/ipc'

// ipc.ts only imports Electron's types; the fakes below stand in for ipcMain and WebContents.

interface Call {
  channel: InvokeChannel
  arg: unknown
}

/** What each recording handler answers, so a test can see the answer came back through the router. */
const ANSWERS = {
  'app:info': { cores: 8, version: '9.9.9', platform: 'linux' },
  'dialog:pick-folder': '/picked',
  'batch:start': { ok: true, batchId: 1 },
  'batch:cancel': undefined,
  'batch:stop-now': undefined,
  'shell:show-target': undefined,
  'shell:show-output': undefined
} as const satisfies Record<InvokeChannel, unknown>

/** Handlers that record what reached them and answer something recognisable. */
function recordingHandlers() {
  const calls: Call[] = []
  const record = (channel: InvokeChannel, arg: unknown): void => {
    calls.push({ channel, arg })
  }
  const handlers: Handlers = {
    'app:info': async (arg) => {
      record('app:info', arg)
      return { ...ANSWERS['app:info'] }
    },
    'dialog:pick-folder': async (arg) => {
      record('dialog:pick-folder', arg)
      return ANSWERS['dialog:pick-folder']
    },
    'batch:start': async (arg) => {
      record('batch:start', arg)
      return { ...ANSWERS['batch:start'] }
    },
    'batch:cancel': async (arg) => {
      record('batch:cancel', arg)
    },
    'batch:stop-now': async (arg) => {
      record('batch:stop-now', arg)
    },
    'shell:show-target': async (arg) => {
      record('shell:show-target', arg)
    },
    'shell:show-output': async (arg) => {
      record('shell:show-output', arg)
    }
  }
  return { calls, handlers }
}

const VALID_OPTIONS: BatchRequest = {
  source: '/photos/holiday',
  target: '/photos/holiday-small',
  recipe: { outputs: [outputSchema.parse({ resize: { kind: 'long', size: 1920 }, mode: 'smooth', folder: '', name: DEFAULT_NAME })] },
  workers: 4,
  recursive: true,
  existing: 'skip',
  maxPixels: LIMITS.maxPixels.default,
  dryRun: false,
  keepDates: false
}

const withoutKey = (key: keyof BatchRequest): Partial<BatchRequest> => {
  const copy: Partial<BatchRequest> = { ...VALID_OPTIONS }
  delete copy[key]
  return copy
}

/** The valid request with its one output changed. */
const withOutput = (change: Record<string, unknown>): unknown => ({ ...VALID_OPTIONS, recipe: { outputs: [{ ...VALID_OPTIONS.recipe.outputs[0], ...change }] } })

/** [what is wrong, payload, what the message must mention]: at least one for every channel. */
const MALFORMED: Record<InvokeChannel, [string, unknown, RegExp][]> = {
  'app:info': [
    ['an object', { verbose: true }, /expected undefined/i],
    ['a string', 'please', /expected undefined/i]
  ],
  'dialog:pick-folder': [
    ['no payload', undefined, /expected object/i],
    ['an unknown purpose', { purpose: 'home' }, /"source"\|"target" \(purpose\)/],
    ['a relative current folder', { purpose: 'source', current: 'photos' }, /full path.*\(current\)/],
    ['a NUL byte in the current folder', { purpose: 'source', current: '/photos\0/x' }, /NUL.*\(current\)/],
    ['a number as the current folder', { purpose: 'target', current: 42 }, /string.*\(current\)/],
    ['an extra key', { purpose: 'source', defaultPath: '/etc' }, /unrecognized key: "defaultPath"/i]
  ],
  'batch:start': [
    ['no payload', undefined, /expected object/i],
    ['an array', [VALID_OPTIONS], /expected object/i],
    [
      'the old options, without a recipe',
      { source: '/a', target: '/b', size: 400, mode: 'smooth', workers: 2, recursive: true, existing: 'skip', maxPixels: 5 },
      /\(recipe\)/
    ],
    ['a recipe without outputs', { ...VALID_OPTIONS, recipe: { outputs: [] } }, /at least one output \(recipe\.outputs\)/],
    ['a recipe of 9 outputs', { ...VALID_OPTIONS, recipe: { outputs: Array.from({ length: 9 }, () => VALID_OPTIONS.recipe.outputs[0]) } }, /at most 8 outputs/],
    ['size 0', withOutput({ resize: { kind: 'long', size: 0 } }), /at least 1 pixel \(recipe\.outputs\.0\.resize\.size\)/],
    ['size -1', withOutput({ resize: { kind: 'long', size: -1 } }), /at least 1 pixel/],
    ['size 1.5', withOutput({ resize: { kind: 'long', size: 1.5 } }), /whole number of pixels/],
    ['size 70000', withOutput({ resize: { kind: 'long', size: 70_000 } }), /at most 65535 pixels/],
    ['size NaN', withOutput({ resize: { kind: 'long', size: Number.NaN } }), /number of pixels/],
    ['size as a string', withOutput({ resize: { kind: 'long', size: '400' } }), /number of pixels/],
    ['an unknown resize rule', withOutput({ resize: { kind: 'diagonal', size: 400 } }), /long.*percent.*\(recipe\.outputs\.0\.resize\.kind\)/],
    ['an enlarging percentage', withOutput({ resize: { kind: 'percent', percent: 150 } }), /would enlarge/],
    ["mode 'fast'", withOutput({ mode: 'fast' }), /smooth.*stride.*\(recipe\.outputs\.0\.mode\)/],
    ['a sub-folder climbing out of the target', withOutput({ folder: '../x' }), /below the target.*\(recipe\.outputs\.0\.folder\)/],
    ['a name template without {name}', withOutput({ name: '{dir}/photo.{ext}' }), /must contain \{name\}/],
    ['a name template with an unknown field', withOutput({ name: '{name}.{date}' }), /may only use/],
    ['a name template from the top of the disk', withOutput({ name: '/{name}.{ext}' }), /stay below the target/],
    ['an extra key in an output', withOutput({ sharpness: 9 }), /unrecognized key: "sharpness"/i],
    ['0 workers', { ...VALID_OPTIONS, workers: 0 }, /at least 1 worker thread \(workers\)/],
    ['65 workers', { ...VALID_OPTIONS, workers: 65 }, /at most 64 worker threads \(workers\)/],
    ['2.5 workers', { ...VALID_OPTIONS, workers: 2.5 }, /whole number \(workers\)/],
    ["existing 'replace'", { ...VALID_OPTIONS, existing: 'replace' }, /\(existing\)/],
    ['recursive as a string', { ...VALID_OPTIONS, recursive: 'yes' }, /boolean.*\(recursive\)/],
    ['dryRun as a string', { ...VALID_OPTIONS, dryRun: 'no' }, /boolean.*\(dryRun\)/],
    ['maxPixels 0', { ...VALID_OPTIONS, maxPixels: 0 }, /\(maxPixels\)/],
    ['maxPixels Infinity', { ...VALID_OPTIONS, maxPixels: Number.POSITIVE_INFINITY }, /\(maxPixels\)/],
    ['a relative source', { ...VALID_OPTIONS, source: 'photos' }, /source folder must be a full path.*\(source\)/],
    ['a relative target', { ...VALID_OPTIONS, target: '../elsewhere' }, /target folder must be a full path.*\(target\)/],
    ['an empty source', { ...VALID_OPTIONS, source: '' }, /choose a source folder \(source\)/],
    ['a NUL byte in the target', { ...VALID_OPTIONS, target: '/photos/small\0.jpg' }, /NUL \(target\)/],
    ['a 5000-character source', { ...VALID_OPTIONS, source: `/${'a'.repeat(5000)}` }, /<=4096 characters \(source\)/],
    ['a missing field', withoutKey('existing'), /\(existing\)/],
    ['a missing target', withoutKey('target'), /\(target\)/],
    ['a missing dryRun', withoutKey('dryRun'), /\(dryRun\)/],
    ['an extra key', { ...VALID_OPTIONS, afterRun: 'rm -rf ~' }, /unrecognized key: "afterRun"/i]
  ],
  'batch:cancel': [
    ['an object', { force: true }, /expected undefined/i],
    ['null', null, /expected undefined/i]
  ],
  'batch:stop-now': [
    ['an object', { force: true }, /expected undefined/i],
    ['a string', 'now', /expected undefined/i]
  ],
  'shell:show-target': [
    ['a path', '/etc', /expected undefined/i],
    ['an object', { path: '/etc' }, /expected undefined/i]
  ],
  'shell:show-output': [
    ['no payload', undefined, /expected object/i],
    ['no file', {}, /\(file\)/],
    ['an empty file', { file: '' }, /\(file\)/],
    ['a NUL byte', { file: 'a.jpg\0.sh' }, /NUL \(file\)/],
    ['a number', { file: 7 }, /string.*\(file\)/],
    ['a bare string', 'a.jpg', /expected object/i],
    ['an extra key', { file: 'a.jpg', open: true }, /unrecognized key: "open"/i]
  ]
}

/** The payloads the app really sends, and what the handler must receive. */
const VALID: Record<InvokeChannel, unknown[]> = {
  'app:info': [undefined],
  'dialog:pick-folder': [{ purpose: 'source' }, { purpose: 'target', current: '/photos/holiday-small' }],
  'batch:start': [
    VALID_OPTIONS,
    { ...VALID_OPTIONS, recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1 }, mode: 'stride' }] }, workers: 1, existing: 'overwrite' },
    { ...VALID_OPTIONS, recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 65_535 } }] }, workers: 64 },
    { ...VALID_OPTIONS, existing: 'rename', dryRun: true },
    // Folders are never trimmed: a trailing space is part of the name and must reach the handler.
    { ...VALID_OPTIONS, source: '/photos/holiday ', target: '/photos/ holiday small  ' }
  ],
  'batch:cancel': [undefined],
  'batch:stop-now': [undefined],
  'shell:show-target': [undefined],
  'shell:show-output': [{ file: 'sub/a.jpg' }]
}

async function rejectionOf(promise: Promise<unknown>): Promise<IpcRequestError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to be rejected')
    },
    (reason: unknown) => reason
  )
  expect(error).toBeInstanceOf(IpcRequestError)
  return error as IpcRequestError
}

describe('createRouter', () => {
  it('rejects an unknown channel without calling any handler', async () => {
    const { calls, handlers } = recordingHandlers()
    const route = createRouter(handlers)
    for (const channel of ['fs:read', 'batch:start ', 'constructor', '__proto__', 'toString', '']) {
      const error = await rejectionOf(route(channel, undefined))
      expect(error.code).toBe('unknown-channel')
      expect(error.message).toContain('no such request')
    }
    expect(calls).toEqual([])
  })

  it('has malformed payloads listed for every channel', () => {
    expect(Object.keys(MALFORMED).sort()).toEqual([...INVOKE_CHANNELS].sort())
  })

  describe.each(INVOKE_CHANNELS.flatMap((channel) => MALFORMED[channel].map(([what, payload, mentions]) => ({ channel, what, payload, mentions }))))(
    '$channel with $what',
    ({ channel, payload, mentions }) => {
      it('is refused as invalid-request with a message naming the problem, and the handler is not called', async () => {
        const { calls, handlers } = recordingHandlers()
        const error = await rejectionOf(createRouter(handlers)(channel, payload))
        expect(error.code).toBe('invalid-request')
        expect(error.message).toMatch(mentions)
        // The message is shown to people: it names the field, never the internal channel.
        expect(error.message).not.toContain(channel)
        expect(calls).toEqual([])
      })
    }
  )

  it.each(INVOKE_CHANNELS.flatMap((channel) => VALID[channel].map((payload) => ({ channel, payload }))))(
    'passes a valid $channel request to its handler, parsed, and returns its answer',
    async ({ channel, payload }) => {
      const { calls, handlers } = recordingHandlers()
      const answer = await createRouter(handlers)(channel, payload)
      expect(calls).toEqual([{ channel, arg: payload }])
      expect(answer).toEqual(ANSWERS[channel])
    }
  )

  it('hands the handler the parsed copy, so a renderer cannot change the options after validation', async () => {
    const { calls, handlers } = recordingHandlers()
    const raw = { ...VALID_OPTIONS }
    await createRouter(handlers)('batch:start', raw)
    raw.source = 'relative/now'
    expect(calls[0]?.arg).toEqual(VALID_OPTIONS)
  })
})

type InvokeListener = Parameters<IpcMain['handle']>[1]

/** An ipcMain that records handle() registrations and calls them the way Electron does. */
function fakeIpcMain() {
  const registered = new Map<string, InvokeListener>()
  const registrations: string[] = []
  const fake = {
    handle: (channel: string, listener: InvokeListener) => {
      registrations.push(channel)
      registered.set(channel, listener)
    }
  }
  /** Electron awaits the listener inside an async wrapper, so a throw becomes a rejection. */
  const invoke = async (channel: string, event: IpcMainInvokeEvent, raw: unknown): Promise<unknown> => {
    const listener = registered.get(channel)
    if (!listener) throw new Error(`No handler registered for '${channel}'`)
    return listener(event, raw)
  }
  return { ipcMain: fake as unknown as IpcMain, registrations, invoke }
}

const contentsNamed = (name: string): WebContents => ({ name }) as unknown as WebContents
const eventFrom = (sender: WebContents): IpcMainInvokeEvent => ({ sender }) as unknown as IpcMainInvokeEvent

describe('registerIpc', () => {
  const appContents = contentsNamed('app window')
  const isTrusted = (event: IpcMainInvokeEvent): boolean => event.sender === appContents

  function setup() {
    const routed: { channel: string; raw: unknown }[] = []
    const fake = fakeIpcMain()
    registerIpc(
      fake.ipcMain,
      async (channel, raw) => {
        routed.push({ channel, raw })
        return `answer to ${channel}`
      },
      isTrusted
    )
    return { ...fake, routed }
  }

  it('registers every channel of the contract exactly once', () => {
    const { registrations } = setup()
    expect([...registrations].sort()).toEqual([...INVOKE_CHANNELS].sort())
  })

  it.each(INVOKE_CHANNELS)('rejects %s from an unknown sender without routing it', async (channel) => {
    const { invoke, routed } = setup()
    const error = await rejectionOf(invoke(channel, eventFrom(contentsNamed('devtools extension')), undefined))
    expect(error.message).toMatch(/unknown sender/)
    expect(routed).toEqual([])
  })

  it.each(INVOKE_CHANNELS)('routes %s from the app window with its channel and raw payload', async (channel) => {
    const { invoke, routed } = setup()
    const payload = { from: 'app' }
    await expect(invoke(channel, eventFrom(appContents), payload)).resolves.toBe(`answer to ${channel}`)
    expect(routed).toEqual([{ channel, raw: payload }])
  })

  it('asks the sender check on every request, not once', async () => {
    const { invoke, routed } = setup()
    await invoke('batch:cancel', eventFrom(appContents), undefined)
    await rejectionOf(invoke('batch:cancel', eventFrom(contentsNamed('other window')), undefined))
    await invoke('batch:cancel', eventFrom(appContents), undefined)
    expect(routed).toHaveLength(2)
  })

  it('with the real router, a trusted but malformed request still never reaches the handler', async () => {
    const { calls, handlers } = recordingHandlers()
    const fake = fakeIpcMain()
    registerIpc(fake.ipcMain, createRouter(handlers), isTrusted)
    const error = await rejectionOf(fake.invoke('batch:start', eventFrom(appContents), { ...VALID_OPTIONS, workers: 65 }))
    expect(error.code).toBe('invalid-request')
    await fake.invoke('batch:start', eventFrom(appContents), VALID_OPTIONS)
    expect(calls).toEqual([{ channel: 'batch:start', arg: VALID_OPTIONS }])
  })
})

describe('sendEvent', () => {
  function fakeContents(destroyed: boolean) {
    const sent: { channel: string; payload: unknown }[] = []
    const contents = {
      isDestroyed: () => destroyed,
      send: (channel: string, payload: unknown) => {
        sent.push({ channel, payload })
      }
    }
    return { contents: contents as unknown as WebContents, sent }
  }

  const update: BatchUpdate = { batchId: 1, events: [{ type: 'started', file: 'a.jpg', worker: 0 }] }

  it('sends the payload on its channel to a live window', () => {
    const { contents, sent } = fakeContents(false)
    sendEvent(contents, 'batch:update', update)
    expect(sent).toEqual([{ channel: 'batch:update', payload: update }])
  })

  it('does nothing (and does not throw) when the window is already destroyed', () => {
    const { contents, sent } = fakeContents(true)
    expect(() => sendEvent(contents, 'batch:update', update)).not.toThrow()
    expect(sent).toEqual([])
  })
})
