import { existsSync } from 'node:fs'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OutputPlan } from '../../src/shared/batch'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { expectAddsUp, jsonEvents, lastSummary, listOutputs, outputsOf, runCli, unitsByFile } from './harness'

/** `--dry-run`: the plan of every file, the summary it predicts, and nothing written at all. */
describe('imagescale --dry-run', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    await writeImage(folders.source, 'big.jpg', { width: 1600, height: 1200, format: 'jpeg' })
    await writeImage(folders.source, 'small.png', { width: 300, height: 200, format: 'png' })
    await mkdir(join(folders.source, 'trip'))
    await writeImage(join(folders.source, 'trip'), 'tall.webp', { width: 900, height: 1800, format: 'webp' })
    await writeFile(join(folders.source, 'notes.jpg'), 'not a photo')
  })
  afterAll(() => folders?.cleanup())

  it('writes nothing, not even the target folder, and says so in the closing line', async () => {
    const target = join(folders.root, 'never-made')
    const run = await runCli(['-s', '800', '--dry-run', folders.source, target])
    expect(run.code, run.stderr).toBe(0)
    expect(existsSync(target)).toBe(false)
    // Each output with the size it would have, estimated from sample encodes (a copy exactly).
    expect(run.stdout).toMatch(/^would scale big\.jpg 1600×1200 → 800×600, about \d+(\.\d)? KB$/m)
    expect(run.stdout).toMatch(/^would copy small\.png 300×200, about \d+(\.\d)? KB$/m)
    expect(run.stdout).toMatch(/^would scale trip\/tall\.webp 900×1800 → 400×800, about \d+(\.\d)? KB$/m)
    expect(run.stdout).toMatch(/ read, about \d+(\.\d)? KB would be written\n$/)
    expect(run.stdout).toMatch(/^skipped notes\.jpg: not an image$/m)
    expect(run.stdout).toContain('would copy 1 scale 2 skip 1 using ')
    expect(run.stdout).toContain('[dry run: nothing written]')
  })

  it('predicts, as JSON plans, exactly what the real run then does', async () => {
    const target = join(folders.root, 'real')
    const dry = await runCli(['-s', '800', '--dry-run', '--json', folders.source, target])
    expect(dry.code, dry.stderr).toBe(0)
    const planned = jsonEvents(dry.stdout).flatMap((event) => (event.type === 'planned' ? [event.plan] : []))
    const predicted = lastSummary(jsonEvents(dry.stdout))
    expect(predicted.dryRun).toBe(true)
    expectAddsUp(predicted)
    expect(existsSync(target)).toBe(false)

    const real = await runCli(['-s', '800', '--json', folders.source, target])
    expect(real.code, real.stderr).toBe(0)
    const done = lastSummary(jsonEvents(real.stdout))
    expect(done.counts).toEqual(predicted.counts)
    expect(done.skippedBy).toEqual(predicted.skippedBy)

    // Each planned output is the output made: same action, same path, same size.
    const units = unitsByFile(jsonEvents(real.stdout))
    const verbs: Record<OutputPlan['action'], string> = { copy: 'copied', scale: 'scaled', skip: 'skipped' }
    for (const plan of planned) {
      const output = plan.outputs[0]!
      expect(units.get(plan.file)?.outcome, plan.file).toBe(verbs[output.action])
      if (output.action !== 'skip') expect(units.get(plan.file)?.size, plan.file).toEqual(output.size)
    }
    expect(await listOutputs(target)).toEqual(planned.filter((plan) => plan.outputs[0]!.action !== 'skip').map((plan) => plan.outputs[0]!.path).sort())
  })

  it('estimates each output’s bytes close to what the run then writes, and a copy exactly', async () => {
    const target = join(folders.root, 'estimated')
    const flags = ['--sizes', '1200,500', '--format', 'webp', '--json', folders.source, target]
    const dry = jsonEvents((await runCli(['--dry-run', ...flags])).stdout)
    const real = await runCli(flags)
    expect(real.code, real.stderr).toBe(0)
    const written = new Map(outputsOf(jsonEvents(real.stdout)).flatMap((output) => (output.outcome === 'scaled' || output.outcome === 'copied' ? [[output.path, output.bytes]] : [])))
    let checked = 0
    for (const event of dry) {
      if (event.type !== 'planned') continue
      for (const output of event.plan.outputs) {
        if (output.action === 'skip') continue
        const bytes = written.get(output.path)!
        expect(output.estimatedBytes, output.path).toBeGreaterThan(bytes * 0.6)
        expect(output.estimatedBytes, output.path).toBeLessThan(bytes * 1.6)
        checked += 1
      }
    }
    expect(checked).toBe(6)
    const predicted = lastSummary(dry).bytesOut
    const made = lastSummary(jsonEvents(real.stdout)).bytesOut
    expect(predicted).toBeGreaterThan(made * 0.7)
    expect(predicted).toBeLessThan(made * 1.4)

    // A copy's estimate is the source's own size, to the byte.
    const copy = jsonEvents((await runCli(['-s', '800', '--dry-run', '--json', folders.source, join(folders.root, 'never')])).stdout)
    const small = copy.flatMap((event) => (event.type === 'planned' && event.plan.file === 'small.png' ? event.plan.outputs : []))[0]
    expect(small).toMatchObject({ action: 'copy', estimatedBytes: (await stat(join(folders.source, 'small.png'))).size })
  })
})
