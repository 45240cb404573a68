// @vitest-environment jsdom
import { act, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { BUILT_IN_PRESETS } from '../../src/shared/presets'
import { LIMITS, OUTPUT_DEFAULTS, type OutputSpec } from '../../src/shared/recipe'
import { App } from '../../src/renderer/src/components/App'
import { STORAGE_KEY } from '../../src/renderer/src/state/settings'
import { setupDom } from './dom'
import { BUILT_IN_ENTRIES, fakeApi, userPreset } from './fake-api'

setupDom()

type User = ReturnType<typeof userEvent.setup>

/** A window whose folders are remembered from last time: Start is one click away. */
async function renderApp(fake = fakeApi()) {
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ source: '/photos', target: '/web', workers: 4 }))
  const user = userEvent.setup()
  render(<App api={fake.api} />)
  await screen.findByRole('button', { name: 'Start' })
  // The presets arrive from main after the first render.
  await act(() => Promise.resolve())
  return { user, fake }
}

const cards = (): HTMLElement[] => within(screen.getByRole('region', { name: 'Outputs' })).getAllByRole('group', { name: /^Output \d+$/ })
const card = (n: number): HTMLElement => screen.getByRole('group', { name: `Output ${n}` })
const field = (n: number, label: string): HTMLInputElement => within(card(n)).getByLabelText(label)
const startButton = (): HTMLButtonElement => screen.getByRole('button', { name: 'Start' })
const startHint = (): string | null | undefined => document.getElementById(startButton().getAttribute('aria-describedby') ?? '')?.textContent
/** The live name example of an output, one line per size. */
const names = (n: number): string[] => within(within(card(n)).getByRole('list', { name: `Output ${n} names` })).getAllByRole('listitem').map((item) => item.textContent ?? '')
/** What each card's size and format fields show, in order. */
const summaryOfCards = (): string[] => cards().map((each) => `${within(each).getByLabelText<HTMLInputElement>('Size (px)').value} ${within(each).getByLabelText<HTMLSelectElement>('Format').value}`)

/** Replaces a text field's value the way a person pasting would (braces are not typed keys here). */
async function fill(user: User, input: HTMLElement, text: string) {
  await user.clear(input)
  if (text !== '') {
    await user.click(input)
    await user.paste(text)
  }
}

const spec = (patch: Partial<OutputSpec>): OutputSpec => ({ ...OUTPUT_DEFAULTS, ...patch })

describe('the outputs editor', () => {
  it('adds, duplicates, removes and reorders outputs, and Start sends them in that order', async () => {
    const { user, fake } = await renderApp()
    expect(cards()).toHaveLength(1)
    expect(within(card(1)).getByRole('button', { name: 'Remove' })).toHaveProperty('disabled', true)
    await fill(user, field(1, 'Size (px)'), '1920')
    await user.selectOptions(field(1, 'Format'), 'webp')

    await user.click(screen.getByRole('button', { name: 'Add output' }))
    expect(summaryOfCards()).toEqual(['1920 webp', '400 same'])
    await fill(user, field(2, 'Size (px)'), '800')

    await user.click(within(card(1)).getByRole('button', { name: 'Duplicate' }))
    expect(summaryOfCards()).toEqual(['1920 webp', '1920 webp', '800 same'])
    // The copy is its own output: changing it leaves the original alone.
    await fill(user, field(2, 'Size (px)'), '1280')
    expect(summaryOfCards()).toEqual(['1920 webp', '1280 webp', '800 same'])

    expect(screen.getByRole('button', { name: 'Move Output 1 up' })).toHaveProperty('disabled', true)
    expect(screen.getByRole('button', { name: 'Move Output 3 down' })).toHaveProperty('disabled', true)
    await user.click(screen.getByRole('button', { name: 'Move Output 3 up' }))
    expect(summaryOfCards()).toEqual(['1920 webp', '800 same', '1280 webp'])
    await user.click(screen.getByRole('button', { name: 'Move Output 1 down' }))
    expect(summaryOfCards()).toEqual(['800 same', '1920 webp', '1280 webp'])

    await user.click(within(card(3)).getByRole('button', { name: 'Remove' }))
    expect(summaryOfCards()).toEqual(['800 same', '1920 webp'])
    expect(startHint()).toBe('2 outputs per photo, on 4 worker threads.')

    await user.click(startButton())
    expect(fake.sent().recipe).toEqual({ outputs: [spec({ resize: { kind: 'long', size: 800 } }), spec({ resize: { kind: 'long', size: 1920 }, format: 'webp' })] })
  })

  it(`offers no more than ${LIMITS.outputs.max} outputs`, async () => {
    const { user } = await renderApp()
    const add = screen.getByRole('button', { name: 'Add output' })
    for (let i = 1; i < LIMITS.outputs.max; i += 1) await user.click(add)
    expect(cards()).toHaveLength(LIMITS.outputs.max)
    expect(add).toHaveProperty('disabled', true)
    expect(within(card(1)).getByRole('button', { name: 'Duplicate' })).toHaveProperty('disabled', true)
    expect(startButton()).toHaveProperty('disabled', false)
  })

  it('sends every setting of a card: rule, method, format, quality, budget, metadata, sRGB, sharpen, sub-folder and name', async () => {
    const { user, fake } = await renderApp()
    await user.selectOptions(field(1, 'Resize'), 'box')
    expect(within(card(1)).getByLabelText('Size (W×H px)')).toBeTruthy()
    await fill(user, within(card(1)).getByLabelText('Size (W×H px)'), '1080x1350')
    await user.click(within(card(1)).getByRole('radio', { name: 'Stride' }))
    await user.selectOptions(field(1, 'Format'), 'jpeg')
    await user.click(within(card(1)).getByRole('checkbox', { name: 'Progressive JPEG' }))
    await fill(user, field(1, 'Quality (1–100)'), '85')
    await fill(user, field(1, 'At most (bytes per file)'), '500k')
    await user.selectOptions(field(1, 'Metadata'), 'strip-gps')
    await user.click(within(card(1)).getByRole('checkbox', { name: 'Convert to sRGB (for the web)' }))
    await user.click(within(card(1)).getByRole('checkbox', { name: 'Sharpen after downscaling (mild)' }))
    await fill(user, field(1, 'Sub-folder of the target'), 'social')
    await fill(user, field(1, 'Name'), '{name}_{size}.{ext}')
    await user.click(startButton())
    expect(fake.sent().recipe.outputs).toEqual([
      spec({
        resize: { kind: 'box', width: 1080, height: 1350 },
        mode: 'stride',
        format: 'jpeg',
        progressive: true,
        quality: 85,
        maxBytes: 500_000,
        metadata: 'strip-gps',
        srgb: true,
        sharpen: true,
        folder: 'social',
        name: '{name}_{size}.{ext}'
      })
    ])
  })

  it('a comma list of sizes makes one output per size, each in the sub-folder --sizes names for it', async () => {
    const { user, fake } = await renderApp()
    await user.selectOptions(field(1, 'Resize'), 'width')
    await fill(user, field(1, 'Size (px)'), '1200,600')
    expect(names(1)).toEqual(['IMG_2041.jpg → width-1200/IMG_2041.jpg (1200×800)', 'IMG_2041.jpg → width-600/IMG_2041.jpg (600×400)'])

    await user.selectOptions(field(1, 'Resize'), 'long')
    await fill(user, field(1, 'Size (px)'), '1920, 800')
    expect(names(1)).toEqual(['IMG_2041.jpg → 1920/IMG_2041.jpg (1920×1280)', 'IMG_2041.jpg → 800/IMG_2041.jpg (800×533)'])
    expect(startHint()).toBe('2 outputs per photo, on 4 worker threads.')
    await user.click(startButton())
    expect(fake.sent().recipe.outputs).toEqual([spec({ resize: { kind: 'long', size: 1920 }, folder: '1920' }), spec({ resize: { kind: 'long', size: 800 }, folder: '800' })])
  })

  it('shows a live example of the names, following the name template, the format and the sub-folder', async () => {
    const { user } = await renderApp()
    expect(names(1)).toEqual(['IMG_2041.jpg → IMG_2041.jpg (400×267)'])
    await fill(user, field(1, 'Size (px)'), '1920')
    await fill(user, field(1, 'Name'), '{name}-{width}.{ext}')
    expect(names(1)).toEqual(['IMG_2041.jpg → IMG_2041-1920.jpg (1920×1280)'])
    await user.selectOptions(field(1, 'Format'), 'webp')
    expect(names(1)).toEqual(['IMG_2041.jpg → IMG_2041-1920.webp (1920×1280)'])
    await fill(user, field(1, 'Sub-folder of the target'), 'web')
    expect(names(1)).toEqual(['IMG_2041.jpg → web/IMG_2041-1920.webp (1920×1280)'])
    await fill(user, field(1, 'Name'), '{name}_{height}px.{format}')
    expect(names(1)).toEqual(['IMG_2041.jpg → web/IMG_2041_1280px.webp (1920×1280)'])
    // The book's stride keeps every n-th pixel: 6000/4 wide at 1920.
    await user.click(within(card(1)).getByRole('radio', { name: 'Stride' }))
    expect(names(1)).toEqual(['IMG_2041.jpg → web/IMG_2041_1000px.webp (1500×1000)'])
  })

  it('says when the example photo would be copied unchanged', async () => {
    const { user } = await renderApp()
    await fill(user, field(1, 'Size (px)'), '8000')
    expect(names(1)).toEqual(['IMG_2041.jpg → IMG_2041.jpg (6000×4000, copied unchanged)'])
    await user.selectOptions(field(1, 'Metadata'), 'strip')
    expect(names(1)).toEqual(['IMG_2041.jpg → IMG_2041.jpg (6000×4000)'])
  })

  it.each([
    ['Quality (1–100)', '150', 'Quality must be at most 100.'],
    ['Quality (1–100)', 'best', 'Quality must be a whole number.'],
    ['At most (bytes per file)', '1k', 'A byte budget must be at least 2,048 bytes.'],
    ['At most (bytes per file)', 'small', 'Write a byte budget as 500k, 1.5MB or 250000.'],
    ['Size (px)', '0', 'The long side must be at least 1 pixel.'],
    ['Size (px)', '', 'Enter a size.'],
    ['Size (px)', '800, 800', 'A size is listed twice.'],
    ['Name', '{dir}/photo.{ext}', 'A name template must contain {name}, or every file would get the same name.'],
    ['Name', '{name}-web', 'A name template must end with an extension, as in {name}.{ext}.']
  ])('%s "%s" disables Start and says why', async (label, text, sentence) => {
    const { user, fake } = await renderApp()
    expect(startButton()).toHaveProperty('disabled', false)
    await fill(user, field(1, label), text)
    expect(startButton()).toHaveProperty('disabled', true)
    expect(screen.getByRole('button', { name: 'Preview plan' })).toHaveProperty('disabled', true)
    expect(screen.getByRole('button', { name: 'Copy as command line' })).toHaveProperty('disabled', true)
    expect(startHint()).toBe(sentence)
    expect(within(card(1)).getByRole('status').textContent).toBe(sentence)
    expect(within(card(1)).queryByRole('list', { name: 'Output 1 names' })).toBeNull()
    await user.click(startButton())
    expect(fake.api.start).not.toHaveBeenCalled()
  })

  it('names the output that has the problem when there are several', async () => {
    const { user } = await renderApp()
    await user.click(screen.getByRole('button', { name: 'Add output' }))
    await fill(user, field(2, 'Quality (1–100)'), '101')
    expect(startHint()).toBe('Output 2: quality must be at most 100.')
    expect(within(card(1)).queryByRole('status')).toBeNull()
    expect(within(card(2)).getByRole('status').textContent).toBe('Quality must be at most 100.')
    await fill(user, field(2, 'Quality (1–100)'), '100')
    expect(startButton()).toHaveProperty('disabled', false)
  })

  it('remembers a recipe of several outputs across restarts', async () => {
    const { user } = await renderApp()
    await fill(user, field(1, 'Size (px)'), '1920')
    await user.click(screen.getByRole('button', { name: 'Add output' }))
    await user.selectOptions(field(2, 'Format'), 'avif')
    await fill(user, field(2, 'Quality (1–100)'), '40')
    const stored = localStorage.getItem(STORAGE_KEY)!
    expect(JSON.parse(stored).recipe).toEqual({ outputs: [spec({ resize: { kind: 'long', size: 1920 } }), spec({ resize: { kind: 'long', size: 400 }, format: 'avif', quality: 40 })] })

    window.document.body.innerHTML = ''
    localStorage.setItem(STORAGE_KEY, stored)
    render(<App api={fakeApi().api} />)
    await screen.findByRole('button', { name: 'Start' })
    expect(summaryOfCards()).toEqual(['1920 same', '400 avif'])
    expect(field(2, 'Quality (1–100)')).toHaveProperty('value', '40')
  })
})

describe('the presets bar', () => {
  const bar = (): HTMLElement => screen.getByRole('group', { name: 'Presets' })
  const status = (): string | null => within(bar()).getByRole('status').textContent
  const choose = (user: User, name: string) => user.selectOptions(within(bar()).getByLabelText('Preset'), name)

  it('lists main’s presets, and applying one replaces the outputs', async () => {
    const { user, fake } = await renderApp()
    expect(fake.api.presets.list).toHaveBeenCalledTimes(1)
    const options = within(bar()).getAllByRole('option').map((option) => (option as HTMLOptionElement).value)
    expect(options).toEqual(['', ...BUILT_IN_ENTRIES.map((entry) => entry.name)])
    await user.click(screen.getByRole('button', { name: 'Add output' }))
    expect(cards()).toHaveLength(2)
    expect(within(bar()).getByRole('button', { name: 'Apply' })).toHaveProperty('disabled', true)

    await choose(user, 'email')
    await user.click(within(bar()).getByRole('button', { name: 'Apply' }))
    expect(status()).toBe('Applied "email".')
    expect(cards()).toHaveLength(1)
    expect(field(1, 'Size (px)')).toHaveProperty('value', '1280')
    expect(field(1, 'Format')).toHaveProperty('value', 'jpeg')
    expect(field(1, 'Quality (1–100)')).toHaveProperty('value', '75')
    expect(field(1, 'At most (bytes per file)')).toHaveProperty('value', '500000')
    expect(field(1, 'Metadata')).toHaveProperty('value', 'strip')

    await user.click(startButton())
    expect(fake.sent().recipe).toEqual({ outputs: BUILT_IN_PRESETS.email.outputs })
  })

  it('saves the current recipe under the name typed, through main', async () => {
    const { user, fake } = await renderApp()
    await fill(user, field(1, 'Size (px)'), '1920, 800')
    await user.selectOptions(field(1, 'Format'), 'webp')
    await fill(user, within(bar()).getByLabelText('Name'), 'my-web')
    await user.click(within(bar()).getByRole('button', { name: 'Save recipe as preset' }))
    expect(fake.api.presets.save).toHaveBeenCalledTimes(1)
    expect(fake.api.presets.save).toHaveBeenCalledWith('my-web', '', {
      outputs: [spec({ resize: { kind: 'long', size: 1920 }, folder: '1920', format: 'webp' }), spec({ resize: { kind: 'long', size: 800 }, folder: '800', format: 'webp' })]
    })
    expect(status()).toBe('Saved "my-web".')
    // Main's answer is the list now: the new preset is there, and chosen.
    expect(within(bar()).getByLabelText('Preset')).toHaveProperty('value', 'my-web')
    expect(within(bar()).getByRole('button', { name: 'Delete' })).toHaveProperty('disabled', false)
  })

  it('shows a refusal from main as text, without Electron’s wrapper', async () => {
    const { user, fake } = await renderApp()
    fake.api.presets.save.mockRejectedValueOnce(new Error("Error invoking remote method 'presets:save': Error: \"web\" is a built-in preset; save under another name"))
    await fill(user, within(bar()).getByLabelText('Name'), 'web')
    await user.click(within(bar()).getByRole('button', { name: 'Save recipe as preset' }))
    expect(fake.api.presets.save).toHaveBeenCalledTimes(1)
    expect(status()).toBe('"web" is a built-in preset; save under another name')
    expect(within(bar()).getByRole('status').className).toBe('field-error')
  })

  it('asks main nothing for a name it cannot take, or a recipe with a problem', async () => {
    const { user, fake } = await renderApp()
    await fill(user, within(bar()).getByLabelText('Name'), '.hidden')
    await user.click(within(bar()).getByRole('button', { name: 'Save recipe as preset' }))
    expect(status()).toMatch(/^a preset name uses letters, digits/)
    await fill(user, within(bar()).getByLabelText('Name'), 'mine')
    await fill(user, field(1, 'Size (px)'), '')
    await user.click(within(bar()).getByRole('button', { name: 'Save recipe as preset' }))
    expect(status()).toBe('Fix the outputs first: there is nothing valid to save.')
    expect(fake.api.presets.save).not.toHaveBeenCalled()
  })

  it('renames and deletes the user’s own presets, never the built-ins', async () => {
    const mine = userPreset('mine', { outputs: [spec({ resize: { kind: 'long', size: 640 } })] }, 'small ones')
    const fake = fakeApi({ presets: [...BUILT_IN_ENTRIES, mine] })
    const { user } = await renderApp(fake)
    await choose(user, 'web')
    expect(within(bar()).getByRole('button', { name: 'Delete' })).toHaveProperty('disabled', true)
    expect(within(bar()).getByRole('button', { name: 'Rename chosen' })).toHaveProperty('disabled', true)

    await choose(user, 'mine')
    await user.click(within(bar()).getByRole('button', { name: 'Apply' }))
    expect(field(1, 'Size (px)')).toHaveProperty('value', '640')
    // Applying a preset of one's own puts its name in the field, ready to save over it.
    expect(within(bar()).getByLabelText('Name')).toHaveProperty('value', 'mine')
    await fill(user, within(bar()).getByLabelText('Name'), 'small')
    await user.click(within(bar()).getByRole('button', { name: 'Rename chosen' }))
    expect(fake.api.presets.rename).toHaveBeenCalledWith('mine', 'small')
    expect(status()).toBe('Renamed "mine" to "small".')

    await user.click(within(bar()).getByRole('button', { name: 'Delete' }))
    expect(fake.api.presets.remove).toHaveBeenCalledWith('small')
    expect(status()).toBe('Deleted "small".')
    expect(within(bar()).queryByRole('option', { name: /^small/ })).toBeNull()
  })

  it('says why a preset file that cannot be used is not applied', async () => {
    const broken = { name: 'broken', description: '', from: '/config/presets/broken.json', builtIn: false, preset: null, problem: 'output 1: quality must be at most 100' }
    const { user } = await renderApp(fakeApi({ presets: [broken] }))
    await fill(user, field(1, 'Size (px)'), '1234')
    await choose(user, 'broken')
    await user.click(within(bar()).getByRole('button', { name: 'Apply' }))
    expect(status()).toBe('"broken" cannot be used: output 1: quality must be at most 100')
    expect(field(1, 'Size (px)')).toHaveProperty('value', '1234')
  })

  it('imports a preset file through main and chooses it', async () => {
    const imported = userPreset('from-ann', { outputs: [spec({ resize: { kind: 'width', size: 1200 } })] })
    const fake = fakeApi()
    fake.api.presets.import.mockResolvedValueOnce({ imported: 'from-ann', presets: [...BUILT_IN_ENTRIES, imported] })
    const { user } = await renderApp(fake)
    await user.click(within(bar()).getByRole('button', { name: 'Import…' }))
    expect(status()).toBe('Imported "from-ann": choose Apply to use it.')
    await user.click(within(bar()).getByRole('button', { name: 'Apply' }))
    expect(field(1, 'Resize')).toHaveProperty('value', 'width')
    expect(field(1, 'Size (px)')).toHaveProperty('value', '1200')
  })
})
