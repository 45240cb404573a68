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

async function renderApp(fake = fakeApi({ folders })) {
  const user = userEvent.setup()
  render(<App api={fake.api} />)
  await screen.findByRole('button', { name: 'Start' })
  // The Start button can be on screen a moment before React has run the effects of that
  // render (the window's drop listener among them): let them run, as a person's pause would.
  await act(() => Promise.resolve())
  return { user, fake }
}

async function chooseFolders(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole('button', { name: 'Choose source folder…' }))
  await user.click(screen.getByRole('button', { name: 'Choose target folder…' }))
  await screen.findByDisplayValue(folders.target)
}

describe('setup', () => {
  it('keeps Start disabled until both folders are chosen', async () => {
    const { user, fake } = await renderApp()
    const start = screen.getByRole('button', { name: 'Start' })
    expect(start).toHaveProperty('disabled', true)
    await user.click(screen.getByRole('button', { name: 'Choose source folder…' }))
    await screen.findByDisplayValue(folders.source)
    expect(start).toHaveProperty('disabled', true)
    expect(screen.getByText('Choose a target folder to start.')).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Choose target folder…' }))
    await screen.findByDisplayValue(folders.target)
    expect(start).toHaveProperty('disabled', false)
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

  it('sends the chosen options to start', async () => {
    const { user, fake } = await renderApp()
    await chooseFolders(user)
    await user.click(screen.getByRole('radio', { name: /1920/ }))
    await user.click(screen.getByRole('radio', { name: 'Stride' }))
    await user.clear(screen.getByLabelText('Worker threads'))
    await user.type(screen.getByLabelText('Worker threads'), '3')
    await user.click(screen.getByRole('checkbox', { name: 'Include sub-folders' }))
    await user.click(screen.getByRole('radio', { name: /^Overwrite it/ }))
    await user.click(screen.getByRole('button', { name: 'Start' }))
    expect(fake.api.start).toHaveBeenCalledTimes(1)
    expect(fake.api.start).toHaveBeenCalledWith({
      source: folders.source,
      target: folders.target,
      recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1920 }, mode: 'stride' }] },
      workers: 3,
      recursive: false,
      existing: 'overwrite',
      maxPixels: LIMITS.maxPixels.default,
      dryRun: false,
      keepDates: false
    })
  })

  it('offers to keep an existing output and save the new one under another name', async () => {
    const { user, fake } = await renderApp()
    await chooseFolders(user)
    await user.click(screen.getByRole('radio', { name: /save the new one as/ }))
    await user.click(screen.getByRole('button', { name: 'Start' }))
    expect(fake.api.start).toHaveBeenCalledWith(expect.objectContaining({ existing: 'rename' }))
  })

  it('sends folders typed with trailing spaces to start exactly as typed', async () => {
    const { user, fake } = await renderApp(fakeApi())
    await user.type(screen.getByLabelText('Source folder'), '/photos/keep ')
    await user.type(screen.getByLabelText('Target folder'), '/photos/web  ')
    await user.click(screen.getByRole('button', { name: 'Start' }))
    expect(fake.api.start).toHaveBeenCalledTimes(1)
    expect(fake.api.start.mock.calls[0]?.[0]).toMatchObject({ source: '/photos/keep ', target: '/photos/web  ' })
  })

  it('sends the defaults when nothing else was chosen, and a free size typed in', async () => {
    const { user, fake } = await renderApp()
    await chooseFolders(user)
    const size = screen.getByLabelText('Longest side in pixels')
    await user.clear(size)
    await user.type(size, '1000{Enter}')
    expect(fake.api.start).toHaveBeenCalledWith(
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

  it('marks a preset as chosen when its value is typed, and refuses sizes out of range', async () => {
    const { user } = await renderApp()
    await chooseFolders(user)
    const size = screen.getByLabelText('Longest side in pixels')
    await user.clear(size)
    await user.type(size, '800')
    expect(screen.getByRole('radio', { name: /800/ })).toHaveProperty('checked', true)
    await user.clear(size)
    await user.type(size, '70000')
    expect(size.getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText(/Enter a whole number from 1 to 65,535/)).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Start' })).toHaveProperty('disabled', true)
  })

  it('remembers folders and settings across restarts', async () => {
    const { user } = await renderApp()
    await chooseFolders(user)
    await user.click(screen.getByRole('radio', { name: /2560/ }))
    await user.click(screen.getByRole('radio', { name: 'Stride' }))
    await user.click(screen.getByRole('checkbox', { name: 'Include sub-folders' }))
    expect(JSON.parse(localStorage.getItem(STORAGE_KEY)!)).toMatchObject({ source: folders.source, size: 2560, mode: 'stride', recursive: false })

    const stored = localStorage.getItem(STORAGE_KEY)
    window.document.body.innerHTML = ''
    localStorage.setItem(STORAGE_KEY, stored!)
    const restarted = fakeApi()
    render(<App api={restarted.api} />)
    await screen.findByRole('button', { name: 'Start' })
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', folders.source)
    expect(screen.getByLabelText('Target folder')).toHaveProperty('value', folders.target)
    expect(screen.getByRole('radio', { name: /2560/ })).toHaveProperty('checked', true)
    expect(screen.getByRole('radio', { name: 'Stride' })).toHaveProperty('checked', true)
    expect(screen.getByRole('checkbox', { name: 'Include sub-folders' })).toHaveProperty('checked', false)
    expect(screen.getByRole('button', { name: 'Start' })).toHaveProperty('disabled', false)
  })

  it('ignores garbage in storage', async () => {
    localStorage.setItem(STORAGE_KEY, '{"source": 7, "size": "huge", "mode": "<script>"')
    await renderApp()
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', '')
    expect(screen.getByRole('radio', { name: /400/ })).toHaveProperty('checked', true)
    expect(screen.getByRole('radio', { name: 'Smooth' })).toHaveProperty('checked', true)
  })

  it('shows why main refused to start, and keeps the form', async () => {
    const fake = fakeApi({ folders, start: { ok: false, code: START_BUSY, message: 'a batch is already running' } })
    const { user } = await renderApp(fake)
    await chooseFolders(user)
    await user.click(screen.getByRole('radio', { name: /1280/ }))
    await user.click(screen.getByRole('button', { name: 'Start' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('a batch is already running')
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', folders.source)
    expect(screen.getByRole('radio', { name: /1280/ })).toHaveProperty('checked', true)
    expect(screen.getByRole('button', { name: 'Start' })).toHaveProperty('disabled', false)

    await user.click(within(alert).getByRole('button', { name: 'Cancel the running batch' }))
    expect(fake.api.cancel).toHaveBeenCalledTimes(1)
  })

  it('shows a start that failed outright as an alert too', async () => {
    const fake = fakeApi({ folders })
    fake.api.start.mockRejectedValueOnce(new Error('target: must not be inside the source folder'))
    const { user } = await renderApp(fake)
    await chooseFolders(user)
    await user.click(screen.getByRole('button', { name: 'Start' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('must not be inside the source folder')
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
