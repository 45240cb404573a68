import { beforeAll, describe, expect, it, vi } from 'vitest'
import { FakeBrowserWindow, state } from './fake-electron'

// A second copy of the app, started while the first one holds the single-instance lock.
vi.mock('electron', async () => (await import('./fake-electron')).electronModule)

describe('a second instance of the app', () => {
  beforeAll(async () => {
    state.singleInstanceLock = false
    await import('../../src/main/index')
    // Give a whenReady().then(...) every chance to run, as it would once Electron is ready.
    await new Promise((resolve) => setTimeout(resolve, 50))
  })

  it('quits', () => {
    expect(state.quits).toBe(1)
  })

  it('opens no window and answers no IPC of its own', () => {
    expect(FakeBrowserWindow.created).toEqual([])
    expect(state.handlers.size).toBe(0)
    expect(state.forks).toEqual([])
  })
})
