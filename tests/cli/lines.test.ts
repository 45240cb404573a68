import { copyFile, readFile, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { decode, isFolder, jsonEvents, lastSummary, listFiles, listOutputs, resultsByFile, runCli, unitsByFile, type Finished } from './harness'

/** Output for logs and pipes (stdout is not a terminal), and the book's options end to end. */

let folders: TempFolders
beforeEach(async () => {
  folders = await tempFolders()
})
afterEach(() => folders.cleanup())

const stdoutLines = (run: Finished): string[] => run.stdout.split('\n').filter((line) => line !== '')

/** Everything after the per-file lines: the closing line, then indented details. */
function closing(run: Finished): { line: string; details: string[] } {
  const lines = stdoutLines(run)
  const at = lines.findIndex((line) => line.startsWith('copied ') && line.includes(' using '))
  expect(at, `no closing line in:\n${run.stdout}`).toBeGreaterThanOrEqual(0)
  return { line: lines[at]!, details: lines.slice(at + 1) }
}

describe('line output when stdout is not a terminal', () => {
  it('prints one line per file, then the book’s closing line and the skip reasons', async () => {
    await writeImage(folders.source, 'a.jpg', { width: 1200, height: 900 })
    await writeImage(folders.source, 'pics/b.png', { width: 900, height: 1200, format: 'png', seed: 2 })
    await writeImage(folders.source, 'c.jpg', { width: 300, height: 200, seed: 3 })
    await writeFile(join(folders.source, 'readme.txt'), 'not a picture\n')
    await writeFile(join(folders.source, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n')

    const run = await runCli(['-c', '2', folders.source, folders.target])

    expect(run.code).toBe(0)
    const perFile = stdoutLines(run).slice(0, 5).sort()
    expect(perFile).toEqual([
      'copied c.jpg 300×200',
      'scaled a.jpg 1200×900 → 400×300',
      'scaled pics/b.png 900×1200 → 300×400',
      'skipped logo.svg: SVG images are not supported',
      'skipped readme.txt: not an image'
    ])
    const { line, details } = closing(run)
    expect(line).toBe('copied 1 scaled 2 skipped 2 using 2 worker threads')
    expect(details.slice(0, 2).sort()).toEqual(['  skipped 1: not an image', '  skipped 1: unsupported format'])
    expect(stdoutLines(run)).toHaveLength(5 + 1 + 3)
    expect(run.stderr).toBe('')
  })

  it('leaves the skipped part out of the closing line when nothing was skipped', async () => {
    await writeImage(folders.source, 'a.jpg', { width: 1200, height: 900 })
    await writeImage(folders.source, 'b.jpg', { width: 200, height: 100, seed: 2 })

    const run = await runCli(['-c', '2', folders.source, folders.target])

    expect(run.code).toBe(0)
    const { line, details } = closing(run)
    expect(line).toBe('copied 1 scaled 1 using 2 worker threads')
    expect(run.stdout).not.toMatch(/skipped/)
    expect(details.every((detail) => detail.startsWith('  '))).toBe(true)
  })
})

describe('many broken files at once', () => {
  const COUNT = 40

  /** Camera cards that were pulled too early: JPEGs cut off at a third, decoded two at a time. */
  async function writeTruncatedCopies(): Promise<void> {
    const original = await writeImage(folders.root, 'original.jpg', { width: 1600, height: 1200 })
    await truncate(original, Math.floor((await stat(original)).size / 3))
    for (let i = 0; i < COUNT; i += 1) await copyFile(original, join(folders.source, `cut-${i}.jpg`))
  }

  it('still prints exactly one line per file, whatever libvips says', async () => {
    await writeTruncatedCopies()
    const run = await runCli(['-c', '2', folders.source, folders.target])

    const lines = stdoutLines(run)
    const perFile = lines.slice(0, lines.findIndex((line) => line.includes(' using ')))
    expect(perFile).toHaveLength(COUNT)
    for (const line of perFile) expect(line).toMatch(/^(skipped|scaled) cut-\d+\.jpg[: ]/)
  })

  it('skips every truncated image as corrupt and writes none of them', async () => {
    await writeTruncatedCopies()
    const run = await runCli(['--json', '-c', '2', folders.source, folders.target])

    expect(run.code).toBe(0)
    const events = jsonEvents(run.stdout)
    const units = [...unitsByFile(events).values()]
    expect(units).toHaveLength(COUNT)
    const notSkipped = units.filter((unit) => unit.outcome !== 'skipped' || unit.reason !== 'corrupt')
    expect(notSkipped.map((unit) => `${unit.file}: ${unit.outcome} ${unit.reason ?? ''} ${unit.message ?? ''}`)).toEqual([])
    expect(lastSummary(events)).toMatchObject({ todo: COUNT, counts: { skipped: COUNT, copied: 0, scaled: 0, failed: 0 }, skippedBy: { corrupt: COUNT }, warnings: 0 })
    // Nothing was made, so there is not even a journal.
    expect(await listFiles(folders.target)).toEqual([])
  })
})

describe('options', () => {
  it('-s and --size set the box; the default box is 400', async () => {
    await writeImage(folders.source, 'a.jpg', { width: 1200, height: 900 })
    const [short, long, plain] = await Promise.all([
      runCli(['-s', '600', '-c', '1', folders.source, join(folders.root, 'short')]),
      runCli(['--size', '150', '-c', '1', folders.source, join(folders.root, 'long')]),
      runCli(['-c', '1', folders.source, join(folders.root, 'plain')])
    ])

    expect(short.stdout).toContain('scaled a.jpg 1200×900 → 600×450\n')
    expect(long.stdout).toContain('scaled a.jpg 1200×900 → 150×113\n')
    expect(plain.stdout).toContain('scaled a.jpg 1200×900 → 400×300\n')
    expect(await decode(join(folders.root, 'short/a.jpg'))).toMatchObject({ width: 600, height: 450 })
    expect(await decode(join(folders.root, 'long/a.jpg'))).toMatchObject({ width: 150, height: 113 })
    expect(await decode(join(folders.root, 'plain/a.jpg'))).toMatchObject({ width: 400, height: 300 })
  })

  it('--stride gives the book’s stride dimensions; -S and --smooth give the proportional ones', async () => {
    // stride = ceil(max(1000/300, 700/300)) = 4, so 250×175; smooth fits 300×210.
    await writeImage(folders.source, 'a.jpg', { width: 1000, height: 700 })
    // A panorama: stride = ceil(max(5000/300, 40/300)) = 17, so ceil(5000/17)×ceil(40/17) = 295×3.
    await writeImage(folders.source, 'wide.png', { width: 5000, height: 40, format: 'png', seed: 2 })
    const [stride, smoothShort, smoothLong] = await Promise.all([
      runCli(['--stride', '-s', '300', folders.source, join(folders.root, 'stride')]),
      runCli(['-S', '-s', '300', folders.source, join(folders.root, 'S')]),
      runCli(['--smooth', '-s', '300', folders.source, join(folders.root, 'smooth')])
    ])

    expect([stride.code, smoothShort.code, smoothLong.code]).toEqual([0, 0, 0])
    expect(stride.stdout).toContain('scaled a.jpg 1000×700 → 250×175\n')
    expect(stride.stdout).toContain('scaled wide.png 5000×40 → 295×3\n')
    expect(await decode(join(folders.root, 'stride/a.jpg'))).toMatchObject({ width: 250, height: 175 })
    expect(await decode(join(folders.root, 'stride/wide.png'))).toMatchObject({ width: 295, height: 3 })
    for (const run of [smoothShort, smoothLong]) expect(run.stdout).toContain('scaled a.jpg 1000×700 → 300×210\n')
    for (const folder of ['S', 'smooth']) {
      expect(await decode(join(folders.root, folder, 'a.jpg'))).toMatchObject({ width: 300, height: 210 })
      expect(await decode(join(folders.root, folder, 'wide.png'))).toMatchObject({ width: 300, height: 2 })
    }
  })

  it('-c and --concurrency set the worker threads the closing line reports', async () => {
    for (let i = 0; i < 4; i += 1) await writeImage(folders.source, `${i}.jpg`, { width: 800, height: 600, seed: i + 1 })
    const [three, one, json] = await Promise.all([
      runCli(['-c', '3', folders.source, join(folders.root, 'three')]),
      runCli(['--concurrency', '1', folders.source, join(folders.root, 'one')]),
      runCli(['--json', '-c', '3', folders.source, join(folders.root, 'json')])
    ])

    expect(closing(three).line).toBe('copied 0 scaled 4 using 3 worker threads')
    expect(closing(one).line).toBe('copied 0 scaled 4 using 1 worker thread')
    const events = jsonEvents(json.stdout)
    expect(lastSummary(events).workers).toBe(3)
    const workers = new Set(events.flatMap((event) => (event.type === 'started' ? [event.worker] : [])))
    expect([...workers].every((worker) => worker >= 1 && worker <= 3)).toBe(true)
  })

  it('walks sub-folders and mirrors them by default; --flat takes only the top level', async () => {
    await writeImage(folders.source, 'top.jpg', { width: 800, height: 600 })
    await writeImage(folders.source, 'trip/day1/deep.jpg', { width: 800, height: 600, seed: 2 })
    const [deep, flat] = await Promise.all([
      runCli([folders.source, join(folders.root, 'deep')]),
      runCli(['--flat', folders.source, join(folders.root, 'flat')])
    ])

    expect(await listOutputs(join(folders.root, 'deep'))).toEqual(['top.jpg', 'trip/day1/deep.jpg'])
    expect(closing(deep).line).toMatch(/^copied 0 scaled 2 using \d+ worker threads?$/)
    expect(await listOutputs(join(folders.root, 'flat'))).toEqual(['top.jpg'])
    expect(await isFolder(join(folders.root, 'flat/trip'))).toBe(false)
    expect(closing(flat).line).toMatch(/^copied 0 scaled 1 using \d+ worker threads?$/)
    expect(flat.stdout).not.toContain('deep.jpg')
  })

  it('a re-run skips what it made as already done, and re-makes an output whose source changed', async () => {
    await writeImage(folders.source, 'a.jpg', { width: 1200, height: 900 })
    await writeImage(folders.source, 'b.jpg', { width: 300, height: 300, seed: 2 })
    expect((await runCli([folders.source, folders.target])).code).toBe(0)
    const madeB = await readFile(join(folders.target, 'b.jpg'))

    const again = await runCli([folders.source, folders.target])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('skipped a.jpg: made by an earlier run from this file with these settings\n')
    expect(closing(again).line).toMatch(/^copied 0 scaled 0 skipped 2 using \d+ worker threads?$/)
    expect(closing(again).details).toContain('  skipped 2: already done')

    // The photographer re-exports a.jpg at another shape: the old output is ours, and stale.
    await writeImage(folders.source, 'a.jpg', { width: 1600, height: 800, seed: 3 })
    const remade = await runCli(['--json', folders.source, folders.target])
    expect(remade.code).toBe(0)
    const events = jsonEvents(remade.stdout)
    expect(lastSummary(events)).toMatchObject({ counts: { copied: 0, scaled: 1, skipped: 1 }, skippedBy: { 'already-done': 1 }, remade: 1 })
    expect(resultsByFile(events).get('a.jpg')).toMatchObject({
      outcome: 'done',
      outputs: [{ outcome: 'scaled', path: 'a.jpg', size: { width: 400, height: 200 }, replaced: 'stale' }]
    })
    expect(await decode(join(folders.target, 'a.jpg'))).toMatchObject({ width: 400, height: 200 })
    expect((await readFile(join(folders.target, 'b.jpg'))).equals(madeB)).toBe(true)
    expect(await listOutputs(folders.target)).toEqual(['a.jpg', 'b.jpg'])
  })

  describe('a file already in the target that ImageScale did not make', () => {
    /** The user's own a.jpg, already where the output of source a.jpg would go. */
    async function foreignTarget(name: string): Promise<{ target: string; theirs: Buffer }> {
      await writeImage(folders.source, 'a.jpg', { width: 1200, height: 900 })
      await writeImage(folders.source, 'b.jpg', { width: 300, height: 300, seed: 2 })
      const target = join(folders.root, name)
      const path = await writeImage(target, 'a.jpg', { width: 640, height: 480, seed: 9 })
      return { target, theirs: await readFile(path) }
    }

    it('is kept by default, and the output it stands in the way of is skipped', async () => {
      const { target, theirs } = await foreignTarget('kept')
      const run = await runCli([folders.source, target])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('skipped a.jpg: a file of that name is already there, not made by ImageScale from this file; it is kept\n')
      expect(run.stdout).toContain('copied b.jpg 300×300\n')
      expect(closing(run).line).toMatch(/^copied 1 scaled 0 skipped 1 using \d+ worker threads?$/)
      expect(closing(run).details).toContain('  skipped 1: target exists')
      expect((await readFile(join(target, 'a.jpg'))).equals(theirs)).toBe(true)
      expect(await listOutputs(target)).toEqual(['a.jpg', 'b.jpg'])
    })

    it('is replaced with --overwrite, and with --existing overwrite', async () => {
      const { target } = await foreignTarget('overwritten')
      const other = join(folders.root, 'overwritten-2')
      await writeImage(other, 'a.jpg', { width: 640, height: 480, seed: 9 })
      const [short, long] = await Promise.all([
        runCli(['--overwrite', '--json', folders.source, target]),
        runCli(['--existing', 'overwrite', '--json', folders.source, other])
      ])
      for (const [run, folder] of [
        [short, target],
        [long, other]
      ] as const) {
        expect(run.code).toBe(0)
        const events = jsonEvents(run.stdout)
        expect(lastSummary(events)).toMatchObject({ counts: { copied: 1, scaled: 1, skipped: 0 }, remade: 0 })
        expect(resultsByFile(events).get('a.jpg')).toMatchObject({
          outcome: 'done',
          outputs: [{ outcome: 'scaled', path: 'a.jpg', size: { width: 400, height: 300 }, replaced: 'existing' }]
        })
        expect(await decode(join(folder, 'a.jpg'))).toMatchObject({ width: 400, height: 300 })
        expect(await listOutputs(folder)).toEqual(['a.jpg', 'b.jpg'])
      }
    })

    it('is kept with --existing rename, and the output gets the next free name', async () => {
      const { target, theirs } = await foreignTarget('renamed')
      const run = await runCli(['--existing', 'rename', folders.source, target])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('scaled a.jpg 1200×900 → 400×300 as a (1).jpg (a.jpg was already there)\n')
      expect(closing(run).line).toMatch(/^copied 1 scaled 1 using \d+ worker threads?$/)
      expect((await readFile(join(target, 'a.jpg'))).equals(theirs)).toBe(true)
      expect(await decode(join(target, 'a (1).jpg'))).toMatchObject({ width: 400, height: 300 })
      expect(await listOutputs(target)).toEqual(['a (1).jpg', 'a.jpg', 'b.jpg'])

      // A second run knows 'a (1).jpg' is its own: nothing new, nothing renamed again.
      const again = await runCli(['--existing', 'rename', folders.source, target])
      expect(closing(again).line).toMatch(/^copied 0 scaled 0 skipped 2 using \d+ worker threads?$/)
      expect(await listOutputs(target)).toEqual(['a (1).jpg', 'a.jpg', 'b.jpg'])
    })
  })
})
