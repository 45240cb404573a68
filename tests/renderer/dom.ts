import { cleanup } from '@testing-library/react'
import { afterAll, afterEach, beforeAll } from 'vitest'

/**
 * jsdom lays nothing out, so every element measures 0×0 and a virtualized list would show
 * no rows. Give elements a window-sized box, as a real page has; and clean up between tests
 * (vitest runs without globals, so Testing Library cannot register that itself).
 */
export function setupDom(): void {
  const height = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight')
  const width = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientWidth')
  beforeAll(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 })
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 })
  })
  afterAll(() => {
    if (height) Object.defineProperty(HTMLElement.prototype, 'clientHeight', height)
    if (width) Object.defineProperty(HTMLElement.prototype, 'clientWidth', width)
  })
  afterEach(() => {
    cleanup()
    localStorage.clear()
  })
}
