import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_PATH } from '../helpers/built'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { listOutputs, runCommand } from './harness'

/**
 * On a terminal: a live bar and one line per worker, redrawn in place, with problems scrolled
 * above it and the closing line left at the end. `script` gives the CLI a real pseudo-terminal.
 */

const COUNT = 6
/** Erase-and-redraw: cursor up N lines to their start, then clear to the end of the screen. */
const ESC = '\u001b'
const REDRAW = new RegExp(`${ESC}\\[\\d+F${ESC}\\[J`, 'g')
/** The live bar, whole: 30 cells, done/total (`+` while the scan goes on), the rate, an ETA once known; captures done. */
const BAR = /^\[[#-]{30}\] (\d+)\/\d+\+? \d+\.\d img\/s(?:, ETA [\dhms.]+)?$/

async function runInTerminal(folders: TempFolders, target: string, setup: string): Promise<{ code: number | null; screen: string }> {
  const run = await runCommand('script', ['-qec', `${setup} exec "$NODE" "$CLI" -c 2 "$SRC" "$DST"`, '/dev/null'], {
    NODE: process.execPath,
    CLI: CLI_PATH,
    SRC: folders.source,
    DST: target
  })
  return { code: run.code, screen: run.stdout.replace(/\r/g, '') }
}

/** The lines a person saw at some moment, with the redraw sequences taken out. */
const linesOf = (screen: string): string[] => screen.replace(REDRAW, '\n').split('\n')

describe('on a terminal', () => {
  let folders: TempFolders
  beforeAll(async () => {
    folders = await tempFolders()
    for (let i = 0; i < COUNT; i += 1) await writeImage(folders.source, `photo-${i}.jpg`, { width: 1200, height: 900, seed: i + 1 })
    await writeFile(join(folders.source, 'notes.txt'), 'not a picture\n')
  })
  afterAll(() => folders?.cleanup())

  it('draws the bar and the workers, scrolls skips above them, and ends with the closing line', async () => {
    const target = join(folders.root, 'sized')
    const { code, screen } = await runInTerminal(folders, target, 'stty cols 100 rows 30;')

    expect(code).toBe(0)
    const lines = linesOf(screen)
    // The bar moved while files finished (the block is erased for the summary at the end, so
    // the last state may never be drawn: only that it was live is asserted).
    const bars = lines.flatMap((line) => BAR.exec(line)?.slice(1).map(Number) ?? [])
    expect(bars.length, screen).toBeGreaterThan(0)
    expect(Math.max(...bars), screen).toBeGreaterThan(0)
    expect(lines.some((line) => line.startsWith('  worker 1: '))).toBe(true)
    expect(lines.some((line) => line.startsWith('  worker 2: '))).toBe(true)
    expect(lines.some((line) => line.startsWith('  worker 3: '))).toBe(false)
    expect(lines).toContain('skipped notes.txt: not an image')
    // Scaled files are shown live, not listed: the screen stays one block.
    expect(lines.some((line) => line.startsWith('scaled '))).toBe(false)
    const afterLastRedraw = screen.split(REDRAW).at(-1)!
    expect(afterLastRedraw).toMatch(/^copied 0 scaled 6 skipped 1 using 2 worker threads\n {2}skipped 1: not an image\n/)
    expect(await listOutputs(target)).toHaveLength(COUNT)
  })

  it('clips lines to a narrow terminal so redrawing never leaves wrapped debris', async () => {
    const { code, screen } = await runInTerminal(folders, join(folders.root, 'narrow'), 'stty cols 30 rows 30;')

    expect(code).toBe(0)
    // The live block (bar and workers); lines that scroll away above it may wrap like any output.
    const live = linesOf(screen).filter((line) => line.startsWith('[') || line.startsWith('  worker '))
    expect(live.length).toBeGreaterThan(0)
    for (const line of live) expect(line.length, line).toBeLessThan(30)
    expect(live.some((line) => line.endsWith('…'))).toBe(true)
  })

  it('uses 80 columns when the terminal does not say its size', async () => {
    const { code, screen } = await runInTerminal(folders, join(folders.root, 'unsized'), 'stty cols 0 rows 0;')

    expect(code).toBe(0)
    const lines = linesOf(screen)
    expect(lines).toContain('  worker 1: idle')
    // The whole bar fits: nothing was clipped as if the terminal had 0 columns.
    expect(lines.some((line) => BAR.test(line)), screen).toBe(true)
    expect(lines.filter((line) => line.endsWith('…'))).toEqual([])
  })
})
