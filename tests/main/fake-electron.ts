import { fork, type ChildProcess } from 'node:child_process'
import { basename, join } from 'node:path'
import type {
  BrowserWindowConstructorOptions,
  ForkOptions,
  HeadersReceivedResponse,
  IpcMain,
  IpcMainInvokeEvent,
  NotificationConstructorOptions,
  OnHeadersReceivedListenerDetails,
  OpenDialogOptions,
  OpenDialogReturnValue,
  SaveDialogOptions,
  SaveDialogReturnValue,
  Session
} from 'electron'
import type { ToHost } from '../../src/core/host-protocol'
import { OUT_MAIN } from '../helpers/built'

/**
 * The parts of Electron's main-process API that src/main uses, as small recording fakes, for
 * `vi.mock('electron', async () => (await import('./fake-electron')).electronModule)`.
 * Only Electron is faked: the utility process runs the real built pool host in a Node child.
 */

type AnyListener = (...args: unknown[]) => unknown

class Emitter {
  private readonly listeners = new Map<string, AnyListener[]>()

  on<A extends unknown[]>(name: string, listener: (...args: A) => unknown): this {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener as unknown as AnyListener])
    return this
  }

  once<A extends unknown[]>(name: string, listener: (...args: A) => unknown): this {
    const wrapped = (...args: A): unknown => {
      this.off(name, wrapped)
      return listener(...args)
    }
    return this.on(name, wrapped)
  }

  off<A extends unknown[]>(name: string, listener: (...args: A) => unknown): this {
    this.listeners.set(
      name,
      (this.listeners.get(name) ?? []).filter((known) => known !== (listener as unknown as AnyListener))
    )
    return this
  }

  /** Like Node's EventEmitter: a listener that throws makes emit throw. */
  emit(name: string, ...args: unknown[]): boolean {
    const listeners = [...(this.listeners.get(name) ?? [])]
    for (const listener of listeners) listener(...args)
    return listeners.length > 0
  }

  listenerCount(name: string): number {
    return this.listeners.get(name)?.length ?? 0
  }
}

/** The "Object has been destroyed" error Electron throws when a destroyed object is used. */
const destroyedError = (): TypeError => new TypeError('Object has been destroyed')

export class FakeNavigationEvent {
  defaultPrevented = false
  preventDefault(): void {
    this.defaultPrevented = true
  }
}

export class FakeWebContents extends Emitter {
  destroyed = false
  readonly mainFrame = { name: 'main frame' }
  readonly sent: { channel: string; payload: unknown }[] = []
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }

  isDestroyed(): boolean {
    return this.destroyed
  }

  send(channel: string, payload: unknown): void {
    if (this.destroyed) throw destroyedError()
    this.sent.push({ channel, payload })
  }

  /** Emits a navigation-type event with a fresh event object; returns whether it was prevented. */
  navigate(name: 'will-navigate' | 'will-redirect' | 'will-attach-webview', url: string): boolean {
    const event = new FakeNavigationEvent()
    this.emit(name, event, url)
    return event.defaultPrevented
  }
}

export class FakeBrowserWindow extends Emitter {
  static readonly created: FakeBrowserWindow[] = []
  readonly contents = new FakeWebContents()
  readonly loaded: string[] = []
  readonly progress: number[] = []
  readonly calls: string[] = []
  destroyed = false
  focused = true
  minimized = false
  shown = false

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super()
    FakeBrowserWindow.created.push(this)
    state.log.push('window created')
  }

  /** Electron's getter throws once the window is destroyed, as after 'closed'. */
  get webContents(): FakeWebContents {
    if (this.destroyed) throw destroyedError()
    return this.contents
  }

  loadURL(url: string): Promise<void> {
    if (this.destroyed) throw destroyedError()
    this.loaded.push(url)
    state.log.push(`loadURL ${url}`)
    return Promise.resolve()
  }

  show(): void {
    this.shown = true
  }

  isDestroyed(): boolean {
    return this.destroyed
  }

  isFocused(): boolean {
    if (this.destroyed) throw destroyedError()
    return this.focused
  }

  isMinimized(): boolean {
    if (this.destroyed) throw destroyedError()
    return this.minimized
  }

  restore(): void {
    this.calls.push('restore')
    this.minimized = false
  }

  focus(): void {
    this.calls.push('focus')
  }

  setProgressBar(progress: number): void {
    if (this.destroyed) throw destroyedError()
    this.progress.push(progress)
  }

  /** What the user closing the window does: destroyed first, then 'closed'. */
  close(): void {
    this.destroyed = true
    this.contents.destroyed = true
    this.emit('closed')
  }
}

type PermissionRequestHandler = NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>
type PermissionCheckHandler = NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>
type HeadersListener = (details: OnHeadersReceivedListenerDetails, callback: (response: HeadersReceivedResponse) => void) => void

const defaultSession = {
  permissionRequest: null as PermissionRequestHandler | null,
  permissionCheck: null as PermissionCheckHandler | null,
  headers: null as HeadersListener | null,
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequest = handler
    state.log.push('session: permission requests')
  },
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.permissionCheck = handler
    state.log.push('session: permission checks')
  },
  webRequest: {
    onHeadersReceived(listener: HeadersListener | null): void {
      defaultSession.headers = listener
      state.log.push('session: headers')
    }
  }
}

type InvokeListener = Parameters<IpcMain['handle']>[1]

/**
 * A utilityProcess backed by a Node child (child_process.fork, as forkHost in
 * src/core/pool-client.ts does) running the real built pool host, with the arguments
 * utility-host.ts gives it: the worker's path and the worker count.
 */
export class FakeUtilityProcess extends Emitter {
  readonly posted: ToHost[] = []
  /** The exit code Electron would report; a child killed by a signal reports 1 here. */
  readonly exited: Promise<number>
  /** The arguments the child was really started with (the worker's path moved into the build). */
  readonly childArgs: string[]
  private readonly child: ChildProcess
  /** Like Electron's handle: set once the process has spawned, cleared once 'exit' has been emitted. */
  private running = false

  constructor(modulePath: string, args: string[], options: ForkOptions) {
    super()
    // In the build, index.js sits in out/main beside pool-host.js and worker.js; under vitest,
    // src/main/index.ts names them beside itself. Run the built files of the same names.
    const [workerPath = '', ...rest] = args
    this.childArgs = [join(OUT_MAIN, basename(workerPath)), ...rest]
    this.child = fork(join(OUT_MAIN, basename(modulePath)), this.childArgs, {
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    this.child.on('spawn', () => {
      this.running = true
      // Electron's UtilityProcess emits 'spawn' once its pid is known.
      this.emit('spawn')
    })
    this.child.on('message', (message) => {
      // Electron reports a throwing 'message' listener as an uncaught main-process error.
      try {
        this.emit('message', message)
      } catch (error) {
        state.listenerErrors.push(error)
      }
    })
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code) => {
        try {
          this.emit('exit', code ?? 1)
        } catch (error) {
          state.listenerErrors.push(error)
        } finally {
          this.running = false
        }
        resolve(code ?? 1)
      })
    })
  }

  /**
   * Electron's utilityProcess.pid: undefined until the process has spawned, and again once its
   * 'exit' event has been emitted (listeners of 'exit' still see it).
   */
  get pid(): number | undefined {
    return this.running ? this.child.pid : undefined
  }

  postMessage(message: ToHost): void {
    this.posted.push(message)
    // Posting to a utility process that has gone is a no-op in Electron, never a throw.
    if (this.child.connected) this.child.send(message, (error) => void error)
  }

  kill(): boolean {
    return this.running ? this.child.kill() : false
  }
}

export const state = {
  /** What happened, in order, across the fakes. */
  log: [] as string[],
  singleInstanceLock: true,
  quits: 0,
  appEvents: new Emitter(),
  whenReadyCalls: 0,
  dialogs: [] as { window: unknown; options: OpenDialogOptions }[],
  dialogAnswer: { canceled: true, filePaths: [] } as OpenDialogReturnValue,
  saveDialogs: [] as { window: unknown; options: SaveDialogOptions }[],
  saveDialogAnswer: { canceled: true, filePath: '' } as SaveDialogReturnValue,
  clipboard: [] as string[],
  opened: [] as string[],
  /** What shell.openPath answers: '' for success, else an error message. */
  openPathProblem: '',
  revealed: [] as string[],
  notifications: [] as NotificationConstructorOptions[],
  handlers: new Map<string, InvokeListener>(),
  forks: [] as { modulePath: string; args: string[]; options: ForkOptions; child: FakeUtilityProcess }[],
  listenerErrors: [] as unknown[]
}

/** Calls a registered ipcMain.handle listener the way Electron does: awaited, so a throw rejects. */
export async function invoke(channel: string, event: IpcMainInvokeEvent, raw?: unknown): Promise<unknown> {
  const listener = state.handlers.get(channel)
  if (!listener) throw new Error(`No handler registered for '${channel}'`)
  return listener(event, raw)
}

export const eventFrom = (sender: FakeWebContents, senderFrame: unknown = sender.mainFrame): IpcMainInvokeEvent =>
  ({ sender, senderFrame }) as unknown as IpcMainInvokeEvent

export const electronModule = {
  app: {
    isPackaged: false,
    requestSingleInstanceLock: (): boolean => state.singleInstanceLock,
    quit: (): void => {
      state.quits += 1
    },
    whenReady: (): Promise<void> => {
      state.whenReadyCalls += 1
      return Promise.resolve()
    },
    getVersion: (): string => '0.1.0',
    on: <A extends unknown[]>(name: string, listener: (...args: A) => unknown) => state.appEvents.on(name, listener)
  },
  BrowserWindow: FakeBrowserWindow,
  session: { defaultSession },
  dialog: {
    showOpenDialog: async (window: unknown, options: OpenDialogOptions): Promise<OpenDialogReturnValue> => {
      state.dialogs.push({ window, options })
      return state.dialogAnswer
    },
    showSaveDialog: async (window: unknown, options: SaveDialogOptions): Promise<SaveDialogReturnValue> => {
      state.saveDialogs.push({ window, options })
      return state.saveDialogAnswer
    }
  },
  clipboard: {
    writeText: (text: string): void => {
      state.clipboard.push(text)
    }
  },
  shell: {
    openPath: async (path: string): Promise<string> => {
      state.opened.push(path)
      return state.openPathProblem
    },
    showItemInFolder: (path: string): void => {
      state.revealed.push(path)
    }
  },
  Notification: class {
    static isSupported(): boolean {
      return true
    }
    constructor(readonly options: NotificationConstructorOptions) {}
    show(): void {
      state.notifications.push(this.options)
    }
  },
  ipcMain: {
    handle: (channel: string, listener: InvokeListener): void => {
      state.handlers.set(channel, listener)
    }
  },
  utilityProcess: {
    fork: (modulePath: string, args: string[] = [], options: ForkOptions = {}): FakeUtilityProcess => {
      const child = new FakeUtilityProcess(modulePath, args, options)
      state.forks.push({ modulePath, args, options, child })
      return child
    }
  }
}

export { defaultSession }
