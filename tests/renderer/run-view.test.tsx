// @vitest-environment jsdom
import { act, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { BatchEvent } from '../../src/shared/batch'
import { summaryLine } from '../../src/shared/reasons'
import { App } from '../../src/renderer/src/components/App'
import { STORAGE_KEY } from '../../src/renderer/src/state/settings'
import { setupDom } from './dom'
import type { StartResult } from '../../src/shared/ipc'
import { BATCH_ID, fakeApi, finished, progress, started, summary, summaryOf } from './fake-api'

setupDom()

/** A window whose folders are remembered from last time, with a batch started. */
async function startBatch(fake = fakeApi()) {
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ source: '/photos', target: '/web', size: 400, workers: 4 }))
  const user = userEvent.setup()
  render(<App api={fake.api} />)
  await user.click(await screen.findByRole('button', { name: 'Start' }))
  await screen.findByRole('heading', { name: 'Scaling…' })
  return { user, fake }
}

const rows = (): HTMLElement[] => screen.queryAllByTestId('file-row')
const rowFor = (file: string): HTMLElement => {
  const row = rows().find((element) => element.textContent?.includes(file))
  if (!row) throw new Error(`no row for ${file}`)
  return row
}

const doneTotals = summaryOf({
  todo: 6,
  copied: 1,
  scaled: 2,
  skipped: 2,
  skippedBy: { corrupt: 1, 'not-an-image': 1 },
  failed: 1,
  failedBy: { 'no-space': 1 },
  workers: 4,
  peakParallel: 3,
  elapsedMs: 2500,
  bytesIn: 12_000_000,
  bytesOut: 800_000
})
const doneSummary = summary(doneTotals)

const sixFiles: BatchEvent[] = [
  finished('a.jpg', 'copied', 1, { input: { width: 300, height: 200 } }),
  finished('b.jpg', 'scaled', 2, { input: { width: 6000, height: 4000 }, output: { width: 400, height: 267 } }),
  finished('c.txt', 'skipped', 3, { reason: 'not-an-image', message: 'not an image: no known header' }),
  finished('d.jpg', 'skipped', 1, { reason: 'corrupt', message: 'cannot decode jpeg: premature end' }),
  finished('e.jpg', 'failed', 2, { reason: 'no-space', message: 'the target disk is full; nothing was left behind' }),
  finished('sub/f.png', 'scaled', 3, { input: { width: 800, height: 800 }, output: { width: 400, height: 400 } })
]

describe('a running batch', () => {
  it('shows each file on its worker, then what became of it', async () => {
    const { fake } = await startBatch()
    fake.push(started('a.jpg', 1), started('sub/b.jpg', 2))
    expect(rows().map((row) => row.dataset.state)).toEqual(['running', 'running'])
    expect(rowFor('sub/b.jpg').textContent).toContain('on worker 2')

    fake.push(finished('sub/b.jpg', 'scaled', 2, { input: { width: 6000, height: 4000 }, output: { width: 400, height: 267 }, times: { read: 20, scale: 200, write: 11 } }))
    const row = rowFor('sub/b.jpg')
    expect(row.dataset.state).toBe('scaled')
    expect(row.textContent).toContain('6000×4000 → 400×267')
    expect(row.textContent).toContain('231 ms')
    expect(rows()[0]!.textContent).toContain('a.jpg')
  })

  it('shows done of total, with a + while still scanning, the rate and the queue', async () => {
    const { fake } = await startBatch()
    fake.push(started('a.jpg', 1), progress({ done: 12, total: 40, scanning: true, imagesPerSecond: 6.25, inFlight: 1 }))
    const bar = screen.getByRole('progressbar', { name: 'Files done' })
    expect(bar.getAttribute('aria-valuenow')).toBe('12')
    expect(bar.getAttribute('aria-valuemax')).toBe('40')
    expect(screen.getByText(/of 40\+/)).toBeTruthy()
    expect(screen.getByText('6.3 images/s')).toBeTruthy()
    expect(screen.getByText(/27 queued/)).toBeTruthy()

    fake.push(progress({ done: 30, total: 40, scanning: false, imagesPerSecond: 10, elapsedMs: 3000, etaMs: 1000 }))
    expect(screen.getByText(/of 40$/)).toBeTruthy()
    expect(screen.getByText('about 1.0s')).toBeTruthy()
    expect(document.title).toBe('75% · ImageScale')
  })

  it('Esc cancels at once and the button says Canceling… until the summary', async () => {
    const { user, fake } = await startBatch()
    fake.push(started('a.jpg', 1))
    await user.keyboard('{Escape}')
    expect(fake.api.cancel).toHaveBeenCalledTimes(1)
    const button = screen.getByRole('button', { name: 'Canceling…' })
    expect(button).toHaveProperty('disabled', true)
    await user.keyboard('{Escape}')
    expect(fake.api.cancel).toHaveBeenCalledTimes(1)

    fake.push(finished('a.jpg', 'copied', 1), finished('b.jpg', 'canceled', null, { message: 'canceled before it started' }), summary({ todo: 2, copied: 1, canceled: true, canceledFiles: 1 }))
    expect(screen.queryByRole('button', { name: /Cancel/ })).toBeNull()
    expect(screen.getByRole('heading', { name: 'Canceled' })).toBeTruthy()
    expect(screen.getByRole('status').textContent).toContain('[canceled]')
    expect(rowFor('b.jpg').dataset.state).toBe('canceled')
  })

  it('the Cancel button cancels too', async () => {
    const { user, fake } = await startBatch()
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(fake.api.cancel).toHaveBeenCalledTimes(1)
    expect(screen.getByRole('button', { name: 'Canceling…' })).toHaveProperty('disabled', true)
  })

  it('keeps each live count with its label, so a wrapping line never splits them', async () => {
    const { fake } = await startBatch()
    fake.push(finished('a.jpg', 'copied'), finished('b.jpg', 'failed', 1, { reason: 'no-space' }), finished('c.jpg', 'canceled', null))
    const counts = document.querySelector('.live-counts')!
    expect(counts.textContent).toBe('copied 1 · scaled 0 · skipped 0 · failed 1 · canceled 1')
    expect([...counts.querySelectorAll('.live-count')].map((item) => item.textContent)).toEqual(['copied 1', 'scaled 0', 'skipped 0', 'failed 1', 'canceled 1'])
  })

  it('has one Files landmark: the list scroller, which the keyboard can reach', async () => {
    const { user, fake } = await startBatch()
    fake.push(finished('a.jpg', 'copied'), finished('b.txt', 'skipped', 1, { reason: 'not-an-image', message: 'not an image: no known header' }))
    const regions = screen.getAllByRole('region', { name: 'Files' })
    expect(regions).toHaveLength(1)
    const list = regions[0]!
    expect(list.tabIndex).toBe(0)
    expect(within(list).getAllByRole('listitem')).toHaveLength(2)
    expect(list.getAttribute('aria-describedby') && document.getElementById(list.getAttribute('aria-describedby')!)?.textContent).toBe('2 files')
    await user.tab()
    await user.tab()
    expect(document.activeElement).toBe(list)
    // The reason is in the row's text, not only in a tooltip.
    expect(rowFor('b.txt').querySelector('.file-detail')?.textContent).toBe(' not an image: no known header')
  })

  it('keeps only the rows in view in the page, with 100,000 files', async () => {
    const { fake } = await startBatch()
    const events = Array.from({ length: 100_000 }, (_, i) => finished(`image-${i}.jpg`, 'copied', (i % 4) + 1))
    act(() => {
      for (const listener of fake.listeners) listener({ batchId: BATCH_ID, events })
    })
    expect(screen.getByText('100,000 files')).toBeTruthy()
    expect(rows().length).toBeGreaterThan(5)
    expect(rows().length).toBeLessThan(60)
    expect(rows().at(-1)!.getAttribute('aria-setsize')).toBe('100000')
  })
})

describe('the summary', () => {
  it('counts every outcome, with reasons, and shows the book line', async () => {
    const { fake } = await startBatch()
    fake.push(...sixFiles, progress({ done: 6, total: 6, scanning: false }), doneSummary)

    const status = screen.getByRole('status')
    expect(status.textContent).toBe(summaryLine(doneTotals))
    expect(status.textContent).toBe('copied 1 scaled 2 skipped 2 failed 1 using 4 worker threads')
    const tiles = screen.getByRole('region', { name: 'Summary' })
    const tile = (name: string): string | null | undefined => tiles.querySelector(`[data-count="${name}"] .tile-count`)?.textContent
    expect([tile('copied'), tile('scaled'), tile('skipped'), tile('failed'), tile('canceled')]).toEqual(['1', '2', '2', '1', '0'])
    const reasons = within(screen.getByRole('list', { name: 'Reasons' }))
      .getAllByRole('listitem')
      .map((item) => item.textContent)
    expect(reasons).toEqual(['skipped: unreadable or corrupt 1', 'skipped: not an image 1', 'failed: disk full 1'])
    expect(within(tiles).getByText('Worker threads').nextSibling?.textContent).toBe('4')
    expect(within(tiles).getByText('Peak images in flight').nextSibling?.textContent).toBe('3')
    expect(within(tiles).getByText('Total time').nextSibling?.textContent).toBe('2.5s')
    expect(within(tiles).getByText('Throughput').nextSibling?.textContent).toBe('2.4 images/s')
    expect(within(tiles).getByText('12.0 MB → 800.0 KB')).toBeTruthy()
    expect(screen.getByRole('heading', { name: 'Done' })).toBeTruthy()
  })

  it('filters the list to problems in one click, and back', async () => {
    const { user, fake } = await startBatch()
    fake.push(...sixFiles, doneSummary)
    expect(rows()).toHaveLength(6)
    const toggle = screen.getByRole('button', { name: 'Show problems' })
    await user.click(toggle)
    expect(toggle.getAttribute('aria-pressed')).toBe('true')
    expect(rows().map((row) => row.dataset.state)).toEqual(['skipped', 'skipped', 'failed'])
    expect(rowFor('c.txt').textContent).toContain('not an image: no known header')
    expect(rowFor('e.jpg').textContent).toContain('the target disk is full')
    await user.click(toggle)
    expect(rows()).toHaveLength(6)
  })

  it('opens the target folder and shows single outputs, only for files that have one', async () => {
    const { user, fake } = await startBatch()
    fake.push(...sixFiles, doneSummary)
    await user.click(screen.getByRole('button', { name: 'Open target folder' }))
    expect(fake.api.showTarget).toHaveBeenCalledTimes(1)
    await user.click(within(rowFor('sub/f.png')).getByRole('button', { name: 'Show in folder' }))
    expect(fake.api.showOutput).toHaveBeenCalledWith('sub/f.png')
    expect(within(rowFor('c.txt')).queryByRole('button', { name: 'Show in folder' })).toBeNull()
    expect(screen.getAllByRole('button', { name: 'Show in folder' })).toHaveLength(3)
  })

  it('New batch goes back to the form with the same settings', async () => {
    const { user, fake } = await startBatch()
    fake.push(...sixFiles, doneSummary)
    await user.click(screen.getByRole('button', { name: 'New batch' }))
    const start = await screen.findByRole('button', { name: 'Start' })
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', '/photos')
    expect(screen.getByLabelText('Worker threads')).toHaveProperty('value', '4')
    expect(document.activeElement).toBe(start)
    fake.push(started('stray.jpg', 1))
    await user.click(start)
    expect(fake.api.start).toHaveBeenCalledTimes(2)
    await screen.findByRole('heading', { name: 'Scaling…' })
    expect(rows()).toHaveLength(0)
  })

  it('ends with the error when the batch stops without a summary', async () => {
    const { fake } = await startBatch()
    fake.push(finished('a.jpg', 'copied'))
    fake.pushUpdate({ batchId: BATCH_ID, events: [], error: { code: 'host-exited', message: 'the pool host exited unexpectedly' } })
    expect(screen.getByRole('alert').textContent).toContain('the pool host exited unexpectedly')
    expect(screen.getByRole('heading', { name: 'Stopped' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'New batch' })).toBeTruthy()
    expect(screen.queryByRole('button', { name: /Cancel/ })).toBeNull()
  })

  it('a batch that ends before start answers still shows its summary', async () => {
    const fake = fakeApi()
    let answer: (value: StartResult) => void = () => undefined
    fake.api.start.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)))
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ source: '/photos', target: '/web' }))
    const user = userEvent.setup()
    render(<App api={fake.api} />)
    await user.click(await screen.findByRole('button', { name: 'Start' }))
    fake.push(finished('a.jpg', 'copied'), summary({ todo: 1, copied: 1 }))
    await act(async () => answer({ ok: true, batchId: BATCH_ID }))
    expect(screen.getByRole('status').textContent).toBe('copied 1 scaled 0 using 4 worker threads')
    expect(rows()).toHaveLength(1)
  })

  it("a batch started as another ends shows its own updates, not the other's summary", async () => {
    const fake = fakeApi()
    let answer: (value: StartResult) => void = () => undefined
    fake.api.start.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)))
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ source: '/photos', target: '/web' }))
    const user = userEvent.setup()
    render(<App api={fake.api} />)
    await user.click(await screen.findByRole('button', { name: 'Start' }))
    fake.pushUpdate({ batchId: BATCH_ID - 1, events: [finished('old.jpg', 'scaled'), summary({ todo: 5, scaled: 5 })] })
    await act(async () => answer({ ok: true, batchId: BATCH_ID }))
    expect(screen.getByRole('heading', { name: 'Scaling…' })).toBeTruthy()
    expect(screen.getByRole('status').textContent).toBe('')
    expect(rows()).toHaveLength(0)

    fake.push(started('new.jpg', 1))
    expect(rows().map((row) => row.dataset.state)).toEqual(['running'])
    fake.push(finished('new.jpg', 'copied', 1), summary({ todo: 1, copied: 1 }))
    expect(screen.getByRole('heading', { name: 'Done' })).toBeTruthy()
    expect(screen.getByRole('status').textContent).toBe('copied 1 scaled 0 using 4 worker threads')
  })
})
