import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type {
  HandlerDetails,
  HeadersReceivedResponse,
  OnHeadersReceivedListenerDetails,
  Session,
  WebContents,
  WindowOpenHandlerResponse
} from 'electron'
import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY, hardenContents, hardenSession } from '../../src/main/security'
import { RENDERER_DIR, ROOT } from '../helpers/built'

// security.ts only imports Electron's types, so no electron mock is needed: the fakes below
// stand in for the Session and WebContents the functions are handed.

type PermissionRequestHandler = NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>
type PermissionCheckHandler = NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>
type HeadersListener = (details: OnHeadersReceivedListenerDetails, callback: (response: HeadersReceivedResponse) => void) => void
type WindowOpenHandler = (details: HandlerDetails) => WindowOpenHandlerResponse

/** A session that only records what was registered on it. */
function fakeSession() {
  const registered: { request?: PermissionRequestHandler; check?: PermissionCheckHandler; headers?: HeadersListener } = {}
  const session = {
    setPermissionRequestHandler: (handler: PermissionRequestHandler | null) => {
      registered.request = handler ?? undefined
    },
    setPermissionCheckHandler: (handler: PermissionCheckHandler | null) => {
      registered.check = handler ?? undefined
    },
    webRequest: {
      onHeadersReceived: (listener: HeadersListener | null) => {
        registered.headers = listener ?? undefined
      }
    }
  }
  return { session: session as unknown as Session, registered }
}

interface FakeNavigationEvent {
  prevented: boolean
  preventDefault(): void
}

const navigationEvent = (): FakeNavigationEvent => ({
  prevented: false,
  preventDefault() {
    this.prevented = true
  }
})

/** A WebContents that records its window-open handler and event listeners. */
function fakeContents() {
  const listeners = new Map<string, ((event: FakeNavigationEvent, url?: string) => void)[]>()
  let openHandler: WindowOpenHandler | undefined
  const contents = {
    setWindowOpenHandler: (handler: WindowOpenHandler) => {
      openHandler = handler
    },
    on: (name: string, listener: (event: FakeNavigationEvent, url?: string) => void) => {
      listeners.set(name, [...(listeners.get(name) ?? []), listener])
      return contents
    }
  }
  /** Fires an event the way Electron would; returns whether some listener prevented it. */
  const emit = (name: string, url?: string): boolean => {
    const event = navigationEvent()
    for (const listener of listeners.get(name) ?? []) listener(event, url)
    return event.prevented
  }
  const openWindow = (url: string): WindowOpenHandlerResponse => {
    if (!openHandler) throw new Error('no window-open handler was registered')
    return openHandler({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'no-referrer' } })
  }
  return { contents: contents as unknown as WebContents, listeners, emit, openWindow }
}

/** `directive → sources`, with the directive names lower-cased as browsers compare them. */
function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (!name) continue
    expect(directives.has(name.toLowerCase()), `directive ${name} appears twice; browsers ignore the second`).toBe(false)
    directives.set(name.toLowerCase(), sources)
  }
  return directives
}

/** Sources that would let injected or remote code run. */
const UNSAFE_SOURCE = /^'unsafe-|^'wasm-unsafe-eval'$|^\*$|^https?:$|^data:$|^blob:$|^https?:\/\/|^ws:|^wss:/i

function expectNoUnsafeSources(policy: string, directivesThatMayUseData: readonly string[] = ['img-src']): void {
  expect(policy).not.toMatch(/unsafe-/i)
  for (const [name, sources] of parseCsp(policy)) {
    for (const source of sources) {
      if (source === 'data:' && directivesThatMayUseData.includes(name)) continue
      expect(source, `${name} allows ${source}`).not.toMatch(UNSAFE_SOURCE)
    }
  }
}

const metaCspOf = (html: string): string => {
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)
  if (!match?.[1]) throw new Error('the page declares no Content-Security-Policy meta tag')
  return match[1]
}

describe('CONTENT_SECURITY_POLICY', () => {
  const csp = parseCsp(CONTENT_SECURITY_POLICY)

  it('denies everything by default and runs only the app’s own scripts', () => {
    expect(csp.get('default-src')).toEqual(["'none'"])
    expect(csp.get('script-src')).toEqual(["'self'"])
  })

  it('allows no inline code, eval, wildcard or remote origin anywhere', () => {
    expectNoUnsafeSources(CONTENT_SECURITY_POLICY)
  })

  it('forbids plugins, <base> rewriting, form posts and being framed', () => {
    expect(csp.get('object-src')).toEqual(["'none'"])
    expect(csp.get('base-uri')).toEqual(["'none'"])
    expect(csp.get('form-action')).toEqual(["'none'"])
    expect(csp.get('frame-ancestors')).toEqual(["'none'"])
  })

  it('lets the page connect only to itself', () => {
    expect(csp.get('connect-src')).toEqual(["'self'"])
  })
})

describe('the renderer page’s own CSP', () => {
  it.each([
    ['source', join(ROOT, 'src/renderer/index.html')],
    ['built', join(RENDERER_DIR, 'index.html')]
  ])('the %s index.html allows no unsafe-* source and only its own scripts', async (_which, path) => {
    const policy = metaCspOf(await readFile(path, 'utf8'))
    expectNoUnsafeSources(policy)
    expect(parseCsp(policy).get('script-src')).toEqual(["'self'"])
    // file:// pages get no response headers, so the meta tag must be the whole policy;
    // frame-ancestors is the one directive a meta tag cannot carry.
    const header = parseCsp(CONTENT_SECURITY_POLICY)
    header.delete('frame-ancestors')
    expect(parseCsp(policy)).toEqual(header)
  })

  it('the built page has no inline script, which the CSP would block and leave the window blank', async () => {
    const html = await readFile(join(RENDERER_DIR, 'index.html'), 'utf8')
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
    expect(scripts.length).toBeGreaterThan(0)
    for (const [, attributes = '', body = ''] of scripts) {
      expect(body.trim()).toBe('')
      // 'self' only: a relative path into the app, never a remote origin.
      expect(attributes).toMatch(/\bsrc="\.\/[^"]+"/)
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i)
  })
})

describe('hardenSession', () => {
  const { session, registered } = fakeSession()
  hardenSession(session)

  it('registers a permission request handler, a check handler and a header listener', () => {
    expect(registered.request).toBeTypeOf('function')
    expect(registered.check).toBeTypeOf('function')
    expect(registered.headers).toBeTypeOf('function')
  })

  it.each(['media', 'notifications', 'geolocation', 'openExternal', 'fileSystem', 'clipboard-read'] as const)(
    'answers a request for %s with false, exactly once',
    (permission) => {
      const answers: boolean[] = []
      const contents = fakeContents().contents
      registered.request?.(contents, permission, (granted) => answers.push(granted), {
        isMainFrame: true,
        requestingUrl: 'file:///app/index.html'
      })
      expect(answers).toEqual([false])
    }
  )

  it.each(['media', 'notifications', 'geolocation', 'serial', 'usb', 'hid'] as const)('answers a check for %s with false', (permission) => {
    expect(
      registered.check?.(null, permission, 'file://', { isMainFrame: true, requestingUrl: 'file:///app/index.html', embeddingOrigin: '' })
    ).toBe(false)
  })

  it('adds the CSP header to every response and keeps the response’s other headers', () => {
    const responses: HeadersReceivedResponse[] = []
    const details = {
      responseHeaders: { 'Content-Type': ['text/html'], 'X-Other': ['kept'] }
    } as unknown as OnHeadersReceivedListenerDetails
    registered.headers?.(details, (response) => responses.push(response))
    expect(responses).toEqual([
      {
        responseHeaders: {
          'Content-Type': ['text/html'],
          'X-Other': ['kept'],
          'Content-Security-Policy': [CONTENT_SECURITY_POLICY]
        }
      }
    ])
    expect(responses[0]?.cancel).toBeUndefined()
  })

  it('adds the CSP header even to a response that came without headers', () => {
    const responses: HeadersReceivedResponse[] = []
    registered.headers?.({} as OnHeadersReceivedListenerDetails, (response) => responses.push(response))
    expect(responses[0]?.responseHeaders?.['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY])
  })
})

describe('hardenContents', () => {
  const APP_URL = 'file:///opt/imagescale/out/renderer/index.html'
  const isAppUrl = (url: string): boolean => url === APP_URL

  it('denies every window.open', () => {
    const fake = fakeContents()
    hardenContents(fake.contents, isAppUrl)
    expect(fake.openWindow('https://example.com/phish')).toEqual({ action: 'deny' })
    // Not even the app's own page may open in a second, unhardened window.
    expect(fake.openWindow(APP_URL)).toEqual({ action: 'deny' })
  })

  it.each(['https://example.com/', 'file:///etc/passwd', 'file:///opt/imagescale/out/renderer/other.html', 'javascript:alert(1)'])(
    'blocks navigation to %s',
    (url) => {
      const fake = fakeContents()
      hardenContents(fake.contents, isAppUrl)
      expect(fake.emit('will-navigate', url)).toBe(true)
    }
  )

  it('lets the app’s own URL load', () => {
    const fake = fakeContents()
    hardenContents(fake.contents, isAppUrl)
    expect(fake.emit('will-navigate', APP_URL)).toBe(false)
  })

  it('blocks a redirect away from the app, not one to it', () => {
    const fake = fakeContents()
    hardenContents(fake.contents, isAppUrl)
    expect(fake.emit('will-redirect', 'https://example.com/')).toBe(true)
    expect(fake.emit('will-redirect', APP_URL)).toBe(false)
  })

  it('prevents every webview from being attached', () => {
    const fake = fakeContents()
    hardenContents(fake.contents, isAppUrl)
    expect(fake.listeners.get('will-attach-webview')).toHaveLength(1)
    expect(fake.emit('will-attach-webview')).toBe(true)
  })
})
