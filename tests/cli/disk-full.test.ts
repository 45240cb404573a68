import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_PATH } from '../helpers/built'
import { tempFolders, type TempFolders } from '../helpers/images'
import { JOURNAL, decode, expectAddsUp, isTempName, jsonEvents, lastSummary, listOutputs, runCommand, unitsByFile, type Finished, type Unit } from './harness'

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
    const { counts } = summary
    expect(summary).toMatchObject({ files: LARGE + SMALL, todo: LARGE + SMALL, canceled: false, notStarted: 0, hostRestarts: 0 })
    expect(counts.failed).toBeGreaterThan(0)
    expect(summary.failedBy).toEqual({ 'no-space': counts.failed })
    expect(counts.copied + counts.scaled).toBeGreaterThan(0)
    expect(counts).toMatchObject({ skipped: 0, canceled: 0 })
    expectAddsUp(summary)

    // The batch went on after the disk filled: every file has its own result.
    const units = unitsByFile(events)
    expect(units.size).toBe(LARGE + SMALL)
    const failed = [...units.values()].filter((unit) => unit.outcome === 'failed')
    expect(failed).toHaveLength(counts.failed)
    for (const unit of failed) expect(unit).toMatchObject({ reason: 'no-space', message: expect.stringMatching(/disk is full/) })

    await expectOnlyCompleteOutputs(listing, kept, [...units.values()])
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
    const images = listing.filter((file) => file !== JOURNAL)
    expect(images).toHaveLength(copied! + scaled!)
    for (const file of images) await expect(decode(join(kept, file)), file).resolves.toBeTruthy()
  })
})

/** The disk holds exactly the outputs reported done, each complete, and no temporary file. */
async function expectOnlyCompleteOutputs(listing: string[], kept: string, units: Unit[]): Promise<void> {
  const done = units.filter((unit) => unit.outcome === 'copied' || unit.outcome === 'scaled')
  expect(listing.filter(isTempName)).toEqual([])
  // Besides the images, the target may hold the journal (if it found room on the full disk).
  const images = listing.filter((file) => file !== JOURNAL)
  expect(images).toEqual(done.map((unit) => unit.file).sort())
  expect(await listOutputs(kept)).toEqual(images)
  for (const unit of done) {
    const output = await decode(join(kept, unit.file))
    expect({ width: output.width, height: output.height }, unit.file).toEqual(unit.size)
  }
}
