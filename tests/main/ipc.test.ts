import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { describe, expect, it } from 'vitest'
import { createRouter, IpcRequestError, registerIpc, sendEvent, type Handlers } from '../../src/main/ipc'
import { DEFAULT_NAME, LIMITS, OUTPUT_DEFAULTS, outputSchema, type BatchRequest } from '../../src/shared/recipe'
import { INVOKE_CHANNELS, type BatchUpdate, type InvokeArg, type InvokeChannel, type InvokeResult } from '../../src/shared/ipc'
import { BUILT_IN_PRESETS, type PresetEntry } from '../../src/shared/presets'
import type { Preview } from '../../src/shared/preview'

// ipc.ts only imports Electron's types; the fakes below stand in for ipcMain and WebContents.

interface Call {
  channel: InvokeChannel
  arg: unknown
}

const PRESETS: PresetEntry[] = [{ name: 'web', description: BUILT_IN_PRESETS.web.description, from: 'built-in', builtIn: true, preset: BUILT_IN_PRESETS.web }]

const PREVIEW: Preview = {
  file: 'a.jpg',
  original: { info: { format: 'jpeg', shown: { width: 40, height: 30 }, frames: 1, alpha: false, bytes: 1234 }, image: { mime: 'image/jpeg', base64: 'AAAA' } },
  outputs: [{ output: 0, action: 'skip', reason: 'not-an-image', message: 'not an image' }]
}

/** What each recording handler answers, so a test can see the answer came back through the router. */
const ANSWERS = {
  'app:info': { cores: 8, version: '9.9.9', platform: 'linux' },
  'dialog:pick-folder': '/picked',
  'dialog:pick-files': ['/picked/a.jpg', '/picked/b.jpg'],
  'batch:start': { ok: false, code: 'busy', message: 'a batch is already running' },
  'batch:cancel': undefined,
  'batch:stop-now': undefined,
  'shell:show-target': undefined,
  'shell:show-output': undefined,
  'clipboard:write': undefined,
  'source:files': { files: ['a.jpg', 'sub/b.jpg'], more: true },
  'preview:make': PREVIEW,
  'presets:list': PRESETS,
  'presets:save': PRESETS,
  'presets:rename': PRESETS,
  'presets:delete': PRESETS,
  'presets:import': { imported: 'trip-2', presets: PRESETS },
  'presets:export': true,
  'report:export': true
} as const satisfies { [C in InvokeChannel]: InvokeResult<C> }

/** Handlers that record what reached them and answer something recognisable. */
function recordingHandlers() {
  const calls: Call[] = []
  const recorded =
    <C extends InvokeChannel>(channel: C) =>
    async (arg: InvokeArg<C>): Promise<InvokeResult<C>> => {
      calls.push({ channel, arg })
      return structuredClone(ANSWERS[channel]) as InvokeResult<C>
    }
  const handlers: Handlers = {
    'app:info': recorded('app:info'),
    'dialog:pick-folder': recorded('dialog:pick-folder'),
    'dialog:pick-files': recorded('dialog:pick-files'),
    'batch:start': recorded('batch:start'),
    'batch:cancel': recorded('batch:cancel'),
    'batch:stop-now': recorded('batch:stop-now'),
    'shell:show-target': recorded('shell:show-target'),
    'shell:show-output': recorded('shell:show-output'),
    'clipboard:write': recorded('clipboard:write'),
    'source:files': recorded('source:files'),
    'preview:make': recorded('preview:make'),
    'presets:list': recorded('presets:list'),
    'presets:save': recorded('presets:save'),
    'presets:rename': recorded('presets:rename'),
    'presets:delete': recorded('presets:delete'),
    'presets:import': recorded('presets:import'),
    'presets:export': recorded('presets:export'),
    'report:export': recorded('report:export')
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

const BATCH_ID = 'page-batch-1'

/** A batch:start payload: the page's id for its batch, and the request. */
const started = (request: unknown, batchId: unknown = BATCH_ID): unknown => ({ batchId, request })

const withoutKey = (key: keyof BatchRequest): Partial<BatchRequest> => {
  const copy: Partial<BatchRequest> = { ...VALID_OPTIONS }
  delete copy[key]
  return copy
}

/** The valid request with its one output changed. */
const withOutput = (change: Record<string, unknown>): unknown => ({ ...VALID_OPTIONS, recipe: { outputs: [{ ...VALID_OPTIONS.recipe.outputs[0], ...change }] } })

/** Preset names that would not be a plain file in the config folder, and what the message says. */
const BAD_PRESET_NAMES: [string, string, RegExp][] = [
  ['a name climbing out of the folder', '../x', /a preset name uses letters, digits, spaces, "-", "_" and "\." and does not start with a dot/],
  ['a hidden name', '.hidden', /does not start with a dot/],
  ['a name with a slash', 'a/b', /a preset name uses letters, digits/],
  ['an empty name', '', /a preset name uses letters, digits/],
  ['a 65-character name', 'a'.repeat(65), /a preset name has at most 64 characters/],
  ['a name ending in .json', 'trip.json', /does not end with a space or "\.json"/],
  ['a name ending in a space', 'trip ', /does not end with a space/],
  ['a NUL byte in a name', 'trip\0', /a preset name uses letters, digits/]
]

/** Each bad name in the field of a preset request that names a preset. */
const badNames = (field: string, payload: (name: string) => unknown): [string, unknown, RegExp][] =>
  BAD_PRESET_NAMES.map(([what, name, message]) => [`${what} as ${field}`, payload(name), message])

/** [what is wrong, payload, what the message must mention]: at least one for every channel. */
const MALFORMED: Record<InvokeChannel, [string, unknown, RegExp][]> = {
  'app:info': [
    ['an object', { verbose: true }, /expected undefined/i],
    ['a string', 'please', /expected undefined/i]
  ],
  'dialog:pick-folder': [
    ['no payload', undefined, /expected object/i],
    ['an unknown purpose', { purpose: 'home' }, /"source"\|"target"/],
    ['a relative current folder', { purpose: 'source', current: 'photos' }, /^the current folder must be a full path, starting from the top of a disk$/],
    ['a NUL byte in the current folder', { purpose: 'source', current: '/photos\0/x' }, /^a path may not contain NUL$/],
    ['a number as the current folder', { purpose: 'target', current: 42 }, /expected string, received number/],
    ['an extra key', { purpose: 'source', defaultPath: '/etc' }, /unrecognized key: "defaultPath"/i]
  ],
  'dialog:pick-files': [
    ['no payload', undefined, /expected object/i],
    ['a folder purpose', { purpose: 'source' }, /"images"\|"preset"/],
    ['a relative current folder', { purpose: 'images', current: 'photos' }, /^the current folder must be a full path, starting from the top of a disk$/],
    ['an extra key', { purpose: 'preset', filters: ['*'] }, /unrecognized key: "filters"/i]
  ],
  'batch:start': [
    ['no payload', undefined, /expected object/i],
    ['an array', [started(VALID_OPTIONS)], /expected object/i],
    ['a bare request, without a batch id', VALID_OPTIONS, /^Invalid input: expected string, received undefined$/],
    ['an empty batch id', started(VALID_OPTIONS, ''), />=1 characters/],
    ['a number as the batch id', started(VALID_OPTIONS, 1), /expected string, received number/],
    ['a 101-character batch id', started(VALID_OPTIONS, 'b'.repeat(101)), /<=100 characters/],
    ['no request', { batchId: BATCH_ID }, /expected object, received undefined/],
    ['an extra key beside the request', { ...(started(VALID_OPTIONS) as object), afterRun: 'rm -rf ~' }, /unrecognized key: "afterRun"/i],
    [
      'the old options, without a recipe',
      started({ source: '/a', target: '/b', size: 400, mode: 'smooth', workers: 2, recursive: true, existing: 'skip', maxPixels: 5 }),
      /expected object, received undefined/
    ],
    ['a recipe without outputs', started({ ...VALID_OPTIONS, recipe: { outputs: [] } }), /at least one output/],
    ['a recipe of 9 outputs', started({ ...VALID_OPTIONS, recipe: { outputs: Array.from({ length: 9 }, () => VALID_OPTIONS.recipe.outputs[0]) } }), /at most 8 outputs/],
    ['size 0', started(withOutput({ resize: { kind: 'long', size: 0 } })), /^output 1: the long side must be at least 1 pixel$/],
    ['size -1', started(withOutput({ resize: { kind: 'long', size: -1 } })), /at least 1 pixel/],
    ['size 1.5', started(withOutput({ resize: { kind: 'long', size: 1.5 } })), /whole number of pixels/],
    ['size 70000', started(withOutput({ resize: { kind: 'long', size: 70_000 } })), /^output 1: the long side must be at most 65,535 pixels$/],
    ['size NaN', started(withOutput({ resize: { kind: 'long', size: Number.NaN } })), /number of pixels/],
    ['size as a string', started(withOutput({ resize: { kind: 'long', size: '400' } })), /number of pixels/],
    ['an unknown resize rule', started(withOutput({ resize: { kind: 'diagonal', size: 400 } })), /^output 1: .*long.*percent/],
    ['an enlarging percentage', started(withOutput({ resize: { kind: 'percent', percent: 150 } })), /would enlarge/],
    ["mode 'fast'", started(withOutput({ mode: 'fast' })), /^output 1: .*smooth.*stride/],
    ['a sub-folder climbing out of the target', started(withOutput({ folder: '../x' })), /^output 1: .*below the target/],
    ['a name template without {name}', started(withOutput({ name: '{dir}/photo.{ext}' })), /must contain \{name\}/],
    ['a name template with an unknown field', started(withOutput({ name: '{name}.{date}' })), /may only use/],
    ['a name template from the top of the disk', started(withOutput({ name: '/{name}.{ext}' })), /stay below the target/],
    ['an extra key in an output', started(withOutput({ sharpness: 9 })), /unrecognized key: "sharpness"/i],
    ['0 workers', started({ ...VALID_OPTIONS, workers: 0 }), /at least 1 worker thread/],
    ['65 workers', started({ ...VALID_OPTIONS, workers: 65 }), /at most 64 worker threads/],
    ['2.5 workers', started({ ...VALID_OPTIONS, workers: 2.5 }), /worker threads must be a whole number/],
    ["existing 'replace'", started({ ...VALID_OPTIONS, existing: 'replace' }), /^what to do with an existing output must be one of skip, overwrite, rename$/],
    ['recursive as a string', started({ ...VALID_OPTIONS, recursive: 'yes' }), /^sub-folders is true or false$/],
    ['dryRun as a string', started({ ...VALID_OPTIONS, dryRun: 'no' }), /^dry run is true or false$/],
    ['maxPixels 0', started({ ...VALID_OPTIONS, maxPixels: 0 }), /^the pixel limit must be at least 1$/],
    ['maxPixels Infinity', started({ ...VALID_OPTIONS, maxPixels: Number.POSITIVE_INFINITY }), /^the pixel limit must be a number$/],
    ['a relative source', started({ ...VALID_OPTIONS, source: 'photos' }), /source folder must be a full path/],
    ['a relative target', started({ ...VALID_OPTIONS, target: '../elsewhere' }), /target folder must be a full path/],
    ['an empty source', started({ ...VALID_OPTIONS, source: '' }), /choose a source folder/],
    ['a NUL byte in the target', started({ ...VALID_OPTIONS, target: '/photos/small\0.jpg' }), /^a path may not contain NUL$/],
    ['a 5000-character source', started({ ...VALID_OPTIONS, source: `/${'a'.repeat(5000)}` }), /<=4096 characters/],
    ['a missing field', started(withoutKey('existing')), /^what to do with an existing output must be one of skip, overwrite, rename$/],
    ['a missing target', started(withoutKey('target')), /expected string, received undefined/],
    ['a missing dryRun', started(withoutKey('dryRun')), /^dry run is true or false$/],
    ['an extra key', started({ ...VALID_OPTIONS, afterRun: 'rm -rf ~' }), /unrecognized key: "afterRun"/i],
    ['an empty list of picked files', started({ ...VALID_OPTIONS, files: [] }), /pick at least one file/],
    ['a picked file below a sub-folder', started({ ...VALID_OPTIONS, files: ['a.jpg', 'sub/b.jpg'] }), /a file is named without a folder/],
    ['a picked file climbing out of the source', started({ ...VALID_OPTIONS, files: ['..'] }), /a file is named without a folder/],
    ['a picked file with a NUL byte', started({ ...VALID_OPTIONS, files: ['a.jpg\0.sh'] }), /a file is named without a folder/],
    ['10,001 picked files', started({ ...VALID_OPTIONS, files: Array.from({ length: LIMITS.pickedFiles.max + 1 }, (_, i) => `${i}.jpg`) }), /<=10000 items/]
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
    ['no file', {}, /expected string, received undefined/],
    ['an empty file', { file: '' }, />=1 characters/],
    ['a NUL byte', { file: 'a.jpg\0.sh' }, /^a path may not contain NUL$/],
    ['a number', { file: 7 }, /expected string, received number/],
    ['a bare string', 'a.jpg', /expected object/i],
    ['an extra key', { file: 'a.jpg', open: true }, /unrecognized key: "open"/i]
  ],
  'clipboard:write': [
    ['no payload', undefined, /expected object/i],
    ['a bare string', 'imagescale --preset web', /expected object/i],
    ['a number as the text', { text: 42 }, /expected string/i],
    ['more than a megabyte of text', { text: 'x'.repeat(1024 ** 2 + 1) }, /<=1048576 characters/],
    ['an extra key', { text: 'a', html: '<b>a</b>' }, /unrecognized key: "html"/i]
  ],
  'source:files': [
    ['no payload', undefined, /expected object/i],
    ['a relative source', { source: 'photos', recursive: true }, /the source folder must be a full path/],
    ['an empty source', { source: '', recursive: true }, /choose a source folder/],
    ['a NUL byte in the source', { source: '/photos\0', recursive: true }, /^a path may not contain NUL$/],
    ['no recursive', { source: '/photos' }, /expected boolean, received undefined/],
    ['recursive as a string', { source: '/photos', recursive: 'yes' }, /expected boolean, received string/],
    ['an extra key', { source: '/photos', recursive: true, limit: 1e9 }, /unrecognized key: "limit"/i]
  ],
  'preview:make': [
    ['no payload', undefined, /expected object/i],
    ['a relative file', { path: 'a.jpg', recipe: VALID_OPTIONS.recipe, maxPixels: 1000 }, /the preview file must be a full path/],
    ['an empty file', { path: '', recipe: VALID_OPTIONS.recipe, maxPixels: 1000 }, /choose a preview file/],
    ['a recipe without outputs', { path: '/a.jpg', recipe: { outputs: [] }, maxPixels: 1000 }, /at least one output/],
    ['maxPixels 0', { path: '/a.jpg', recipe: VALID_OPTIONS.recipe, maxPixels: 0 }, /^the pixel limit must be at least 1$/],
    ['no maxPixels', { path: '/a.jpg', recipe: VALID_OPTIONS.recipe }, /^the pixel limit must be a number$/],
    ['an extra key', { path: '/a.jpg', recipe: VALID_OPTIONS.recipe, maxPixels: 1000, target: '/tmp' }, /unrecognized key: "target"/i]
  ],
  'presets:list': [
    ['an object', { all: true }, /expected undefined/i],
    ['a folder', '/etc', /expected undefined/i]
  ],
  'presets:save': [
    ['no payload', undefined, /expected object/i],
    ...badNames('name', (name) => ({ name, description: '', recipe: VALID_OPTIONS.recipe })),
    ['a 201-character description', { name: 'trip', description: 'd'.repeat(201), recipe: VALID_OPTIONS.recipe }, /<=200 characters/],
    ['no recipe', { name: 'trip', description: '' }, /expected object, received undefined/],
    ['a recipe without outputs', { name: 'trip', description: '', recipe: { outputs: [] } }, /at least one output/],
    ['an extra key', { name: 'trip', description: '', recipe: VALID_OPTIONS.recipe, path: '/etc/x.json' }, /unrecognized key: "path"/i]
  ],
  'presets:rename': [
    ['no payload', undefined, /expected object/i],
    ...badNames('from', (name) => ({ from: name, to: 'trip' })),
    ...badNames('to', (name) => ({ from: 'trip', to: name })),
    ['no new name', { from: 'trip' }, /expected string, received undefined/]
  ],
  'presets:delete': [['no payload', undefined, /expected object/i], ...badNames('name', (name) => ({ name })), ['an extra key', { name: 'trip', force: true }, /unrecognized key: "force"/i]],
  'presets:import': [
    ['a file', '/tmp/x.json', /expected undefined/i],
    ['an object', { file: '/tmp/x.json' }, /expected undefined/i]
  ],
  'presets:export': [['no payload', undefined, /expected object/i], ...badNames('name', (name) => ({ name })), ['a file', { name: 'web', file: '/tmp/x.json' }, /unrecognized key: "file"/i]],
  'report:export': [
    ['no payload', undefined, /expected object/i],
    ['an unknown format', { format: 'xml' }, /invalid option/i],
    ['a path chosen by the page', { format: 'trace', file: '/tmp/trace.json' }, /unrecognized key: "file"/i]
  ]
}

/** The payloads the app really sends, and what the handler must receive. */
const VALID: Record<InvokeChannel, unknown[]> = {
  'app:info': [undefined],
  'dialog:pick-folder': [{ purpose: 'source' }, { purpose: 'target', current: '/photos/holiday-small' }],
  'dialog:pick-files': [{ purpose: 'images' }, { purpose: 'images', current: '/photos/holiday' }, { purpose: 'preset' }],
  'batch:start': [
    started(VALID_OPTIONS),
    started({ ...VALID_OPTIONS, recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1 }, mode: 'stride' }] }, workers: 1, existing: 'overwrite' }),
    started({ ...VALID_OPTIONS, recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 65_535 } }] }, workers: 64 }),
    started({ ...VALID_OPTIONS, existing: 'rename', dryRun: true }),
    // Folders are never trimmed: a trailing space is part of the name and must reach the handler.
    started({ ...VALID_OPTIONS, source: '/photos/holiday ', target: '/photos/ holiday small  ' }),
    started({ ...VALID_OPTIONS, files: ['IMG_2.jpg', 'IMG_10.jpg', ' spaced .png', '.hidden.jpg'] }),
    started(VALID_OPTIONS, 'b'.repeat(100))
  ],
  'batch:cancel': [undefined],
  'batch:stop-now': [undefined],
  'shell:show-target': [undefined],
  'shell:show-output': [{ file: 'sub/a.jpg' }],
  'clipboard:write': [{ text: "imagescale '/photos/holiday ' /photos/small --preset web" }, { text: '' }],
  'source:files': [
    { source: '/photos/holiday', recursive: true },
    { source: '/photos/holiday ', recursive: false }
  ],
  'preview:make': [{ path: '/photos/holiday/a.jpg', recipe: VALID_OPTIONS.recipe, maxPixels: LIMITS.maxPixels.default }],
  'presets:list': [undefined],
  'presets:save': [
    { name: 'trip', description: 'for the album', recipe: VALID_OPTIONS.recipe },
    { name: 'Ünïcødé 2024_v1.2-final', description: '', recipe: VALID_OPTIONS.recipe },
    { name: 'a'.repeat(64), description: 'd'.repeat(200), recipe: VALID_OPTIONS.recipe },
    // A built-in's name is allowed: it makes the user's own copy, which wins.
    { name: 'web', description: 'my web', recipe: VALID_OPTIONS.recipe }
  ],
  'presets:rename': [{ from: 'trip', to: 'trip 2024' }],
  'presets:delete': [{ name: 'trip' }],
  'presets:import': [undefined],
  'presets:export': [{ name: 'web' }, { name: 'trip 2024' }],
  'report:export': [{ format: 'trace' }, { format: 'csv' }, { format: 'json' }]
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
        // The message is shown to people: it says what is wrong, never the internal channel.
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
    const raw = { batchId: BATCH_ID, request: { ...VALID_OPTIONS } }
    await createRouter(handlers)('batch:start', raw)
    raw.request.source = 'relative/now'
    raw.batchId = 'another'
    expect(calls[0]?.arg).toEqual({ batchId: BATCH_ID, request: VALID_OPTIONS })
  })

  it('fills in the schema’s defaults before the handler sees a request', async () => {
    const { calls, handlers } = recordingHandlers()
    const route = createRouter(handlers)
    const withoutKeepDates: Partial<BatchRequest> = { ...VALID_OPTIONS }
    delete withoutKeepDates.keepDates
    const bareOutput = { resize: { kind: 'box', width: 1080, height: 1350 } }
    await route('batch:start', started({ ...withoutKeepDates, recipe: { outputs: [bareOutput] } }))
    await route('presets:save', { name: 'trip', recipe: { outputs: [bareOutput] } })
    const filled = { outputs: [{ ...OUTPUT_DEFAULTS, resize: bareOutput.resize }] }
    expect(calls).toEqual([
      { channel: 'batch:start', arg: { batchId: BATCH_ID, request: { ...VALID_OPTIONS, keepDates: false, recipe: filled } } },
      { channel: 'presets:save', arg: { name: 'trip', description: '', recipe: filled } }
    ])
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
    const error = await rejectionOf(fake.invoke('batch:start', eventFrom(appContents), started({ ...VALID_OPTIONS, workers: 65 })))
    expect(error.code).toBe('invalid-request')
    await fake.invoke('batch:start', eventFrom(appContents), started(VALID_OPTIONS))
    expect(calls).toEqual([{ channel: 'batch:start', arg: started(VALID_OPTIONS) }])
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

  const update: BatchUpdate = { batchId: BATCH_ID, events: [{ type: 'started', file: 'a.jpg', worker: 1 }], at: [12.5] }

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
