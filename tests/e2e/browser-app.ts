import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createApi, type Invoke, type Listen } from '../../src/shared/api'
import type { BatchUpdate, FilePurpose, FolderPurpose, InvokeChannel, StartResult } from '../../src/shared/ipc'
import type { Summary } from '../../src/shared/batch'
import type { BatchRequest } from '../../src/shared/recipe'
import { forkHost } from '../../src/core/pool-client'
import { createHandlers } from '../../src/main/handlers'
import { createRouter } from '../../src/main/ipc'
import { CONTENT_SECURITY_POLICY } from '../../src/main/security'
import { HOST_PATH, RENDERER_DIR, WORKER_PATH } from '../helpers/built'

/**
 * The desktop app with only Electron's transport replaced: the built renderer in Debian's
 * Chromium, `window.api` bridged by Playwright to the same IPC router and handlers main
 * registers, over the real engine: the batch runs in this process (main's place) and the pool
 * host is the real built one, forked as the CLI forks it. Dialogs and the shell are the only
 * stand-ins: they answer with the folders a test chose and record what was asked of them.
 * A request that main rejects (throws) reaches the page the way Electron delivers it.
 */

export const CHROMIUM = '/usr/bin/chromium'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png'
}

/** Serves out/renderer with the app's CSP, as Electron's session would add it. */
async function serveRenderer(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '')
    // Chromium asks any http origin for a favicon; Electron's file:// window does not.
    if (path === 'favicon.ico') {
      response.writeHead(204).end()
      return
    }
    const file = join(RENDERER_DIR, path === '' ? 'index.html' : path)
    if (!file.startsWith(RENDERER_DIR)) {
      response.writeHead(403).end()
      return
    }
    readFile(file).then(
      (body) => {
        response.writeHead(200, {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Security-Policy': CONTENT_SECURITY_POLICY
        })
        response.end(body)
      },
      () => response.writeHead(404).end()
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}/index.html` }
}

/** Marks a request main rejected, so the page can throw it as Electron's ipcRenderer.invoke does. */
interface Rejected {
  __rejected: string
}

/**
 * The preload's transport, rebuilt over Playwright bindings instead of ipcRenderer, under the
 * preload's own `createApi`: its source is sent into the page, so the mapping tested is the real one.
 */
function installBrowserApi(create: typeof createApi): void {
  const w = globalThis as unknown as {
    __invoke: (channel: string, payload: unknown) => Promise<unknown>
    __deliver: (update: unknown) => void
    api: unknown
  }
  const listeners = new Set<(update: unknown) => void>()
  w.__deliver = (update) => listeners.forEach((listener) => listener(update))
  // Electron serializes a handler's error as `String(error)` and the renderer's invoke rejects
  // with exactly this message (lib/renderer/api/ipc-renderer.ts): what the page must cope with.
  const invoke = async (channel: string, payload: unknown): Promise<unknown> => {
    const answer = await w.__invoke(channel, payload)
    if (typeof answer === 'object' && answer !== null && '__rejected' in answer) {
      throw new Error(`Error invoking remote method '${channel}': ${(answer as { __rejected: string }).__rejected}`)
    }
    return answer
  }
  // The only event the contract has is batch:update, which __deliver carries.
  const listen = (_channel: string, listener: (update: unknown) => void): (() => void) => {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }
  w.api = create(invoke as Invoke, listen as Listen, () => null)
}

export interface BrowserApp {
  page: Page
  /** What the folder dialog answers next, per purpose. */
  folders: Record<FolderPurpose, string | null>
  /** What the file dialog answers next, per purpose ([] is a canceled dialog). */
  files: Record<FilePurpose, string[]>
  /** What the save dialog answers next (null: canceled). */
  savePath: string | null
  /** What the page put on the clipboard, in order. */
  clipboard: string[]
  opened: string[]
  revealed: string[]
  updates: BatchUpdate[]
  /** Every request main accepted (its defaults filled in), in order: what each batch really ran. */
  accepted: BatchRequest[]
  ended: Summary[]
  /** Uncaught errors and console errors the page reported since it loaded. */
  problems: string[]
  /** Channels main has handled (after any hold), in order. */
  handled: InvokeChannel[]
  /** What the pool hosts wrote to stderr. */
  hostErrors: string[]
  /**
   * Holds every request on `channel` until the returned release is called, as a busy main
   * process would: what the page shows meanwhile is what it shows without waiting for main.
   */
  hold(channel: InvokeChannel): () => void
  /** Runs after every update has reached the page. */
  delivered(): Promise<void>
  /** Resolves once no batch is running in the engine (every accepted start has ended). */
  idle(timeoutMs?: number): Promise<void>
  /** Stops any batch now, waits for it to end, then closes the browser and the server. */
  close(): Promise<void>
}

export async function launchBrowserApp(options: { cores?: number; version?: string } = {}): Promise<BrowserApp> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed for the browser tests: apt-get install -y chromium (${CHROMIUM} missing)`)
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('build the renderer first: npm run build')
  const { server, url } = await serveRenderer()
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  })
  const page = await browser.newPage({ viewport: { width: 1180, height: 820 }, deviceScaleFactor: 1 })
  /** Batches accepted by main and not yet ended (with a summary, or with an error update). */
  let active = 0
  const app: BrowserApp = {
    page,
    folders: { source: null, target: null },
    files: { images: [], preset: [] },
    savePath: null,
    clipboard: [],
    opened: [],
    revealed: [],
    updates: [],
    accepted: [],
    ended: [],
    problems: [],
    handled: [],
    hostErrors: [],
    hold: (channel) => {
      let release!: () => void
      const promise = new Promise<void>((resolve) => (release = resolve))
      const hold = {
        promise,
        release: () => {
          if (held.get(channel) === hold) held.delete(channel)
          release()
        }
      }
      held.set(channel, hold)
      return hold.release
    },
    delivered: () => delivery,
    idle: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs
      while (active > 0) {
        if (Date.now() > deadline) throw new Error(`a batch was still running after ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      // Main forgets the batch just after it reports the end: one more turn, and a start is accepted.
      await new Promise((resolve) => setImmediate(resolve))
    },
    close: async () => {
      for (const hold of [...held.values()]) hold.release()
      await handlers['batch:stop-now'](undefined)
      // A pool host still writing into a test's folder would race its cleanup.
      try {
        await app.idle(10_000)
      } finally {
        await browser.close()
        await new Promise((resolve) => server.close(resolve))
      }
    }
  }
  const held = new Map<InvokeChannel, { promise: Promise<void>; release: () => void }>()
  // Updates reach the page one after another, in order, as IPC messages would.
  let delivery: Promise<void> = Promise.resolve()
  const handlers = createHandlers({
    spawnHost: forkHost(HOST_PATH, (text) => {
      app.hostErrors.push(text)
      process.stderr.write(text)
    }),
    workerPath: WORKER_PATH,
    appInfo: { cores: options.cores ?? 2, version: options.version ?? 'test', platform: process.platform },
    pickFolder: async (purpose) => app.folders[purpose],
    pickFiles: async (purpose) => app.files[purpose],
    pickSavePath: async () => app.savePath,
    writeClipboard: (text) => void app.clipboard.push(text),
    openFolder: async (path) => {
      app.opened.push(path)
    },
    showItemInFolder: (path) => app.revealed.push(path),
    sendUpdate: (update) => {
      app.updates.push(update)
      if (update.error) active -= 1
      delivery = delivery.then(() => page.evaluate((u) => (globalThis as unknown as { __deliver(u: unknown): void }).__deliver(u), update)).catch(() => undefined)
    },
    setProgress: () => undefined,
    batchEnded: (summary) => {
      active -= 1
      app.ended.push(summary)
    }
  })
  const route = createRouter(handlers)
  await page.exposeBinding('__invoke', async (_source, channel: string, payload: unknown): Promise<unknown> => {
    await held.get(channel as InvokeChannel)?.promise
    app.handled.push(channel as InvokeChannel)
    try {
      const result = await route(channel, payload)
      if (channel === 'batch:start' && (result as StartResult).ok) {
        active += 1
        app.accepted.push((result as Extract<StartResult, { ok: true }>).request)
      }
      return result
    } catch (error) {
      return { __rejected: String(error) } satisfies Rejected
    }
  })
  await page.addInitScript({ content: `(${installBrowserApi.toString()})(${createApi.toString()})` })
  const problems = app.problems
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${message.text()} (${message.location().url})`)
  })
  await page.goto(url)
  if (problems.length > 0) throw new Error(`the page reported errors: ${problems.join('; ')}`)
  return app
}
