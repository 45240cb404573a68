import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { USAGE, parseCommand } from '../../src/cli/args'
import { defaultRequest, defaultWorkers } from '../../src/core/request'
import {
  CLI_RUN_DEFAULTS,
  RUN_FLAGS,
  SETTING_FLAGS,
  commandLineOf,
  commandLineProblem,
  quoteForShell,
  type CommandLine,
  type CommandLineOptions
} from '../../src/shared/command-line'
import { folderForRule } from '../../src/shared/names'
import { presetSchema } from '../../src/shared/presets'
import { OUTPUT_DEFAULTS, batchRequestSchema, type BatchRequest, type OutputSpec, type ResizeRule } from '../../src/shared/recipe'

/**
 * "Copy as command line" is only right if the CLI reads back the very request it was made from:
 * each command is split into words by real shells, exactly as pasted, and given to parseCommand.
 */

// zsh and bash read a pasted line differently from sh in places (`=word`, `{a,b}`, `!`): each one here must agree.
const SHELLS = ['/bin/sh', '/bin/bash', '/bin/zsh', '/usr/bin/zsh'].filter((shell) => existsSync(shell))

/**
 * The arguments a shell gives `imagescale` from a command line: here a function that prints them
 * NUL-separated (no path can hold NUL); a line that does not call it prints nothing.
 */
function shellArgs(shell: string, command: string): string[] {
  const printed = execFileSync(shell, ['-c', `imagescale() { printf '%s\\0' "$@"; }\n${command}`], { encoding: 'utf8' })
  return printed.split('\0').slice(0, -1)
}

// A worker count the CLI would not pick by itself here, so that it has to be said.
const WORKERS = defaultWorkers() === 3 ? 5 : 3

let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "imagescale command 'line' $x-"))
})
afterAll(() => rm(scratch, { recursive: true, force: true }))

const request = (overrides: Partial<BatchRequest> = {}, outputs?: Partial<OutputSpec>[]): BatchRequest =>
  batchRequestSchema.parse({
    ...defaultRequest('/photos', '/out'),
    ...(outputs && { recipe: { outputs: outputs.map((output) => ({ ...OUTPUT_DEFAULTS, ...output })) } }),
    ...overrides
  })

/** Saves the preset where the command says (relative names from `cwd`), then reads the command back in every shell. */
async function readBack(line: CommandLine, cwd = scratch): Promise<BatchRequest[]> {
  if (line.preset) {
    const path = resolve(cwd, line.preset.fileName)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, line.preset.json)
  }
  const here = process.cwd()
  process.chdir(cwd)
  try {
    const requests: BatchRequest[] = []
    for (const shell of SHELLS) {
      const argv = shellArgs(shell, line.command)
      const command = await parseCommand(argv)
      if (command.kind !== 'run') throw new Error(`${line.command} is not a run`)
      expect(command.json).toBe(false)
      expect(command.demo).toBe(false)
      requests.push(command.request)
    }
    return requests
  } finally {
    process.chdir(here)
  }
}

async function expectRoundTrip(original: BatchRequest, options: CommandLineOptions = { defaultWorkers: defaultWorkers() }): Promise<CommandLine> {
  const line = commandLineOf(original, options)
  for (const parsed of await readBack(line)) expect(parsed, line.command).toEqual(original)
  return line
}

describe('commandLineOf', () => {
  it('says the book job as the folders alone, and the worker count when the CLI default is not known', async () => {
    const book = request()
    expect((await expectRoundTrip(book)).command).toBe('imagescale /photos /out')
    const line = await expectRoundTrip(book, {})
    expect(line).toEqual({ command: `imagescale -c ${book.workers} /photos /out`, preset: null })
  })

  it('writes only what differs, in a fixed order', async () => {
    const line = await expectRoundTrip(request({ workers: WORKERS }, [{ resize: { kind: 'long', size: 1920 }, format: 'webp', quality: 80 }]))
    expect(line.command).toBe(`imagescale --resize long:1920 --format webp --quality 80 -c ${WORKERS} /photos /out`)
    const all = await expectRoundTrip(
      request({ workers: WORKERS, recursive: false, existing: 'rename', keepDates: true, maxPixels: 1000, dryRun: true }, [
        {
          resize: { kind: 'box', width: 1080, height: 1350 },
          mode: 'stride',
          name: '{name}-{width}.{ext}',
          format: 'jpeg',
          quality: 70,
          maxBytes: 300_000,
          metadata: 'strip',
          keepCopyright: true,
          srgb: true,
          sharpen: true,
          progressive: true,
          chroma: '4:4:4',
          lossless: true,
          effort: 7,
          background: '#102030'
        }
      ])
    )
    expect(all.command).toBe(
      "imagescale --resize box:1080x1350 --stride --name '{name}-{width}.{ext}' --format jpeg --quality 70 --max-bytes 300k --metadata strip" +
        " --keep-copyright --srgb --sharpen --progressive --chroma 4:4:4 --lossless --effort 7 --background '#102030'" +
        ` -c ${WORKERS} --flat --existing rename --keep-dates --max-pixels 1000 --dry-run /photos /out`
    )
  })

  const rules: ResizeRule[] = [
    { kind: 'long', size: 1 },
    { kind: 'long', size: 65_535 },
    { kind: 'short', size: 800 },
    { kind: 'width', size: 1200 },
    { kind: 'height', size: 600 },
    { kind: 'box', width: 1080, height: 1350 },
    { kind: 'percent', percent: 50 },
    { kind: 'percent', percent: 0.01 },
    { kind: 'percent', percent: 100 / 3 }
  ]
  it.each(rules)('says one output resized to %o', async (resize) => {
    await expectRoundTrip(request({}, [{ resize }]))
  })

  const settings: Partial<OutputSpec>[] = [
    { mode: 'stride' },
    ...(['jpeg', 'webp', 'avif', 'png', 'tiff'] as const).map((format) => ({ format })),
    { quality: 1 },
    { quality: 100 },
    // A quality equal to the format's default is still asked for, unlike none.
    { format: 'jpeg', quality: 90 },
    { maxBytes: 2048 },
    { maxBytes: 500_000 },
    { maxBytes: 2_000_000 },
    { maxBytes: 1_500_000 },
    { maxBytes: 250_001 },
    { maxBytes: 1024 ** 3 },
    { metadata: 'strip-gps' },
    { metadata: 'strip', keepCopyright: true },
    { srgb: true },
    { sharpen: true },
    { progressive: true },
    { chroma: '4:4:4' },
    { lossless: true },
    { effort: 0 },
    { effort: 9 },
    { background: '#000000' },
    { background: '#AbCdEf' },
    { name: '{dir}/{name}-{width}x{height}.{format}' },
    { name: '-{name}.{ext}' },
    { name: "it's {name} $HOME `id` \"x\".{ext}" },
    { name: 'été/{name} 🎉.{ext}' }
  ]
  it.each(settings)('says the setting %o', async (setting) => {
    await expectRoundTrip(request({}, [setting]))
    await expectRoundTrip(request({}, [{ resize: { kind: 'width', size: 640 }, ...setting }]))
  })

  it.each([
    { workers: 1 },
    { workers: 64 },
    { recursive: false },
    { existing: 'skip' as const },
    { existing: 'overwrite' as const },
    { existing: 'rename' as const },
    { keepDates: true },
    { maxPixels: 1 },
    { maxPixels: 10 ** 15 - 1 },
    { dryRun: true },
    { order: 'largest' as const }
  ])('says the run setting %o', async (run) => {
    await expectRoundTrip(request(run))
    await expectRoundTrip(request(run), {})
  })

  describe('--sizes', () => {
    const sized = (resizes: ResizeRule[], setting: Partial<OutputSpec> = {}, inTarget = false): Partial<OutputSpec>[] =>
      resizes.map((resize) => ({ ...setting, resize, folder: inTarget ? '' : folderForRule(resize) }))

    it.each([
      [[3840, 1920, 800].map((size): ResizeRule => ({ kind: 'long', size }))],
      [
        [
          { kind: 'width', size: 1200 },
          { kind: 'width', size: 600 }
        ] satisfies ResizeRule[]
      ],
      [rules.slice(1)]
    ])('says outputs that differ only in the rule, each in its folder: %j', async (resizes) => {
      const line = await expectRoundTrip(request({ workers: WORKERS }, sized(resizes, { format: 'webp', srgb: true })))
      expect(line.preset).toBeNull()
    })

    it('names width:1200,width:600 as --sizes does', async () => {
      const resizes: ResizeRule[] = [
        { kind: 'width', size: 1200 },
        { kind: 'width', size: 600 }
      ]
      const line = await expectRoundTrip(request({}, sized(resizes)))
      expect(line.command).toBe('imagescale --sizes width:1200,width:600 /photos /out')
    })

    it('says sizes kept in the target by a name template, even the default one', async () => {
      const resizes: ResizeRule[] = [
        { kind: 'long', size: 1920 },
        { kind: 'long', size: 800 }
      ]
      expect((await expectRoundTrip(request({}, sized(resizes, { name: '{name}-{size}.{ext}' }, true)))).preset).toBeNull()
      const line = await expectRoundTrip(request({}, sized(resizes, {}, true)))
      expect(line.command).toBe("imagescale --sizes long:1920,long:800 --name '{dir}/{name}.{ext}' /photos /out")
    })

    it('says one output in the folder --sizes would give it', async () => {
      expect((await expectRoundTrip(request({}, sized([{ kind: 'long', size: 1920 }])))).command).toBe('imagescale --sizes long:1920 /photos /out')
    })
  })

  describe('a recipe the flags cannot say', () => {
    const twoFormats: Partial<OutputSpec>[] = [
      { resize: { kind: 'long', size: 2048 }, format: 'jpeg', quality: 82, folder: 'large' },
      { resize: { kind: 'long', size: 400 }, format: 'webp', mode: 'stride', folder: 'thumbs/small' }
    ]
    const cases: [string, Partial<OutputSpec>[]][] = [
      ['outputs in different formats', twoFormats],
      ['one output in a sub-folder', [{ folder: 'web' }]],
      ['one output in a folder other than its --sizes one', [{ resize: { kind: 'long', size: 1920 }, folder: '800' }]],
      [
        'sizes in their folders with their own names',
        [
          { resize: { kind: 'long', size: 1920 }, folder: '1920', name: '{name}-big.{ext}' },
          { resize: { kind: 'long', size: 800 }, folder: '800', name: '{name}-big.{ext}' }
        ]
      ],
      [
        'one rule twice',
        [
          { resize: { kind: 'long', size: 800 }, format: 'jpeg' },
          { resize: { kind: 'long', size: 800 }, format: 'webp', name: '{name}.webp.{ext}' }
        ]
      ],
      [
        'some sizes in the target, some not',
        [
          { resize: { kind: 'long', size: 1920 }, folder: '' },
          { resize: { kind: 'long', size: 800 }, folder: '800' }
        ]
      ],
      ['eight outputs', Array.from({ length: 8 }, (_, i) => ({ resize: { kind: 'long', size: 100 * (i + 1) }, quality: 50 + i, folder: `q${i}` }))],
      [
        'eight outputs too long to list in the description',
        Array.from({ length: 8 }, (_, i) => ({ resize: { kind: 'percent', percent: (i + 1) / 30 }, format: 'avif', folder: `p${i}` }))
      ]
    ]
    it.each(cases)('saves %s as a preset beside the command', async (_, outputs) => {
      const original = request({ workers: WORKERS, dryRun: true }, outputs)
      const line = await expectRoundTrip(original)
      expect(line.preset?.fileName).toBe('recipe.json')
      expect(line.command).toBe(`imagescale --preset recipe.json -c ${WORKERS} --dry-run /photos /out`)
      const saved: unknown = JSON.parse(line.preset!.json)
      expect(presetSchema.parse(saved).outputs).toEqual(original.recipe.outputs)
    })

    it('writes every setting into the preset, as the app saves presets', () => {
      const line = commandLineOf(request({}, twoFormats))
      expect(JSON.parse(line.preset!.json)).toEqual({
        description: 'copied from ImageScale: long:2048, long:400',
        outputs: twoFormats.map((output) => ({ ...OUTPUT_DEFAULTS, ...output }))
      })
    })

    it.each(['presets dir/it\'s "mine" $HOME.json', '-odd.json', 'no-extension'])('points --preset at where the caller saves it: %s', async (name) => {
      const line = await expectRoundTrip(request({}, twoFormats), { defaultWorkers: defaultWorkers(), presetPath: join(scratch, name) })
      expect(line.preset?.fileName).toBe(join(scratch, name))
      const relative = await expectRoundTrip(request({}, twoFormats), { defaultWorkers: defaultWorkers(), presetPath: name })
      // A bare name would be looked up as a built-in or the user's own preset.
      expect(relative.preset?.fileName).toBe(name.includes('/') || name.endsWith('.json') ? name : `./${name}`)
    })
  })

  describe('folders', () => {
    const odd = [
      '/photos/summer holiday',
      "/photos/it's here",
      '/photos/"quoted" and \'single\'',
      '/photos/$HOME and ${HOME} and $(id) and `id`',
      '/photos/line\nbreak\tand tab',
      '/photos/back\\slash',
      '/photos/Été/日本語/🎉 ñ',
      '~/photos',
      '#not a comment',
      '=zsh',
      '*?[ab]{c,d}!x^y&|;<>()',
      'relative/folder',
      "'",
      ' leading and trailing '
    ]
    it.each(odd)('quotes %j only as much as it needs', async (path) => {
      await expectRoundTrip(request({ source: path, target: `${path}/out` }))
    })

    it.each([
      ['-photos', '/out'],
      ['/photos', '-out'],
      ['--', '-'],
      ['--flat', '--dry-run'],
      ['-h', '--preset'],
      // Words that look like an option and a negative number: after --, folders even so.
      ['-c', '-1'],
      ['-s', '-400']
    ])('puts -- before folders that start with a dash: %s %s', async (source, target) => {
      const line = await expectRoundTrip(request({ source, target, recursive: false }))
      expect(line.command).toContain(' --flat -- ')
    })

    it('leaves plain words bare', () => {
      for (const word of ['/photos/2024-06_a@b%c+d:e,f.jpg', '-c', 'long:1920', '4:4:4']) expect(quoteForShell(word)).toBe(word)
      expect(quoteForShell("it's")).toBe("'it'\\''s'")
      expect(quoteForShell('')).toBe("''")
    })

    it('survives any mix of awkward characters', async () => {
      // A fixed seed: the same paths every run, so a failure can be reproduced.
      let seed = 42
      const random = (below: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
        return seed % below
      }
      const alphabet = [..."ab -_'\"$`\\!*?[]{}()<>|&;#~=%^\n\t,.:/@é日🎉"]
      const word = (): string => Array.from({ length: 1 + random(12) }, () => alphabet[random(alphabet.length)]).join('')
      for (let i = 0; i < 40; i += 1) await expectRoundTrip(request({ source: word(), target: word() }, [{ name: `${word().replaceAll(/[{}/.]/g, '')}{name}.{ext}` }]))
    })
  })

  describe('what it knows of the CLI', () => {
    it('uses flags the CLI has', () => {
      for (const flag of [...SETTING_FLAGS, '--resize', '--sizes', '--stride', '--preset']) {
        expect(USAGE).toMatch(new RegExp(`(^|[ ,])${flag}[ ,\\n]`))
      }
    })

    it('uses the run flags the CLI has', () => {
      for (const flag of Object.values(RUN_FLAGS)) if (flag !== null) expect(USAGE).toMatch(new RegExp(`(^|[ ,])${flag}[ ,\\n]`))
    })

    it('refuses files picked one by one, which the CLI cannot take', () => {
      const picked = request({ files: ['a.jpg', 'b.png'], recursive: false })
      expect(commandLineProblem(picked)).toMatch(/picked one by one/)
      expect(() => commandLineOf(picked)).toThrow(/picked one by one/)
      expect(commandLineProblem(request())).toBeNull()
    })

    it('says the largest pixel limit the schema allows, and the CLI reads it back', async () => {
      const largest = request({ maxPixels: Number.MAX_SAFE_INTEGER })
      expect(commandLineProblem(largest)).toBeNull()
      await expectRoundTrip(largest)
    })

    it('assumes the CLI defaults of a run', () => {
      const given = new Set(['source', 'target', 'recipe', 'workers'])
      const run = Object.fromEntries(Object.entries(defaultRequest('/a', '/b')).filter(([field]) => !given.has(field)))
      expect(CLI_RUN_DEFAULTS).toEqual(run)
    })
  })
})
