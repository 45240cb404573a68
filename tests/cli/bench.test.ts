import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BenchResult } from '../../src/cli/bench'
import { karpFlatt } from '../../src/core/speedup'
import { tempFolders, type TempFolders } from '../helpers/images'
import { fingerprint } from '../reliability/support'
import { childPids, interrupt, isAlive, runCli, startCli, until, writeCopies } from './harness'

/** `imagescale bench`: the speedup lab, from the built CLI, on photos made here. No figure is asserted, only what they must mean. */

const PHOTOS = 10

const benchTemps = async (): Promise<string[]> => (await readdir(tmpdir())).filter((name) => name.startsWith('imagescale-bench-'))

describe('imagescale bench', () => {
  let folders: TempFolders
  let before: Map<string, string>
  let result: BenchResult
  let tempsBefore: string[]

  beforeAll(async () => {
    folders = await tempFolders()
    await writeCopies(folders.root, folders.source, PHOTOS, { width: 1600, height: 1200 }, (i) => `IMG_${i}.jpg`)
    before = await fingerprint(folders.source)
    tempsBefore = await benchTemps()
    const run = await runCli(['bench', folders.source, '--workers', '1,2', '--rounds', '1', '--json'])
    expect(run.code, run.stderr).toBe(0)
    result = JSON.parse(run.stdout) as BenchResult
  })
  afterAll(() => folders?.cleanup())

  it('measures every count asked for, on every photo of the folder', () => {
    expect(result.settings).toMatchObject({ source: folders.source, files: PHOTOS, size: 800, rounds: 1, workers: [1, 2] })
    expect(result.points.map((point) => point.workers)).toEqual([1, 2])
    expect(result.machine).toMatchObject({ cores: expect.any(Number), node: process.versions.node })
  })

  it('gives figures that mean what they say: speedups against one worker, efficiency per worker, Karp–Flatt from both', () => {
    const [one, two] = result.points
    expect(one).toMatchObject({ speedup: 1, efficiency: 1, karpFlatt: null, ceilingSpeedup: 1 })
    for (const point of result.points) {
      expect(point.imagesPerSecond).toBeGreaterThan(0)
      expect(point.ceilingImagesPerSecond).toBeGreaterThan(0)
      expect(point.speedup).toBeCloseTo(point.imagesPerSecond / one!.imagesPerSecond, 10)
      expect(point.efficiency).toBeCloseTo(point.speedup / point.workers, 10)
      expect(point.reached).toBeCloseTo(point.imagesPerSecond / point.ceilingImagesPerSecond, 10)
    }
    expect(two!.karpFlatt).toBeCloseTo(karpFlatt(two!.speedup, 2)!, 10)
    // Scheduling compared at the most workers the cores can run, both orders measured.
    expect(result.scheduling.workers).toBe(Math.min(2, result.machine.cores as number))
    for (const order of ['found', 'largest'] as const) {
      expect(result.scheduling[order].ms).toBeGreaterThan(0)
      expect(result.scheduling[order].tailMs).toBeGreaterThanOrEqual(0)
      expect(result.scheduling[order].tailMs).toBeLessThanOrEqual(result.scheduling[order].ms)
    }
    // With one core only a single count would be fitted: no fit is claimed from one point.
    if ((result.machine.cores as number) >= 2) {
      expect(result.amdahl!.serialFraction).toBeGreaterThanOrEqual(0)
      expect(result.amdahl!.serialFraction).toBeLessThanOrEqual(1)
    } else {
      expect(result.amdahl).toBeNull()
    }
  })

  it('leaves the folder as it was, and no temporary folder behind', async () => {
    expect(await fingerprint(folders.source)).toEqual(before)
    expect(await benchTemps()).toEqual(tempsBefore)
  })

  it('prints a table with a row per count and the Amdahl fits when not asked for JSON', async () => {
    const run = await runCli(['bench', folders.source, '--workers', '1,2', '--rounds', '1'])
    expect(run.code, run.stderr).toBe(0)
    const lines = run.stdout.split('\n')
    expect(lines[0]).toBe(`${PHOTOS} photos of ${folders.source}, longest side 800 px, median of 1 alternated rounds`)
    const header = lines.findIndex((line) => line.trim().startsWith('workers'))
    expect(lines[header]).toMatch(/workers\s+images\/s\s+speedup\s+efficiency\s+Karp–Flatt\s+ceiling images\/s\s+ceiling speedup\s+reached/)
    expect(lines[header + 1]).toMatch(/^\s+1\s+[\d.]+\s+1\.00×\s+100%\s+—\s+[\d.]+\s+1\.00×\s+\d+%$/)
    expect(lines[header + 2]).toMatch(/^\s+2\s+[\d.]+\s+[\d.]+×\s+\d+%\s+-?[\d.]+\s+[\d.]+\s+[\d.]+×\s+\d+%$/)
    expect(run.stdout).toMatch(/^Amdahl fit, imagescale: serial fraction [\d.]+, /m)
    expect(run.stdout).toMatch(/^Scheduling at \d workers?: as found [\d,]+ ms \(idle tail [\d,]+ ms\), largest first [\d,]+ ms \(idle tail [\d,]+ ms\)$/m)
    expect(run.stdout).toMatch(/^Amdahl fit, the ceiling \(independent processes sharing nothing\): serial fraction [\d.]+, /m)
  })

  it.each([
    [['bench', '--workers', '0'], /--workers must be a positive whole number/],
    [['bench', '--workers', '2,2'], /--workers lists a count twice/],
    [['bench', '/a', '/b'], /at most one FOLDER/],
    [['bench', '--rounds', 'many'], /--rounds must be a positive whole number/]
  ])('refuses %j as bad usage', async (args, message) => {
    const run = await runCli(args)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
  })

  it('writes the result as a PNG card when asked, never among the originals', async () => {
    const card = join(folders.root, 'speedup.png')
    const run = await runCli(['bench', folders.source, '--workers', '1,2', '--rounds', '1', '--card', card])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain(`card: ${card}`)
    const meta = await sharp(card).metadata()
    expect(meta).toMatchObject({ format: 'png', width: 900 })
    // Not a blank picture: the chart's lines and the text are there.
    const { channels } = await sharp(card).stats()
    expect(Math.min(...channels.slice(0, 3).map((channel) => channel.min))).toBeLessThan(100)
    const inside = await runCli(['bench', folders.source, '--workers', '1', '--rounds', '1', '--card', join(folders.source, 'card.png')])
    expect(inside.code).toBe(2)
    expect(inside.stderr).toContain('is inside the source folder')
    expect(await fingerprint(folders.source)).toEqual(before)
  })

  it('fits nothing from a single count, and predicts nothing', async () => {
    const run = await runCli(['bench', folders.source, '--workers', '1', '--rounds', '1'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('Amdahl fit, imagescale: needs two worker counts up to the core count')
    expect(run.stdout).not.toContain('Predicted by the fit')
  })

  it('counts only the photos it scaled, and says how many more were copied', async () => {
    const mixed = await tempFolders()
    try {
      await writeCopies(mixed.root, mixed.source, 2, { width: 1600, height: 1200 }, (i) => `big-${i}.jpg`)
      await writeCopies(mixed.root, mixed.source, 6, { width: 200, height: 150 }, (i) => `small-${i}.jpg`)
      const run = await runCli(['bench', mixed.source, '--workers', '1,2', '--rounds', '1', '--json'])
      expect(run.code, run.stderr).toBe(0)
      const mixedResult = JSON.parse(run.stdout) as BenchResult
      expect(mixedResult.settings).toMatchObject({ files: 2, copied: 6 })
    } finally {
      await mixed.cleanup()
    }
  })

  it('stops at a Ctrl-C, exit 130, leaving no temporary folder and no process behind', async () => {
    const before = await benchTemps()
    const cli = startCli(['bench', folders.source, '--workers', '1,2', '--rounds', '3'])
    await until(() => cli.stderr().includes('round 1/3'))
    const children = childPids(cli.child.pid!)
    await interrupt(cli.child)
    const run = await cli.closed
    expect(run.code, run.stderr).toBe(130)
    expect(run.stderr).toContain('stopping the bench')
    expect(await benchTemps()).toEqual(before)
    await until(() => children.every((pid) => !isAlive(pid)))
  })

  it('refuses a folder that is not there as bad usage', async () => {
    const run = await runCli(['bench', join(folders.root, 'not-there'), '--workers', '1', '--rounds', '1'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/does not exist/)
  })

  it('says when nothing in the folder needs scaling at that size, and fails', async () => {
    const run = await runCli(['bench', folders.source, '-s', '4000', '--workers', '1', '--rounds', '1'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('nothing in')
  })
})
