import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { BatchUpdate, FolderPurpose, StartResult } from '../../src/shared/ipc'
import type { Summary } from '../../src/shared/batch'
import { forkHost } from '../../src/core/host-client'
import { createHandlers } from '../../src/main/handlers'
import { createRouter } from '../../src/main/ipc'
import { CONTENT_SECURITY_POLICY } from '../../src/main/security'
import { HOST_PATH, RENDERER_DIR, WORKER_PATH } from '../helpers/built'

/**
 * The desktop app with only Electron's transport replaced: the built renderer in Debian's
 * Chromium, `window.api` bridged by Playwright to the same IPC router and handlers main
 * registers, over the real engine in a forked pool host. Dialogs and the shell are the only
 * stand-ins: they answer with the folders a test chose and record what was asked of them.
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

/** The preload's `window.api`, rebuilt over Playwright bindings instead of ipcRenderer. */
function installBrowserApi(): void {
  type Invoke = (channel: string, payload: unknown) => Promise<unknown>
  const w = globalThis as unknown as {
    __invoke: Invoke
    __deliver: (update: unknown) => void
    api: unknown
  }
  const listeners = new Set<(update: unknown) => void>()
  w.__deliver = (update) => listeners.forEach((listener) => listener(update))
  w.api = {
    appInfo: () => w.__invoke('app:info', undefined),
    pickFolder: (purpose: string, current?: string) =>
      w.__invoke('dialog:pick-folder', current ? { purpose, current } : { purpose }),
    start: (options: unknown) => w.__invoke('batch:start', options),
    cancel: () => w.__invoke('batch:cancel', undefined),
    showTarget: () => w.__invoke('shell:show-target', undefined),
    showOutput: (file: string) => w.__invoke('shell:show-output', { file }),
    onUpdate: (listener: (update: unknown) => void) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    pathForDroppedFile: () => null
  }
}

export interface BrowserApp {
  page: Page
  /** What the folder dialog answers next, per purpose. */
  folders: Record<FolderPurpose, string | null>
  opened: string[]
  revealed: string[]
  updates: BatchUpdate[]
  ended: Summary[]
  /** Uncaught errors and console errors the page reported since it loaded. */
  problems: string[]
  /** Runs after every update has reached the page. */
  delivered(): Promise<void>
  /** Resolves once no batch is running in the engine (every accepted start has ended). */
  idle(timeoutMs?: number): Promise<void>
  /** Cancels any batch, waits for its pool host to finish, then closes the browser and the server. */
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
    opened: [],
    revealed: [],
    updates: [],
    ended: [],
    problems: [],
    delivered: () => delivery,
    idle: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs
      while (active > 0) {
        if (Date.now() > deadline) throw new Error(`a batch was still running after ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    close: async () => {
      await handlers['batch:cancel'](undefined)
      // A pool host still writing into a test's folder would race its cleanup.
      try {
        await app.idle(10_000)
      } finally {
        await browser.close()
        await new Promise((resolve) => server.close(resolve))
      }
    }
  }
  // Updates reach the page one after another, in order, as IPC messages would.
  let delivery: Promise<void> = Promise.resolve()
  const handlers = createHandlers({
    spawnHost: forkHost(HOST_PATH),
    workerPath: WORKER_PATH,
    appInfo: { cores: options.cores ?? 2, version: options.version ?? 'test', platform: process.platform },
    pickFolder: async (purpose) => app.folders[purpose],
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
  await page.exposeBinding('__invoke', async (_source, channel: string, payload: unknown) => {
    const result = await route(channel, payload)
    if (channel === 'batch:start' && (result as StartResult).ok) active += 1
    return result
  })
  await page.addInitScript(installBrowserApi)
  const problems = app.problems
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${message.text()} (${message.location().url})`)
  })
  await page.goto(url)
  if (problems.length > 0) throw new Error(`the page reported errors: ${problems.join('; ')}`)
  return app
}
