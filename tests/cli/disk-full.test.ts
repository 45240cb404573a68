import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileResult } from '../../src/shared/batch'
import { CLI_PATH } from '../helpers/built'
import { tempFolders, type TempFolders } from '../helpers/images'
import { decode, isTempName, jsonEvents, lastSummary, listFiles, resultsByFile, runCommand, type Finished } from './harness'

/**
 * A target disk that fills up mid-run: a 2 MB tmpfs mounted in a private mount namespace,
 * so nothing outside the test sees it. Files that do not fit fail with 'no-space', the
 * batch goes on, nothing half-written or temporary is left, and the exit code is 1.
 */

const DISK_SIZE = '2m'
const LARGE = 8
const SMALL = 6

/**
 * Runs in the namespace: mounts the disk, runs the CLI onto it, then records what the disk
 * holds (listing and a copy) before the namespace, and the disk with it, goes away.
 */
const SCRIPT = `
mount -t tmpfs -o size=${DISK_SIZE} imagescale-test "$DISK" || exit 90
"$NODE" "$CLI" "$@"
code=$?
find "$DISK" -mindepth 1 > "$KEEP/listing.txt"
if [ -d "$DISK/out" ]; then cp -a "$DISK/out" "$KEEP/out"; fi
exit $code
`

interface DiskRun {
  run: Finished
  /** Everything the full disk held when the CLI had exited, relative to its output folder. */
  listing: string[]
  /** A copy of the output folder, taken inside the namespace. */
  kept: string
}

async function runOnTinyDisk(folders: TempFolders, name: string, cliArgs: string[]): Promise<DiskRun> {
  const disk = join(folders.root, `${name}-disk`)
  const keep = join(folders.root, `${name}-kept`)
  await mkdir(disk)
  await mkdir(keep)
  const run = await runCommand(
    'unshare',
    ['--mount', '--map-root-user', 'sh', '-c', SCRIPT, 'sh', ...cliArgs, folders.source, join(disk, 'out')],
    { DISK: disk, KEEP: keep, NODE: process.execPath, CLI: CLI_PATH }
  )
  expect(run.code, `the tmpfs could not be mounted: ${run.stderr}`).not.toBe(90)
  const listing = (await readFile(join(keep, 'listing.txt'), 'utf8'))
    .split('\n')
    .filter((line) => line !== '' && line !== join(disk, 'out'))
    .map((line) => line.slice(join(disk, 'out').length + 1))
    .sort()
  return { run, listing, kept: join(keep, 'out') }
}

/** Noise does not compress: each large output is ~0.7 MB, so about two fit on the disk. */
async function writeNoise(path: string, width: number, height: number, seed: number): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: seed * 20, g: 128, b: 90 }, noise: { type: 'gaussian', mean: 128, sigma: 70 } } })
    .jpeg({ quality: 95 })
    .toFile(path)
}

describe('a target disk that fills up', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    for (let i = 0; i < LARGE; i += 1) await writeNoise(join(folders.source, `large-${i}.jpg`), 1600, 1200, i)
    for (let i = 0; i < SMALL; i += 1) await writeNoise(join(folders.source, `small-${i}.jpg`), 300, 300, i)
  })
  afterAll(() => folders?.cleanup())

  it('--json: failed files say no-space, the rest go on, counts add up, exit 1, nothing partial left', async () => {
    const { run, listing, kept } = await runOnTinyDisk(folders, 'json', ['--json', '-c', '2', '-s', '1200'])

    expect(run.code).toBe(1)
    expect(run.stderr).toBe('')
    const events = jsonEvents(run.stdout)
    const summary = lastSummary(events)
    expect(summary.todo).toBe(LARGE + SMALL)
    expect(summary.failed).toBeGreaterThan(0)
    expect(summary.failedBy).toEqual({ 'no-space': summary.failed })
    expect(summary.copied + summary.scaled).toBeGreaterThan(0)
    expect(summary.copied + summary.scaled + summary.skipped + summary.failed + summary.canceledFiles).toBe(summary.todo)
    expect(summary.canceled).toBe(false)

    // The batch went on after the disk filled: every file has its own result.
    const results = resultsByFile(events)
    expect(results.size).toBe(LARGE + SMALL)
    const failed = [...results.values()].filter((result) => result.action === 'failed')
    expect(failed).toHaveLength(summary.failed)
    for (const result of failed) expect(result).toMatchObject({ reason: 'no-space', message: expect.stringMatching(/disk is full/) })

    await expectOnlyCompleteOutputs(listing, kept, [...results.values()])
  })

  it('line output: failed files are listed with the reason, and the closing line counts them', async () => {
    const { run, listing, kept } = await runOnTinyDisk(folders, 'lines', ['-c', '2', '-s', '1200'])

    expect(run.code).toBe(1)
    const failedLines = run.stdout.split('\n').filter((line) => line.startsWith('failed '))
    expect(failedLines.length).toBeGreaterThan(0)
    for (const line of failedLines) expect(line).toMatch(/^failed (large|small)-\d\.jpg: the target disk is full; nothing was left behind$/)
    const closing = /^copied (\d+) scaled (\d+) failed (\d+) using 2 worker threads$/m.exec(run.stdout)
    expect(closing, run.stdout).not.toBeNull()
    const [copied, scaled, failedCount] = closing!.slice(1).map(Number)
    expect(failedCount).toBe(failedLines.length)
    expect(copied! + scaled! + failedCount!).toBe(LARGE + SMALL)
    expect(run.stdout).toContain(`\n  failed ${failedCount}: disk full\n`)

    expect(listing.filter(isTempName)).toEqual([])
    expect(listing).toHaveLength(copied! + scaled!)
    for (const file of await listFiles(kept)) await expect(decode(join(kept, file)), file).resolves.toBeTruthy()
  })
})

/** The disk holds exactly the outputs reported done, each complete, and no temporary file. */
async function expectOnlyCompleteOutputs(listing: string[], kept: string, results: FileResult[]): Promise<void> {
  const done = results.filter((result) => result.action === 'copied' || result.action === 'scaled')
  expect(listing.filter(isTempName)).toEqual([])
  expect(listing).toEqual(done.map((result) => result.file).sort())
  expect(await listFiles(kept)).toEqual(listing)
  for (const result of done) {
    const output = await decode(join(kept, result.file))
    expect({ width: output.width, height: output.height }, result.file).toEqual(result.output)
  }
}
