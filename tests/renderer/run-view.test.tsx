// @vitest-environment jsdom
import { act, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { BatchEvent } from '../../src/shared/batch'
import { summaryLine } from '../../src/shared/summary-text'
import { App } from '../../src/renderer/src/components/App'
import { STORAGE_KEY } from '../../src/renderer/src/state/settings'
import { setupDom } from './dom'
import type { StartResult } from '../../src/shared/ipc'
import { LIMITS, OUTPUT_DEFAULTS, type BatchRequest } from '../../src/shared/recipe'
import { canceledFile, deferred, failedFile, failedOutput, fakeApi, finished, made, planned, progress, skippedFile, skippedOutput, started, summary, summaryOf } from './fake-api'

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

/** The list's hint under its heading: "6 files", "3 of 6 files, and 2 canceled before…". */
const listHint = (): string | null | undefined => {
  const region = document.querySelector<HTMLElement>('.files [role="region"]')!
  return document.getElementById(region.getAttribute('aria-describedby') ?? '')?.textContent
}

/** The line under the route: workers, sub-folders, what happens to existing outputs. */
const runFacts = (): string | null | undefined => document.querySelector('.run-header .recipe-lines + .hint')?.textContent

/** The accepted recipe's outputs, as the run view describes them. */
const recipeLines = (): string[] => within(screen.getByRole('list', { name: 'Outputs' })).getAllByRole('listitem').map((item) => item.textContent ?? '')

/** A figure of the progress panel, by its label. */
const stat = (label: string): string | null | undefined => within(screen.getByRole('region', { name: 'Progress' })).getByText(label).nextSibling?.textContent

const doneTotals = summaryOf({
  counts: { copied: 1, scaled: 2, skipped: 2, failed: 1 },
  skippedBy: { corrupt: 1, 'not-an-image': 1 },
  failedBy: { 'no-space': 1 },
  workers: 4,
  peakParallel: 3,
  elapsedMs: 2500,
  bytesIn: 12_000_000,
  bytesOut: 800_000
})
const doneSummary = summary(doneTotals)

const sixFiles: BatchEvent[] = [
  finished(made('a.jpg', 'copied', { size: { width: 300, height: 200 } }), 1),
  finished(made('b.jpg', 'scaled', { shown: { width: 6000, height: 4000 }, size: { width: 400, height: 267 } }), 2),
  finished(skippedFile('c.txt', 'not-an-image', 'not an image: no known header'), null),
  finished(skippedFile('d.jpg', 'corrupt', 'cannot decode jpeg: premature end'), null),
  finished(failedOutput('e.jpg', 'no-space', 'the target disk is full; nothing was left behind'), 2),
  finished(made('sub/f.png', 'scaled', { format: 'png', shown: { width: 800, height: 800 }, size: { width: 400, height: 400 } }), 3)
]

describe('a running batch', () => {
  it('shows each file on its worker, then what became of it', async () => {
    const { fake } = await startBatch()
    fake.push(started('a.jpg', 1), started('sub/b.jpg', 2))
    expect(rows().map((row) => row.dataset.state)).toEqual(['running', 'running'])
    expect(rowFor('sub/b.jpg').textContent).toContain('on worker 2')

    fake.push(finished(made('sub/b.jpg', 'scaled', { shown: { width: 6000, height: 4000 }, size: { width: 400, height: 267 }, times: { read: 20, scale: 200, write: 11 } }), 2))
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

    // b.jpg never started: the engine only counts it, it has no row of its own.
    fake.push(finished(made('a.jpg', 'copied'), 1), summary({ counts: { copied: 1, canceled: 1 }, files: 1, notStarted: 1, canceled: true }))
    expect(screen.queryByRole('button', { name: /Cancel/ })).toBeNull()
    expect(screen.queryByRole('button', { name: /Stop now/ })).toBeNull()
    expect(screen.getByRole('heading', { name: 'Canceled' })).toBeTruthy()
    expect(screen.getByRole('status').textContent).toContain('[canceled]')
    expect(rows().map((row) => row.dataset.state)).toEqual(['copied'])
    expect(listHint()).toBe('1 file, and 1 canceled before they started (not listed)')
  })

  it('the Cancel button cancels too', async () => {
    const { user, fake } = await startBatch()
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(fake.api.cancel).toHaveBeenCalledTimes(1)
    expect(screen.getByRole('button', { name: 'Canceling…' })).toHaveProperty('disabled', true)
  })

  it('keeps each live count with its label, so a wrapping line never splits them', async () => {
    const { fake } = await startBatch()
    fake.push(
      finished(made('a.jpg', 'copied')),
      finished(failedOutput('b.jpg', 'no-space')),
      finished(canceledFile('c.jpg')),
      progress({ done: 3, total: 4, counts: { copied: 1, failed: 1, canceled: 1 } })
    )
    const counts = document.querySelector('.live-counts')!
    expect(counts.textContent).toBe('copied 1 · scaled 0 · skipped 0 · failed 1 · canceled 1')
    expect([...counts.querySelectorAll('.live-count')].map((item) => item.textContent)).toEqual(['copied 1', 'scaled 0', 'skipped 0', 'failed 1', 'canceled 1'])
  })

  it('has one Files landmark: the list scroller, which the keyboard can reach', async () => {
    const { user, fake } = await startBatch()
    fake.push(finished(made('a.jpg', 'copied')), finished(skippedFile('b.txt', 'not-an-image', 'not an image: no known header'), null))
    const regions = screen.getAllByRole('region', { name: 'Files' })
    expect(regions).toHaveLength(1)
    const list = regions[0]!
    expect(list.tabIndex).toBe(0)
    expect(within(list).getAllByRole('listitem')).toHaveLength(2)
    expect(list.getAttribute('aria-describedby') && document.getElementById(list.getAttribute('aria-describedby')!)?.textContent).toBe('2 files')
    // Cancel, Show worker lanes, then the list.
    await user.tab()
    await user.tab()
    await user.tab()
    expect(document.activeElement).toBe(list)
    // The reason is in the row's text, not only in a tooltip.
    expect(rowFor('b.txt').querySelector('.file-detail')?.textContent).toBe(' not an image: no known header')
  })

  it('keeps only the rows in view in the page, with 100,000 files', async () => {
    const { fake } = await startBatch()
    const events = Array.from({ length: 100_000 }, (_, i) => finished(made(`image-${i}.jpg`, 'copied'), (i % 4) + 1))
    act(() => {
      for (const listener of fake.listeners) listener({ batchId: fake.lastId(), events, at: events.map((_, i) => i) })
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
    expect(reasons).toEqual(['skipped 1: damaged or corrupt', 'skipped 1: not an image', 'failed 1: disk full'])
    // The run's own facts are in the header, from the request main accepted.
    expect(runFacts()).toBe('4 worker threads · with sub-folders · existing outputs kept')
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
    expect(toggle.getAttribute('aria-pressed')).toBe('false')
    await user.click(toggle)
    expect(toggle.getAttribute('aria-pressed')).toBe('true')
    expect(toggle.textContent).toBe('Show all files')
    expect(screen.getByRole('region', { name: 'Problems' })).toBeTruthy()
    expect(rows().map((row) => row.dataset.state)).toEqual(['skipped', 'skipped', 'failed'])
    expect(listHint()).toBe('3 of 6 files')
    expect(rowFor('c.txt').textContent).toContain('not an image: no known header')
    expect(rowFor('e.jpg').textContent).toContain('the target disk is full')
    await user.click(screen.getByRole('button', { name: 'Show all files' }))
    expect(toggle.textContent).toBe('Show problems')
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
    fake.push(finished(made('a.jpg', 'copied')))
    fake.pushUpdate({ batchId: fake.lastId(), events: [], at: [], error: { code: 'internal', message: 'internal error: the journal could not be written' } })
    expect(screen.getByRole('alert').textContent).toContain('the journal could not be written')
    expect(screen.getByRole('heading', { name: 'Stopped' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'New batch' })).toBeTruthy()
    expect(screen.queryByRole('button', { name: /Cancel/ })).toBeNull()
  })

  it('a batch that ends before start answers still shows its summary', async () => {
    const answer = deferred<StartResult>()
    const fake = fakeApi({ start: () => answer.promise })
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ source: '/photos', target: '/web' }))
    const user = userEvent.setup()
    render(<App api={fake.api} />)
    await user.click(await screen.findByRole('button', { name: 'Start' }))
    fake.push(finished(made('a.jpg', 'copied')), summary({ counts: { copied: 1 } }))
    await act(async () => answer.resolve({ ok: true, request: fake.sent() }))
    expect(screen.getByRole('heading', { name: 'Done' })).toBeTruthy()
    expect(screen.getByRole('status').textContent).toBe('copied 1 scaled 0 using 4 worker threads')
    expect(rows()).toHaveLength(1)
  })

  it("a batch started as another ends shows its own updates, not the other's summary", async () => {
    const answer = deferred<StartResult>()
    const fake = fakeApi({ start: () => answer.promise })
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ source: '/photos', target: '/web' }))
    const user = userEvent.setup()
    render(<App api={fake.api} />)
    await user.click(await screen.findByRole('button', { name: 'Start' }))
    fake.pushUpdate({ batchId: 'the-batch-that-is-ending', events: [finished(made('old.jpg', 'scaled')), summary({ counts: { scaled: 5 } })], at: [10, 20] })
    await act(async () => answer.resolve({ ok: true, request: fake.sent() }))
    expect(screen.getByRole('heading', { name: 'Scaling…' })).toBeTruthy()
    expect(screen.getByRole('status').textContent).toBe('')
    expect(rows()).toHaveLength(0)

    fake.push(started('new.jpg', 1))
    expect(rows().map((row) => row.dataset.state)).toEqual(['running'])
    fake.push(finished(made('new.jpg', 'copied'), 1), summary({ counts: { copied: 1 } }))
    expect(screen.getByRole('heading', { name: 'Done' })).toBeTruthy()
    expect(screen.getByRole('status').textContent).toBe('copied 1 scaled 0 using 4 worker threads')
  })
})

describe('in flight', () => {
  it('is the number of rows on a worker, whatever the last progress said', async () => {
    const { fake } = await startBatch()
    // The progress's own inFlight lags the rows (it is sent when files finish): the rows are what is shown.
    fake.push(started('a.jpg', 1), started('b.jpg', 2), started('c.jpg', 3), progress({ done: 0, total: 9, inFlight: 7 }))
    expect(rows().filter((row) => row.dataset.state === 'running')).toHaveLength(3)
    expect(stat('In flight')).toBe('3')

    fake.push(finished(made('b.jpg', 'copied'), 2), progress({ done: 1, total: 9, inFlight: 0, counts: { copied: 1 } }))
    expect(rows().filter((row) => row.dataset.state === 'running')).toHaveLength(2)
    expect(stat('In flight')).toBe('2')
  })
})

describe('canceling', () => {
  it('offers Stop now only while canceling, and Stop now asks main to abandon the files on a worker', async () => {
    const { user, fake } = await startBatch()
    fake.push(started('a.jpg', 1), started('b.jpg', 2), progress({ done: 0, total: 5 }))
    expect(screen.queryByRole('button', { name: 'Stop now' })).toBeNull()

    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(fake.api.cancel).toHaveBeenCalledTimes(1)
    expect(fake.api.stopNow).not.toHaveBeenCalled()
    const stop = screen.getByRole('button', { name: 'Stop now' })
    expect(stop).toHaveProperty('disabled', false)
    expect(screen.getByText(/waiting for 2 files on a worker; Stop now abandons them, writing nothing/)).toBeTruthy()

    await user.click(stop)
    expect(fake.api.stopNow).toHaveBeenCalledTimes(1)
    expect(screen.getByRole('button', { name: 'Stopping…' })).toHaveProperty('disabled', true)
    expect(screen.getByRole('heading', { name: 'Stopping now…' })).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Stopping…' }))
    expect(fake.api.stopNow).toHaveBeenCalledTimes(1)

    fake.push(finished(canceledFile('a.jpg'), 1), finished(canceledFile('b.jpg'), 2), summary({ counts: { canceled: 5 }, files: 2, notStarted: 3, canceled: true }))
    expect(screen.queryByRole('button', { name: /Stop|Cancel/ })).toBeNull()
    expect(screen.getByRole('heading', { name: 'Canceled' })).toBeTruthy()
  })

  it('Stop now is not offered when the batch ends without being canceled', async () => {
    const { fake } = await startBatch()
    fake.push(started('a.jpg', 1))
    expect(screen.queryByRole('button', { name: 'Stop now' })).toBeNull()
    fake.push(finished(made('a.jpg', 'copied'), 1), summary({ counts: { copied: 1 } }))
    expect(screen.queryByRole('button', { name: 'Stop now' })).toBeNull()
    expect(fake.api.stopNow).not.toHaveBeenCalled()
  })

  it('keeps the clock running while canceling: a slow last file does not look like a hang', async () => {
    const { user, fake } = await startBatch()
    fake.push(started('a.jpg', 1), progress({ done: 0, total: 3, elapsedMs: 1000 }))
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    const first = stat('Elapsed')
    // No update arrives while the last file finishes; the elapsed time moves on by itself.
    await vi.waitFor(() => expect(stat('Elapsed')).not.toBe(first), { timeout: 5000, interval: 100 })
    expect(screen.getByRole('heading', { name: 'Canceling…' })).toBeTruthy()
  })

  it('after a cancel, Show problems lists the canceled files and says how many never started', async () => {
    const { user, fake } = await startBatch()
    fake.push(started('a.jpg', 1), started('b.jpg', 2), started('c.jpg', 3))
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    await user.click(screen.getByRole('button', { name: 'Stop now' }))
    fake.push(
      finished(made('a.jpg', 'scaled', { shown: { width: 1600, height: 1200 }, size: { width: 400, height: 300 } }), 1),
      finished(canceledFile('b.jpg'), 2),
      finished(canceledFile('c.jpg'), 3),
      summary({ counts: { scaled: 1, canceled: 6 }, files: 3, notStarted: 4, canceled: true })
    )
    expect(rows()).toHaveLength(3)
    expect(listHint()).toBe('3 files, and 4 canceled before they started (not listed)')
    const reasons = within(screen.getByRole('list', { name: 'Reasons' }))
      .getAllByRole('listitem')
      .map((item) => item.textContent)
    expect(reasons).toEqual(['canceled 4: not started (4 files)', 'canceled 2: stopped while being worked on, nothing written'])

    await user.click(screen.getByRole('button', { name: 'Show problems' }))
    expect(screen.getByRole('button', { name: 'Show all files' }).getAttribute('aria-pressed')).toBe('true')
    expect(screen.queryByRole('button', { name: 'Show problems' })).toBeNull()
    expect(rows().map((row) => [row.querySelector('.file-path')?.textContent, row.dataset.state])).toEqual([
      ['b.jpg', 'canceled'],
      ['c.jpg', 'canceled']
    ])
    expect(rowFor('b.jpg').textContent).toContain('no half-written file was left')
    expect(listHint()).toBe('2 of 3 files, and 4 canceled before they started (not listed)')
  })

  it('when only files that never started were canceled, the problems list says so instead of "no problems"', async () => {
    const { user, fake } = await startBatch()
    fake.push(started('a.jpg', 1))
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    fake.push(finished(made('a.jpg', 'copied'), 1), summary({ counts: { copied: 1, canceled: 2 }, files: 1, notStarted: 2, canceled: true }))
    await user.click(screen.getByRole('button', { name: 'Show problems' }))
    expect(rows()).toHaveLength(0)
    const empty = screen.getByRole('region', { name: 'Problems' }).textContent ?? ''
    expect(empty).toBe('No listed file went wrong. 2 files were canceled before starting (counted in the summary, not listed).')
    expect(empty).not.toMatch(/no problems/i)
    // Filtered to the canceled files, the list says the same.
    await user.selectOptions(screen.getByLabelText('Show'), 'canceled')
    expect(screen.getByRole('region', { name: 'Canceled' }).textContent).toBe('None of the listed files. 2 files were canceled before starting (counted in the summary, not listed).')
  })
})

describe('damaged pictures', () => {
  it('a file made from a damaged source is listed as a problem, with the decoder’s complaint', async () => {
    const { user, fake } = await startBatch()
    fake.push(
      finished(made('good.jpg', 'scaled', { shown: { width: 1600, height: 1200 }, size: { width: 400, height: 300 } }), 1),
      finished(made('torn.jpg', 'scaled', { shown: { width: 1600, height: 1200 }, size: { width: 400, height: 300 }, warning: 'premature end of JPEG data' }), 2),
      finished(made('small.jpg', 'copied'), 1),
      summary({ counts: { scaled: 2, copied: 1 }, warnings: 1 })
    )
    expect(screen.getByRole('status').textContent).toBe('copied 1 scaled 2 (1 damaged) using 4 worker threads')
    expect(within(screen.getByRole('list', { name: 'Reasons' })).getByText('warning 1: damaged, decoded leniently (see each file)')).toBeTruthy()

    await user.click(screen.getByRole('button', { name: 'Show problems' }))
    expect(rows()).toHaveLength(1)
    const torn = rowFor('torn.jpg')
    expect(torn.dataset.state).toBe('scaled')
    expect(torn.textContent).toContain('premature end of JPEG data')
    expect(listHint()).toBe('1 of 3 files')
  })
})

/** A window with its folders remembered, rendered but not started. */
async function renderForm(fake = fakeApi()) {
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ source: '/photos', target: '/web', size: 400, workers: 4 }))
  const user = userEvent.setup()
  render(<App api={fake.api} />)
  await screen.findByRole('button', { name: 'Start' })
  return { user, fake }
}

const paths = (): (string | null | undefined)[] => rows().map((row) => row.querySelector('.file-path')?.textContent)

describe('the request shown', () => {
  it('is the one main accepted, not the form: a change made while start was unanswered does not show', async () => {
    const answer = deferred<StartResult>()
    const { user, fake } = await renderForm(fakeApi({ start: () => answer.promise }))
    await user.click(screen.getByRole('button', { name: 'Start' }))
    // Main has not answered: the form stays, with Start disabled, and can still be edited.
    expect(screen.getByRole('button', { name: 'Start' })).toHaveProperty('disabled', true)
    const size = within(screen.getByRole('group', { name: 'Output 1' })).getByLabelText('Size (px)')
    await user.clear(size)
    await user.type(size, '800')
    await user.click(screen.getByRole('checkbox', { name: 'Include sub-folders' }))

    const sent = fake.sent()
    expect(sent.recipe.outputs[0]?.resize).toEqual({ kind: 'long', size: 400 })
    // Main fills in what it fills in: here another name and fewer workers than asked.
    const accepted: BatchRequest = { ...sent, workers: 2, recipe: { outputs: [{ ...sent.recipe.outputs[0]!, name: '{name}-{width}.{ext}' }] } }
    await act(async () => answer.resolve({ ok: true, request: accepted }))

    await screen.findByRole('heading', { name: 'Scaling…' })
    expect(recipeLines()).toEqual(['longest side 400 px · same format · all metadata → {name}-{width}.{ext}'])
    expect(runFacts()).toBe('2 worker threads · with sub-folders · existing outputs kept')
    expect([...document.querySelectorAll('.route .path')].map((path) => path.textContent)).toEqual(['/photos', '/web'])
  })

  it('describes every output of the recipe, in order', async () => {
    const request = (sent: BatchRequest): BatchRequest => ({
      ...sent,
      recipe: {
        outputs: [
          { ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 1920 }, format: 'webp', metadata: 'strip-gps', srgb: true, folder: 'web' },
          { ...OUTPUT_DEFAULTS, resize: { kind: 'box', width: 300, height: 300 }, mode: 'stride', format: 'jpeg', quality: 70, maxBytes: 50_000, metadata: 'strip', folder: 'thumbs' }
        ]
      }
    })
    const { user } = await renderForm(fakeApi({ start: (_id, sent) => ({ ok: true, request: request(sent) }) }))
    await user.click(screen.getByRole('button', { name: 'Start' }))
    await screen.findByRole('heading', { name: 'Scaling…' })
    expect(recipeLines()).toEqual([
      'longest side 1920 px · WebP 80 · no location · sRGB → web/',
      'within 300×300 px · stride · JPEG 70 · at most 50.0 KB · no metadata → thumbs/'
    ])
  })
})

describe('a new batch', () => {
  it('is named anew: updates of the one before are ignored', async () => {
    const { user, fake } = await startBatch()
    const first = fake.lastId()
    fake.push(finished(made('a.jpg', 'copied')), summary({ counts: { copied: 1 } }))
    await user.click(screen.getByRole('button', { name: 'New batch' }))
    await user.click(await screen.findByRole('button', { name: 'Start' }))
    await screen.findByRole('heading', { name: 'Scaling…' })
    expect(fake.lastId()).not.toBe(first)
    fake.pushUpdate({ batchId: first, events: [finished(made('late.jpg', 'copied')), summary({ counts: { copied: 1 } })], at: [10, 20] })
    expect(rows()).toHaveLength(0)
    expect(screen.getByRole('heading', { name: 'Scaling…' })).toBeTruthy()
    fake.push(started('b.jpg', 1))
    expect(paths()).toEqual(['b.jpg'])
  })
})

describe('a dry run', () => {
  it('Preview plan sends a dry run, lists the plan, and "Start this plan" sends the same request for real', async () => {
    const { user, fake } = await renderForm(fakeApi({ start: (_id, sent) => ({ ok: true, request: { ...sent, maxPixels: 1_000_000 } }) }))
    await user.click(screen.getByRole('button', { name: 'Preview plan' }))
    expect(fake.api.start).toHaveBeenCalledTimes(1)
    expect(fake.sent()).toEqual({
      source: '/photos',
      target: '/web',
      recipe: { outputs: [{ ...OUTPUT_DEFAULTS, resize: { kind: 'long', size: 400 } }] },
      workers: 4,
      recursive: true,
      existing: 'skip',
      maxPixels: LIMITS.maxPixels.default,
      dryRun: true,
      keepDates: false
    })
    await screen.findByRole('heading', { name: 'Planning…' })
    expect(runFacts()).toMatch(/ · a plan only: nothing is written$/)

    fake.push(planned('a.jpg'), planned('b.jpg', { width: 400, height: 300 }, { width: 1600, height: 1200 }))
    expect(rows().map((row) => row.dataset.state)).toEqual(['planned', 'planned'])
    expect(rowFor('b.jpg').textContent).toContain('scale 1600×1200 → 400×300 → b.jpg')
    expect(screen.queryByRole('button', { name: 'Start this plan' })).toBeNull()

    fake.push(summary({ counts: { scaled: 2 }, dryRun: true }))
    expect(screen.getByRole('heading', { name: 'Plan' })).toBeTruthy()
    const first = fake.lastId()
    await user.click(screen.getByRole('button', { name: 'Start this plan' }))
    expect(fake.api.start).toHaveBeenCalledTimes(2)
    // Main's answer to the plan, carried out: its own filled-in values kept, dryRun off.
    expect(fake.sent()).toEqual({ ...fake.sent(0), maxPixels: 1_000_000, dryRun: false })
    expect(fake.lastId()).not.toBe(first)
    await screen.findByRole('heading', { name: 'Scaling…' })
    expect(rows()).toHaveLength(0)
    fake.push(finished(made('a.jpg', 'scaled'), 1))
    expect(rows().map((row) => row.dataset.state)).toEqual(['scaled'])
  })

  it('a canceled plan offers nothing to carry out', async () => {
    const { user, fake } = await renderForm()
    await user.click(screen.getByRole('button', { name: 'Preview plan' }))
    await screen.findByRole('heading', { name: 'Planning…' })
    fake.push(planned('a.jpg'), summary({ counts: { scaled: 1, canceled: 3 }, notStarted: 3, canceled: true, dryRun: true }))
    expect(screen.getByRole('heading', { name: 'Canceled' })).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Start this plan' })).toBeNull()
    expect(screen.queryByRole('button', { name: /^Resume/ })).toBeNull()
  })

  it('a refused "Start this plan" goes back to the form with the reason', async () => {
    const { user, fake } = await renderForm()
    await user.click(screen.getByRole('button', { name: 'Preview plan' }))
    await screen.findByRole('heading', { name: 'Planning…' })
    fake.push(planned('a.jpg'), summary({ counts: { scaled: 1 }, dryRun: true }))
    fake.api.start.mockResolvedValueOnce({ ok: false, code: 'busy', message: 'a batch is already running' })
    await user.click(screen.getByRole('button', { name: 'Start this plan' }))
    expect((await screen.findByRole('alert')).textContent).toContain('a batch is already running')
    expect(screen.getByLabelText('Source folder')).toHaveProperty('value', '/photos')
  })
})

describe('resume', () => {
  it('after a cancel, "Resume (N left)" re-sends the request main accepted, for real', async () => {
    const accepted = (sent: BatchRequest): BatchRequest => ({ ...sent, recipe: { outputs: [{ ...sent.recipe.outputs[0]!, name: '{name}.{ext}' }] } })
    const { user, fake } = await renderForm(fakeApi({ start: (_id, sent) => ({ ok: true, request: accepted(sent) }) }))
    await user.click(screen.getByRole('button', { name: 'Start' }))
    await screen.findByRole('heading', { name: 'Scaling…' })
    const first = fake.sent()
    fake.push(started('a.jpg', 1), started('b.jpg', 2))
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    fake.push(finished(made('a.jpg', 'copied'), 1), finished(canceledFile('b.jpg'), 2), summary({ counts: { copied: 1, canceled: 4 }, files: 2, notStarted: 3, canceled: true }))
    expect(screen.getByRole('heading', { name: 'Canceled' })).toBeTruthy()

    await user.click(screen.getByRole('button', { name: 'Resume (4 left)' }))
    expect(fake.api.start).toHaveBeenCalledTimes(2)
    expect(fake.sent()).toEqual(accepted(first))
    expect(fake.sent()).not.toEqual(first)
    await screen.findByRole('heading', { name: 'Scaling…' })
    expect(rows()).toHaveLength(0)
  })

  it('counts failed units as left too, and offers nothing when everything was made', async () => {
    const { user, fake } = await startBatch()
    fake.push(finished(failedOutput('a.jpg', 'no-space')), finished(failedFile('b.jpg', 'host-crashed')), finished(made('c.jpg', 'copied')), summary({ counts: { failed: 2, copied: 1 } }))
    expect(screen.getByRole('heading', { name: 'Done' })).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Resume (2 left)' }))
    expect(fake.sent()).toEqual(fake.sent(0))
    await screen.findByRole('heading', { name: 'Scaling…' })
    fake.push(finished(made('a.jpg', 'scaled')), finished(made('b.jpg', 'scaled')), finished(skippedOutput('c.jpg', 'already-done')), summary({ counts: { scaled: 2, skipped: 1 } }))
    expect(screen.getByRole('heading', { name: 'Done' })).toBeTruthy()
    expect(screen.queryByRole('button', { name: /^Resume/ })).toBeNull()
    expect(screen.getByRole('button', { name: 'New batch' })).toBeTruthy()
  })

  it('a batch that stopped without a summary can be resumed', async () => {
    const { user, fake } = await startBatch()
    fake.push(finished(made('a.jpg', 'copied')))
    fake.pushUpdate({ batchId: fake.lastId(), events: [], at: [], error: { code: 'host-crashed', message: 'the pool host stopped answering' } })
    await user.click(screen.getByRole('button', { name: 'Resume' }))
    expect(fake.api.start).toHaveBeenCalledTimes(2)
    expect(fake.sent()).toEqual(fake.sent(0))
  })
})

describe('the file list once the batch is over', () => {
  const files: BatchEvent[] = [
    finished(made('b.jpg', 'scaled', { bytes: 2000, times: { read: 5, scale: 50, write: 5 } }), 1),
    finished(made('IMG_10.jpg', 'scaled', { bytes: 500, times: { read: 5, scale: 300, write: 5 } }), 2),
    finished(made('a.jpg', 'copied', { bytes: 5000, times: { read: 5, scale: 0, write: 5 } }), 3),
    finished(made('img_2.jpg', 'scaled', { bytes: 4000, warning: 'premature end of JPEG data', times: { read: 5, scale: 100, write: 5 } }), 1),
    finished(canceledFile('Trip/C.jpg'), 2),
    finished(skippedFile('notes.txt', 'not-an-image'), null)
  ]
  const over = summary({ counts: { scaled: 3, copied: 1, canceled: 1, skipped: 1 }, canceled: true, warnings: 1 })

  it('offers search, filter and sort only once the batch is over', async () => {
    const { fake } = await startBatch()
    fake.push(...files)
    expect(screen.queryByLabelText('Search by name')).toBeNull()
    expect(screen.queryByLabelText('Sort')).toBeNull()
    fake.push(over)
    expect(screen.getByLabelText('Search by name')).toBeTruthy()
    expect(screen.getByLabelText('Sort')).toHaveProperty('value', 'found')
    expect(paths()).toEqual(['b.jpg', 'IMG_10.jpg', 'a.jpg', 'img_2.jpg', 'Trip/C.jpg', 'notes.txt'])
  })

  it('sorts by name as a file manager does, by time taken, and by bytes saved', async () => {
    const { user, fake } = await startBatch()
    fake.push(...files, over)
    await user.selectOptions(screen.getByLabelText('Sort'), 'name')
    expect(paths()).toEqual(['a.jpg', 'b.jpg', 'img_2.jpg', 'IMG_10.jpg', 'notes.txt', 'Trip/C.jpg'])
    await user.selectOptions(screen.getByLabelText('Sort'), 'time')
    expect(paths().slice(0, 4)).toEqual(['IMG_10.jpg', 'img_2.jpg', 'b.jpg', 'a.jpg'])
    await user.selectOptions(screen.getByLabelText('Sort'), 'saved')
    expect(paths().slice(0, 4)).toEqual(['IMG_10.jpg', 'b.jpg', 'img_2.jpg', 'a.jpg'])
    expect(listHint()).toBe('6 of 6 files')
  })

  it('filters to one outcome, or to the damaged pictures', async () => {
    const { user, fake } = await startBatch()
    fake.push(...files, over)
    await user.selectOptions(screen.getByLabelText('Show'), 'canceled')
    expect(paths()).toEqual(['Trip/C.jpg'])
    expect(screen.getByRole('region', { name: 'Canceled' })).toBeTruthy()
    expect(listHint()).toBe('1 of 6 files')
    await user.selectOptions(screen.getByLabelText('Show'), 'warnings')
    expect(paths()).toEqual(['img_2.jpg'])
    await user.selectOptions(screen.getByLabelText('Show'), 'scaled')
    expect(paths()).toEqual(['b.jpg', 'IMG_10.jpg', 'img_2.jpg'])
    await user.selectOptions(screen.getByLabelText('Show'), 'failed')
    expect(rows()).toHaveLength(0)
    expect(screen.getByRole('region', { name: 'Failed' }).textContent).toBe('No failed here.')
    // The filter and Show problems are one choice.
    await user.click(screen.getByRole('button', { name: 'Show problems' }))
    expect(screen.getByLabelText('Show')).toHaveProperty('value', 'problems')
    expect(paths()).toEqual(['img_2.jpg', 'Trip/C.jpg', 'notes.txt'])
    await user.click(screen.getByRole('button', { name: 'Show all files' }))
    expect(screen.getByLabelText('Show')).toHaveProperty('value', 'all')
    expect(rows()).toHaveLength(6)
  })

  it('searches names ignoring case, together with the filter and the sort', async () => {
    const { user, fake } = await startBatch()
    fake.push(...files, over)
    const search = screen.getByLabelText('Search by name')
    await user.type(search, 'IMG')
    expect(paths()).toEqual(['IMG_10.jpg', 'img_2.jpg'])
    await user.clear(search)
    await user.type(search, 'img_')
    expect(paths()).toEqual(['IMG_10.jpg', 'img_2.jpg'])
    await user.selectOptions(screen.getByLabelText('Sort'), 'name')
    expect(paths()).toEqual(['img_2.jpg', 'IMG_10.jpg'])
    await user.selectOptions(screen.getByLabelText('Show'), 'warnings')
    expect(paths()).toEqual(['img_2.jpg'])
    await user.clear(search)
    await user.type(search, 'trip/c')
    expect(rows()).toHaveLength(0)
    expect(screen.getByRole('region', { name: /Damaged/ }).textContent).toBe('No file named like "trip/c" here.')
    await user.selectOptions(screen.getByLabelText('Show'), 'all')
    expect(paths()).toEqual(['Trip/C.jpg'])
  })
})
