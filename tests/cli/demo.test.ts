import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JOURNAL, decode, listFiles, listOutputs, runCli, type Finished } from './harness'

/** `imagescale --demo`: what a newcomer runs first; it must show copied, scaled and skipped at once. */

describe('imagescale --demo', () => {
  let tmp: string
  let run: Finished
  beforeAll(async () => {
    // The demo goes to the system's temporary folder; give it one of ours to find and clean.
    tmp = await mkdtemp(join(tmpdir(), 'imagescale-demo-test-'))
    run = await runCli(['--demo', '-c', '2'], { TMPDIR: tmp })
  })
  afterAll(() => rm(tmp, { recursive: true, force: true }))

  it('exits 0 and names the demo folders on stderr', async () => {
    expect(run.code).toBe(0)
    const [root] = await readdir(tmp)
    expect(root).toMatch(/^imagescale-demo-/)
    expect(run.stderr).toMatch(/^making the demo images…\n/)
    expect(run.stderr).toContain(`demo images in ${join(tmp, root!, 'photos')}\n`)
    expect(run.stderr).toContain(`scaling into ${join(tmp, root!, 'scaled')}\n`)
  })

  it('closes with copied, scaled and the three kinds of skipped file', () => {
    const lines = run.stdout.split('\n')
    const at = lines.findIndex((line) => line.startsWith('copied ') && line.includes(' using '))
    const match = /^copied (\d+) scaled (\d+) skipped 3 using 2 worker threads$/.exec(lines[at] ?? '')
    expect(match, run.stdout).not.toBeNull()
    expect(Number(match![1])).toBeGreaterThan(0)
    expect(Number(match![2])).toBeGreaterThan(0)
    expect(lines.slice(at + 1, at + 4).sort()).toEqual(['  skipped 1: damaged or corrupt', '  skipped 1: not an image', '  skipped 1: unsupported format'])
    expect(run.stdout).toMatch(/^skipped notes\.txt: not an image$/m)
    expect(run.stdout).toMatch(/^skipped broken\.jpg: /m)
    expect(run.stdout).toMatch(/^skipped drawing\.svg: SVG images are not supported$/m)
    expect(run.stdout).toMatch(/^scaled panorama\.jpg 6000×500 → 400×33$/m)
  })

  it('writes one decodable output per copied or scaled file', async () => {
    const [root] = await readdir(tmp)
    const outputs = await listOutputs(join(tmp, root!, 'scaled'))
    const [copied, scaled] = /^copied (\d+) scaled (\d+) .* using /m.exec(run.stdout)!.slice(1).map(Number)
    expect(outputs).toHaveLength(copied! + scaled!)
    // Besides the images, only the journal that lets a second run skip what is done.
    expect(await listFiles(join(tmp, root!, 'scaled'))).toEqual([JOURNAL, ...outputs].sort())
    for (const file of outputs) {
      const { width, height } = await decode(join(tmp, root!, 'scaled', file))
      expect(Math.max(width, height), file).toBeLessThanOrEqual(400)
    }
  })
})
