import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import exifr from 'exifr'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { decode, expectAddsUp, jsonEvents, lastSummary, listOutputs, outputsOf, runCli } from './harness'

/** The recipe flags of the built CLI, end to end: what a script can rely on. */
describe('imagescale recipes', () => {
  let folders: TempFolders
  let config: string
  beforeAll(async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'big.jpg', { width: 2400, height: 1600, format: 'jpeg' })
    await writeImage(folders.source, 'wide.png', { width: 1200, height: 400, format: 'png' })
    // A photo that says where it was taken, and who took it.
    await sharp(await sharp(join(folders.source, 'big.jpg')).toBuffer())
      .withExif({
        IFD0: { Copyright: 'Jane Doe', Make: 'Canon' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 12/1' }
      })
      .jpeg({ quality: 92 })
      .toFile(join(folders.source, 'located.jpg'))
    config = join(folders.root, 'config')
    await mkdir(join(config, 'presets'), { recursive: true })
  })
  afterAll(() => folders?.cleanup())

  const target = (name: string): string => join(folders.root, name)

  it('--sizes makes each size from every file into a folder named for it, and counts each output', async () => {
    const out = target('sizes')
    const run = await runCli(['--sizes', '1600,800,width:300', '--json', folders.source, out])
    expect(run.code, run.stderr).toBe(0)
    const summary = lastSummary(jsonEvents(run.stdout))
    expectAddsUp(summary)
    expect(summary.outputs).toBe(3)
    expect(summary.todo).toBe(9)
    expect(await decode(join(out, '1600/big.jpg'))).toMatchObject({ width: 1600, height: 1067 })
    expect(await decode(join(out, '800/big.jpg'))).toMatchObject({ width: 800, height: 533 })
    expect(await decode(join(out, 'width-300/big.jpg'))).toMatchObject({ width: 300, height: 200 })
    // wide.png already fits 1600: copied there, as it is; smaller elsewhere.
    expect(await decode(join(out, '1600/wide.png'))).toMatchObject({ width: 1200, height: 400 })
    expect(await decode(join(out, '800/wide.png'))).toMatchObject({ width: 800, height: 267 })
  })

  it('--format webp --quality converts every file, names it .webp, and the quality shows in the bytes', async () => {
    const low = target('webp-30')
    const high = target('webp-90')
    for (const [out, quality] of [
      [low, '30'],
      [high, '90']
    ] as const) {
      const run = await runCli(['-s', '1200', '--format', 'webp', '--quality', quality, folders.source, out])
      expect(run.code, run.stderr).toBe(0)
    }
    expect(await listOutputs(low)).toEqual(['big.webp', 'located.webp', 'wide.webp'])
    expect(await decode(join(low, 'big.webp'))).toMatchObject({ format: 'webp', width: 1200, height: 800 })
    // The 1200×400 PNG fits, but a WebP was asked for: re-encoded, not copied.
    expect(await decode(join(low, 'wide.webp'))).toMatchObject({ format: 'webp', width: 1200, height: 400 })
    expect((await stat(join(low, 'big.webp'))).size).toBeLessThan((await stat(join(high, 'big.webp'))).size * 0.7)
  })

  it('--max-bytes keeps every output within the budget and says which quality it chose', async () => {
    const out = target('budget')
    const run = await runCli(['-s', '2000', '--format', 'jpeg', '--max-bytes', '60k', '--json', folders.source, out])
    expect(run.code, run.stderr).toBe(0)
    const made = outputsOf(jsonEvents(run.stdout))
    expect(made).toHaveLength(3)
    for (const output of made) {
      expect(output.outcome, output.path).toMatch(/copied|scaled/)
      expect((await stat(join(out, output.path))).size, output.path).toBeLessThanOrEqual(60_000)
    }
    const big = made.find((output) => output.file === 'big.jpg')!
    expect(big.outcome === 'scaled' && big.note, JSON.stringify(big)).toMatch(/quality \d+ to fit 60\.0 KB/)
  })

  it('--max-bytes that cannot be met skips the output with a reason, and writes nothing for it', async () => {
    // 8 KB of kept XMP (captions, keywords, history) cannot fit in 2 KB at any picture size.
    const source = join(folders.root, 'heavy')
    await mkdir(source)
    const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:source="${'history '.repeat(1000)}"/></rdf:RDF></x:xmpmeta>`
    await sharp(join(folders.source, 'big.jpg')).withXmp(xmp).toFile(join(source, 'heavy.jpg'))
    const out = target('budget-impossible')
    const run = await runCli(['-s', '800', '--max-bytes', '2048', '--json', source, out])
    expect(run.code, run.stderr).toBe(0)
    const [heavy] = outputsOf(jsonEvents(run.stdout))
    expect(heavy).toMatchObject({ outcome: 'skipped', reason: 'over-budget' })
    expect(heavy?.outcome === 'skipped' && heavy.message).toMatch(/cannot fit 2\.0 KB/)
    expect(await listOutputs(out)).toEqual([])
  })

  it('--metadata strip-gps removes where the photo was taken and keeps the rest', async () => {
    const keep = target('meta-keep')
    const noGps = target('meta-strip-gps')
    const none = target('meta-strip')
    expect((await runCli(['-s', '600', folders.source, keep])).code).toBe(0)
    expect((await runCli(['-s', '600', '--metadata', 'strip-gps', folders.source, noGps])).code).toBe(0)
    expect((await runCli(['-s', '600', '--metadata', 'strip', folders.source, none])).code).toBe(0)
    expect(await exifr.gps(join(keep, 'located.jpg'))).toMatchObject({ latitude: 51.5 })
    expect(await exifr.gps(join(noGps, 'located.jpg'))).toBeUndefined()
    expect(await exifr.parse(join(noGps, 'located.jpg'))).toMatchObject({ Copyright: 'Jane Doe', Make: 'Canon' })
    expect(await exifr.parse(join(none, 'located.jpg')).then((tags: Record<string, unknown> | undefined) => tags?.Copyright)).toBeUndefined()
  })

  it('--name with {format} and {width}, and --keep-dates, shape each output', async () => {
    const out = target('named')
    const run = await runCli(['-s', '500', '--format', 'avif', '--name', '{name}-{width}.{format}', '--keep-dates', folders.source, out])
    expect(run.code, run.stderr).toBe(0)
    expect(await listOutputs(out)).toEqual(['big-500.avif', 'located-500.avif', 'wide-500.avif'])
    const source = await stat(join(folders.source, 'big.jpg'))
    expect(Math.abs((await stat(join(out, 'big-500.avif'))).mtimeMs - source.mtimeMs)).toBeLessThan(1)
  })

  it('--existing rename keeps what is there and writes "name (1).ext" beside it', async () => {
    const out = target('rename')
    await mkdir(out)
    await writeFile(join(out, 'big.jpg'), 'a file of my own')
    const run = await runCli(['-s', '300', '--existing', 'rename', folders.source, out])
    expect(run.code, run.stderr).toBe(0)
    expect(await listOutputs(out)).toEqual(['big (1).jpg', 'big.jpg', 'located.jpg', 'wide.png'])
    expect(run.stdout).toContain('scaled big.jpg 2400×1600 → 300×200 as big (1).jpg (big.jpg was already there)')
  })

  it('a changed recipe re-makes what an earlier run made with other settings', async () => {
    const out = target('resume')
    expect((await runCli(['-s', '300', '--quality', '50', folders.source, out])).code).toBe(0)
    const again = await runCli(['-s', '300', '--quality', '85', '--json', folders.source, out])
    const summary = lastSummary(jsonEvents(again.stdout))
    // big and located are re-encoded at the new quality; wide.png has no quality, yet its recipe changed too.
    expect(summary.remade).toBe(3)
    const same = lastSummary(jsonEvents((await runCli(['-s', '300', '--quality', '85', '--json', folders.source, out])).stdout))
    expect(same.skippedBy['already-done']).toBe(3)
  })

  it('--preset web is the web recipe, a flag given with it changes it, and presets lists the built-ins and yours', async () => {
    const out = target('preset-web')
    const run = await runCli(['--preset', 'web', '-s', '1000', folders.source, out])
    expect(run.code, run.stderr).toBe(0)
    expect(await listOutputs(out)).toEqual(['big.jpg', 'located.jpg', 'wide.jpg'])
    expect(await decode(join(out, 'big.jpg'))).toMatchObject({ width: 1000, format: 'jpeg' })
    expect(await exifr.gps(join(out, 'located.jpg'))).toBeUndefined()
    expect((await sharp(join(out, 'big.jpg')).metadata()).isProgressive).toBe(true)

    await writeFile(join(config, 'presets', 'tiny.json'), JSON.stringify({ description: 'tiny WebP', outputs: [{ resize: { kind: 'long', size: 64 }, format: 'webp' }] }))
    const env = { IMAGESCALE_CONFIG_DIR: config }
    const listed = await runCli(['presets'], env)
    expect(listed.code).toBe(0)
    for (const name of ['web', 'email', 'social', 'archive-preview', 'thumbs', 'tiny']) expect(listed.stdout).toMatch(new RegExp(`^${name} `, 'm'))
    const own = target('preset-own')
    expect((await runCli(['--preset', 'tiny', folders.source, own], env)).code).toBe(0)
    expect(await decode(join(own, 'big.webp'))).toMatchObject({ width: 64, format: 'webp' })
  })

  it('a FIFO given as a preset is refused at once, not read for ever', async () => {
    const fifo = join(folders.root, 'preset.fifo')
    execFileSync('mkfifo', [fifo])
    const run = await runCli(['--preset', fifo, folders.source, target('never')])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`cannot read the preset ${fifo}: it is not a regular file`)
  })

  it.each([
    [['--format', 'bmp'], /--format must be one of same, jpeg, webp, avif, png, tiff, not "bmp"/],
    [['--quality', '0'], /--quality must be a positive whole number/],
    [['--max-bytes', 'lots'], /--max-bytes must be a size such as 300k/],
    [['--metadata', 'none'], /--metadata must be one of keep, strip-gps, strip/],
    [['--sizes', '800,800'], /--sizes lists 800 twice/],
    [['-s', '800', '--sizes', '400,200'], /choose one of --size and --sizes/],
    [['--name', '{nam}.{ext}'], /--name: a name template may only use/],
    [['--preset', 'nope'], /there is no preset "nope"/]
  ])('%j is bad usage, exit 2, with a sentence', async (flags, message) => {
    const run = await runCli([...flags, folders.source, target('never')])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(existsSync(target('never'))).toBe(false)
  })

  it('--dry-run of several sizes and a format predicts exactly the outputs the run then makes', async () => {
    const out = target('dry-sizes')
    const flags = ['--sizes', '1000,200', '--format', 'webp', '--json', folders.source, out]
    const dry = await runCli(['--dry-run', ...flags])
    expect(existsSync(out)).toBe(false)
    const planned = jsonEvents(dry.stdout).flatMap((event) => (event.type === 'planned' ? event.plan.outputs.map((output) => output.path) : []))
    const real = await runCli(flags)
    expect(real.code, real.stderr).toBe(0)
    expect(await listOutputs(out)).toEqual(planned.sort())
    expect(lastSummary(jsonEvents(real.stdout)).counts).toEqual(lastSummary(jsonEvents(dry.stdout)).counts)
  })
})
