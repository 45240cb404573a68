// @vitest-environment jsdom
import { act, fireEvent, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { LIMITS, OUTPUT_DEFAULTS } from '../../src/shared/recipe'
import { START_BUSY } from '../../src/shared/ipc'
import { App } from '../../src/renderer/src/components/App'
import { STORAGE_KEY } from '../../src/renderer/src/state/settings'
import { setupDom } from './dom'
import { fakeApi } from './fake-api'

setupDom()

const folders = { source: '/photos/2024', target: '/photos/web' }
type User = ReturnType<typeof userEvent.setup>

async function renderApp(fake = fakeApi({ folders })) {
  const user = userEvent.setup()
  render(<App api={fake.api} />)
  await screen.findByRole('button', { name: 'Start' })
  // The Start button can be on screen a moment before React has run the effects of that
  // render (the window's drop listener among them): let them run, as a person's pause would.
  await act(() => Promise.resolve())
  return { user, fake }
}

async function chooseFolders(user: User) {
  await user.click(screen.getByRole('button', { name: 'Choose source folder…' }))
  await user.click(screen.getByRole('button', { name: 'Choose target folder…' }))
  await screen.findByDisplayValue(folders.target)
}

const card = (n: number): HTMLElement => screen.getByRole('group', { name: `Output ${n}` })
const sizeField = (n = 1): HTMLInputElement => within(card(n)).getByLabelText('Size (px)')
const startButton = (): HTMLButtonElement => screen.getByRole('button', { name: 'Start' })
/** The sentence under Start: why it is disabled, or what it will do. */
const startHint = (): string | null | undefined => document.getElementById(startButton().getAttribute('aria-describedby') ?? '')?.textContent

async function typeSize(user: User, text: string, n = 1) {
  await user.clear(sizeField(n))
  await user.type(sizeField(n), text)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('setup', () => {
  it('keeps Start disabled until both folders are chosen', async () => {
    const { user, fake } = await renderApp()
    expect(startButton()).toHaveProperty('disabled', true)
    expect(startHint()).toBe('Choose a source folder and a target folder to start.')
    await user.click(screen.getByRole('button', { name: 'Choose source folder…' }))
    await screen.findByDisplayValue(folders.source)
    expect(startButton()).toHaveProperty('disabled', true)
    expect(startHint()).toBe('Choose a target folder to start.')
    await user.click(screen.getByRole('button', { name: 'Choose target folder…' }))
    await screen.findByDisplayValue(folders.target)
    expect(startButton()).toHaveProperty('disabled', false)
    expect(startHint()).toBe('1 output per photo, on 6 worker threads.')
    expect(fake.api.pickFolder).toHaveBeenCalledWith('source', undefined)
    expect(fake.api.pickFolder).toHaveBeenCalledWith('target', undefined)
  })

  it('offers the current folder to the dialog and keeps it when the dialog is dismissed', async () => {
    const fake = fakeApi({ folders: { source: null } })
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ source: '/before' }))
    const { user } = await renderApp(fake)
    await user.click(screen.getByRole('button', { name: 'Choose source folder…' }))
    expect(fake.api.pickFolder).toHaveBeenCalledWith('source', '/before')
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', '/before')
  })

  it('defaults the worker count to the cores and says how many there are', async () => {
    await renderApp(fakeApi({ cores: 12 }))
    expect(screen.getByLabelText('Worker threads')).toHaveProperty('value', '12')
    expect(screen.getByText(/12 cores/)).toBeTruthy()
  })

  it('sends the chosen options to start, under an id of the page’s own', async () => {
    const { user, fake } = await renderApp()
    await chooseFolders(user)
    await typeSize(user, '1920')
    await user.click(screen.getByRole('radio', { name: 'Stride' }))
    await user.clear(screen.getByLabelText('Worker threads'))
    await user.type(screen.getByLabelText('Worker threads'), '3')
    await user.click(screen.getByRole('checkbox', { name: 'Include sub-folders' }))
    await user.click(screen.getByRole('checkbox', { name: "Give outputs their original's date" }))
    await user.click(screen.getByRole('radio', { name: /^Overwrite it/ }))
    await user.click(startButton())
    expect(fake.api.start).toHaveBeenCalledTimes(1)
    const [batchId, request] = fake.api.start.mock.calls[0]!
    expect(batchId).toMatch(UUID)
    expect(request).toEqual({
      source: folders.source,
      target: folders.target,
      recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1920 }, mode: 'stride' }] },
      workers: 3,
      recursive: false,
      existing: 'overwrite',
      maxPixels: LIMITS.maxPixels.default,
      dryRun: false,
      keepDates: true
    })
  })

  it('offers to keep an existing output and save the new one under another name', async () => {
    const { user, fake } = await renderApp()
    await chooseFolders(user)
    await user.click(screen.getByRole('radio', { name: /save the new one as/ }))
    await user.click(startButton())
    expect(fake.sent()).toMatchObject({ existing: 'rename' })
  })

  it('sends folders typed with trailing spaces to start exactly as typed', async () => {
    const { user, fake } = await renderApp(fakeApi())
    await user.type(screen.getByLabelText('Source folder'), '/photos/keep ')
    await user.type(screen.getByLabelText('Target folder'), '/photos/web  ')
    await user.click(startButton())
    expect(fake.api.start).toHaveBeenCalledTimes(1)
    expect(fake.sent()).toMatchObject({ source: '/photos/keep ', target: '/photos/web  ' })
  })

  it('sends the defaults when nothing else was chosen, and a free size typed in, on Enter', async () => {
    const { user, fake } = await renderApp()
    await chooseFolders(user)
    await typeSize(user, '1000{Enter}')
    expect(fake.api.start).toHaveBeenCalledTimes(1)
    expect(fake.sent()).toEqual(
      expect.objectContaining({
        recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1000 }, mode: 'smooth' }] },
        workers: 6,
        recursive: true,
        existing: 'skip',
        dryRun: false,
        keepDates: false
      })
    )
  })

  it('refuses sizes out of range, saying why next to the size and under Start', async () => {
    const { user, fake } = await renderApp()
    await chooseFolders(user)
    await typeSize(user, '70000')
    expect(sizeField().getAttribute('aria-invalid')).toBe('true')
    expect(within(card(1)).getByRole('status').textContent).toBe('The long side must be at most 65,535 pixels.')
    expect(startHint()).toBe('The long side must be at most 65,535 pixels.')
    expect(startButton()).toHaveProperty('disabled', true)
    expect(screen.getByRole('button', { name: 'Preview plan' })).toHaveProperty('disabled', true)
    await user.type(sizeField(), '{Enter}')
    expect(fake.api.start).not.toHaveBeenCalled()

    await typeSize(user, '6553')
    expect(sizeField().getAttribute('aria-invalid')).toBe('false')
    expect(startButton()).toHaveProperty('disabled', false)
  })

  it('remembers folders and settings across restarts', async () => {
    const { user } = await renderApp()
    await chooseFolders(user)
    await typeSize(user, '2560')
    await user.click(screen.getByRole('radio', { name: 'Stride' }))
    await user.click(screen.getByRole('checkbox', { name: 'Include sub-folders' }))
    expect(JSON.parse(localStorage.getItem(STORAGE_KEY)!)).toMatchObject({
      source: folders.source,
      recipe: { outputs: [{ resize: { kind: 'long', size: 2560 }, mode: 'stride' }] },
      recursive: false
    })

    const stored = localStorage.getItem(STORAGE_KEY)
    window.document.body.innerHTML = ''
    localStorage.setItem(STORAGE_KEY, stored!)
    const restarted = fakeApi()
    render(<App api={restarted.api} />)
    await screen.findByRole('button', { name: 'Start' })
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', folders.source)
    expect(screen.getByLabelText('Target folder')).toHaveProperty('value', folders.target)
    expect(sizeField()).toHaveProperty('value', '2560')
    expect(screen.getByRole('radio', { name: 'Stride' })).toHaveProperty('checked', true)
    expect(screen.getByRole('checkbox', { name: 'Include sub-folders' })).toHaveProperty('checked', false)
    expect(startButton()).toHaveProperty('disabled', false)
  })

  it('ignores garbage in storage', async () => {
    localStorage.setItem(STORAGE_KEY, '{"source": 7, "size": "huge", "mode": "<script>"')
    await renderApp()
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', '')
    expect(sizeField()).toHaveProperty('value', '400')
    expect(screen.getByRole('radio', { name: 'Smooth' })).toHaveProperty('checked', true)
  })

  it('shows why main refused to start, and keeps the form', async () => {
    const fake = fakeApi({ folders, start: { ok: false, code: START_BUSY, message: 'a batch is already running' } })
    const { user } = await renderApp(fake)
    await chooseFolders(user)
    await typeSize(user, '1280')
    await user.click(startButton())
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('a batch is already running')
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', folders.source)
    expect(sizeField()).toHaveProperty('value', '1280')
    expect(screen.queryByRole('heading', { name: 'Scaling…' })).toBeNull()
    expect(startButton()).toHaveProperty('disabled', false)

    await user.click(within(alert).getByRole('button', { name: 'Cancel the running batch' }))
    expect(fake.api.cancel).toHaveBeenCalledTimes(1)

    // The next try is a new batch, under a new name, and the old reason goes.
    fake.api.start.mockResolvedValueOnce({ ok: true, request: fake.sent() })
    await user.click(startButton())
    await screen.findByRole('heading', { name: 'Scaling…' })
    expect(new Set(fake.batchIds()).size).toBe(2)
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('shows a start that failed outright as an alert too', async () => {
    const fake = fakeApi({ folders })
    fake.api.start.mockRejectedValueOnce(new Error("Error invoking remote method 'batch:start': IpcRequestError: target: must not be inside the source folder"))
    const { user } = await renderApp(fake)
    await chooseFolders(user)
    await user.click(startButton())
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('target: must not be inside the source folder')
    expect(within(alert).queryByRole('button')).toBeNull()
  })

  it('takes folders dropped on the window, and on a field', async () => {
    const fake = fakeApi()
    await renderApp(fake)
    const files = [fake.droppedFolder('a', '/dropped/a'), fake.droppedFolder('b', '/dropped/b')]
    fireEvent.drop(window, { dataTransfer: { files, types: ['Files'] } })
    expect(await screen.findByDisplayValue('/dropped/a')).toBe(screen.getByLabelText('Source folder'))
    expect(screen.getByLabelText('Target folder')).toHaveProperty('value', '/dropped/b')

    const onTarget = within(screen.getByLabelText('Target folder').closest('[data-drop]') as HTMLElement).getByLabelText('Target folder')
    fireEvent.drop(onTarget, { dataTransfer: { files: [fake.droppedFolder('c', '/dropped/c')], types: ['Files'] } })
    expect(await screen.findByDisplayValue('/dropped/c')).toBe(screen.getByLabelText('Target folder'))
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', '/dropped/a')
  })

  it('ignores dropped things that have no path', async () => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ source: '/kept', target: '/kept-too' }))
    const fake = fakeApi()
    await renderApp(fake)
    fireEvent.drop(window, { dataTransfer: { files: [fake.droppedFolder('x', null)], types: ['Files'] } })
    expect(fake.api.pathForDroppedFile).toHaveBeenCalledTimes(1)
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', '/kept')
    expect(screen.getByLabelText('Target folder')).toHaveProperty('value', '/kept-too')
  })
})

describe('files picked one by one', () => {
  it('"Choose files instead…" makes their folder the source and sends only them, flat', async () => {
    const fake = fakeApi({ folders, files: ['/card/DCIM/IMG_1.jpg', '/card/DCIM/IMG_2.jpg'] })
    const { user } = await renderApp(fake)
    await chooseFolders(user)
    await user.click(screen.getByRole('button', { name: 'Choose files instead…' }))
    expect(await screen.findByTestId('picked-files')).toHaveProperty(
      'textContent',
      'Only 2 picked files of the source folder, into the target itself (no sub-folders).'
    )
    expect(fake.api.pickFiles).toHaveBeenCalledWith('images', folders.source)
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', '/card/DCIM')
    expect(screen.getByRole('checkbox', { name: 'Include sub-folders' })).toHaveProperty('disabled', true)
    // The CLI scales folders: no command can say these files.
    expect(screen.getByRole('button', { name: 'Copy as command line' })).toHaveProperty('disabled', true)
    await user.click(startButton())
    expect(fake.sent()).toMatchObject({ source: '/card/DCIM', files: ['IMG_1.jpg', 'IMG_2.jpg'], recursive: false })

  })

  it('"Use the whole folder" goes back to the folder', async () => {
    const fake = fakeApi({ folders, files: ['/card/a.jpg'] })
    const { user } = await renderApp(fake)
    await chooseFolders(user)
    await user.click(screen.getByRole('button', { name: 'Choose files instead…' }))
    await user.click(await screen.findByRole('button', { name: 'Use the whole folder' }))
    await user.click(startButton())
    expect(fake.sent()).not.toHaveProperty('files')
    expect(fake.sent()).toMatchObject({ source: '/card', recursive: true })
  })

  it('a dismissed file dialog changes nothing', async () => {
    const fake = fakeApi({ folders, files: [] })
    const { user } = await renderApp(fake)
    await chooseFolders(user)
    await user.click(screen.getByRole('button', { name: 'Choose files instead…' }))
    expect(fake.api.pickFiles).toHaveBeenCalledTimes(1)
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', folders.source)
    expect(screen.queryByTestId('picked-files')).toBeNull()
  })
})

describe('Copy as command line', () => {
  it('copies the imagescale command for the form, through main', async () => {
    const { user, fake } = await renderApp()
    expect(screen.getByRole('button', { name: 'Copy as command line' })).toHaveProperty('disabled', true)
    await chooseFolders(user)
    await user.click(screen.getByRole('button', { name: 'Copy as command line' }))
    expect(fake.api.copyText).toHaveBeenCalledTimes(1)
    const [text] = fake.api.copyText.mock.calls[0]!
    expect(text.startsWith('imagescale ')).toBe(true)
    // The book's recipe on all 6 cores says nothing but the folders.
    expect(text).toBe('imagescale /photos/2024 /photos/web')
    expect(screen.getByTestId('command-line').textContent).toBe(text)
    expect(fake.api.start).not.toHaveBeenCalled()
  })

  it('says what differs from the CLI’s defaults, quoted for a shell', async () => {
    const fake = fakeApi({ folders: { source: "/photos/Ann's trip", target: '/photos/web' } })
    const { user } = await renderApp(fake)
    await chooseFolders(user)
    await typeSize(user, '1920, 800')
    await user.clear(screen.getByLabelText('Worker threads'))
    await user.type(screen.getByLabelText('Worker threads'), '2')
    await user.click(screen.getByRole('button', { name: 'Copy as command line' }))
    expect(fake.api.copyText).toHaveBeenCalledWith("imagescale --sizes long:1920,long:800 -c 2 '/photos/Ann'\\''s trip' /photos/web")
  })

  it('says so when the clipboard could not be written', async () => {
    const { user, fake } = await renderApp()
    fake.api.copyText.mockRejectedValueOnce(new Error("Error invoking remote method 'clipboard:write': Error: no clipboard"))
    await chooseFolders(user)
    await user.click(screen.getByRole('button', { name: 'Copy as command line' }))
    expect((await screen.findByTestId('command-line')).textContent).toBe('Could not copy: no clipboard')
  })
})
