import type { ImageScaleApi } from '../../src/shared/api'

/**
 * The few browser globals that functions run inside the page (page.evaluate) use, typed by hand:
 * the tests compile with the Node project (tsconfig.node.json), which has no DOM library on purpose,
 * so main-process code can never use `document` by accident. Page functions reach them with
 * `globalThis as unknown as PageGlobals`, a type-only cast that disappears when the function is sent.
 */

export interface PageElement {
  tagName: string
  textContent: string | null
  dataset: Record<string, string | undefined>
  disabled?: boolean
  type?: string
  labels?: ArrayLike<{ textContent: string | null }> | null
  scrollTop: number
  scrollLeft: number
  scrollWidth: number
  clientWidth: number
  clientHeight: number
  scrollHeight: number
  getAttribute(name: string): string | null
  querySelector(selector: string): PageElement | null
  querySelectorAll(selector: string): Iterable<PageElement>
  closest(selector: string): PageElement | null
  matches(selector: string): boolean
}

export interface PageStyle {
  outlineStyle: string
  outlineWidth: string
  outlineColor: string
  backgroundColor: string
}

export interface PageGlobals {
  document: {
    activeElement: PageElement | null
    body: PageElement
    documentElement: PageElement
    querySelector(selector: string): PageElement | null
    querySelectorAll(selector: string): Iterable<PageElement>
  }
  api: ImageScaleApi
  performance: { now(): number }
  getComputedStyle(element: PageElement): PageStyle
  requestAnimationFrame(callback: () => void): number
  addEventListener(type: 'click' | 'keydown', listener: (event: { key?: string }) => void, capture?: boolean): void
  MutationObserver: new (callback: () => void) => {
    observe(target: PageElement, options: { subtree?: boolean; childList?: boolean; characterData?: boolean; attributes?: boolean }): void
  }
}
