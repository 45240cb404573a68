import { readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/built'
import { tempFolders, writeImage, type TempFolders } from '../helpers/images'
import { JOURNAL, decode, isFolder, listFiles, runCli } from './harness'

/** Bad usage exits 2 with a sentence that says what is wrong, and touches nothing. */

describe('bad usage', () => {
  let folders: TempFolders
  let photo: string
  beforeAll(async () => {
    folders = await tempFolders()
    photo = await writeImage(folders.source, 'a.jpg', { width: 800, height: 600 })
    await symlink(folders.source, join(folders.root, 'link'))
  })
  afterAll(() => folders?.cleanup())

  const cases: { name: string; args: () => string[]; message: RegExp }[] = [
    { name: 'a missing source folder', args: () => [join(folders.root, 'nowhere'), folders.target], message: /source folder does not exist: .*nowhere/ },
    { name: 'a source that is a file', args: () => [photo, folders.target], message: /source is not a folder: .*a\.jpg/ },
    { name: 'a target that is a file', args: () => [folders.source, photo], message: /target exists and is not a folder/ },
    { name: '-s abc', args: () => ['-s', 'abc', folders.source, folders.target], message: /--size must be a positive whole number, not "abc"/ },
    { name: '-s 0', args: () => ['-s', '0', folders.source, folders.target], message: /--size must be a positive whole number, not "0"/ },
    { name: '-s -3', args: () => ['-s', '-3', folders.source, folders.target], message: /--size must be a positive whole number, not "-3"/ },
    { name: '-s 2.5', args: () => ['-s', '2.5', folders.source, folders.target], message: /--size must be a positive whole number, not "2\.5"/ },
    { name: '-s 70000', args: () => ['-s', '70000', folders.source, folders.target], message: /--size must be at most 65535/ },
    { name: '-c 0', args: () => ['-c', '0', folders.source, folders.target], message: /--concurrency must be a positive whole number, not "0"/ },
    { name: '-c 65', args: () => ['-c', '65', folders.source, folders.target], message: /--concurrency must be at most 64, not 65/ },
    { name: 'a missing TARGET', args: () => [folders.source], message: /give a SOURCE and a TARGET folder/ },
    { name: 'no folders at all', args: () => [], message: /give a SOURCE and a TARGET folder/ },
    { name: 'three folders', args: () => [folders.source, folders.target, folders.root], message: /too many arguments/ },
    { name: 'source == target', args: () => [folders.source, folders.source], message: /the target folder is the source folder/ },
    { name: 'source == target by another spelling', args: () => [folders.source, `${folders.source}/./`], message: /the target folder is the source folder/ },
    { name: 'a target that is a link to the source', args: () => [folders.source, join(folders.root, 'link')], message: /the target folder is the source folder/ },
    { name: 'the source inside the target', args: () => [folders.source, folders.root], message: /the source folder is inside the target folder/ },
    { name: 'an unknown option', args: () => ['--bogus', folders.source, folders.target], message: /Unknown option '--bogus'/ },
    { name: '--smooth with --stride', args: () => ['--smooth', '--stride', folders.source, folders.target], message: /either --smooth or --stride/ },
    { name: '--demo with folders', args: () => ['--demo', folders.source, folders.target], message: /--demo makes its own folders/ },
    { name: '--existing bogus', args: () => ['--existing', 'bogus', folders.source, folders.target], message: /--existing must be one of skip, overwrite, rename, not "bogus"/ },
    { name: '--order biggest', args: () => ['--order', 'biggest', folders.source, folders.target], message: /--order must be one of found, largest, not "biggest"/ },
    { name: '--overwrite with --existing rename', args: () => ['--overwrite', '--existing', 'rename', folders.source, folders.target], message: /--overwrite contradicts --existing rename/ },
    { name: '--max-pixels 0', args: () => ['--max-pixels', '0', folders.source, folders.target], message: /--max-pixels must be a positive whole number, not "0"/ },
    {
      name: '--overwrite into a target inside the source',
      args: () => ['--overwrite', folders.source, join(folders.source, 'scaled')],
      message: /the target folder is inside the source.*overwriting is refused/
    }
  ]

  // Each case only reads the shared folders, so they run side by side.
  it.concurrent.for(cases)('$name: exit 2, a clear message on stderr, nothing written', async ({ args, message }, { expect }) => {
    const run = await runCli(args())
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^imagescale: /)
    expect(run.stderr).toMatch(message)
    expect(run.stdout).toBe('')
    expect(await isFolder(folders.target)).toBe(false)
    expect(await listFiles(folders.source)).toEqual(['a.jpg'])
  })

  it('a target inside the source is allowed, and its outputs are not scanned as inputs', async () => {
    const own = await tempFolders()
    try {
      await writeImage(own.source, 'a.jpg', { width: 800, height: 600 })
      const inside = join(own.source, 'scaled')
      const first = await runCli([own.source, inside])
      expect(first.code).toBe(0)
      expect(first.stdout).toMatch(/^scaled a\.jpg 800×600 → 400×300\ncopied 0 scaled 1 using/)
      // A re-export: the output is stale and re-made; scaled/a.jpg is never taken for a source.
      await writeImage(own.source, 'a.jpg', { width: 1000, height: 500, seed: 2 })
      const second = await runCli([own.source, inside])
      expect(second.code).toBe(0)
      expect(second.stdout).toMatch(/^scaled a\.jpg 1000×500 → 400×200\ncopied 0 scaled 1 using/)
      expect(second.stdout).toContain('\n  remade 1: made by an earlier run with other settings\n')
      expect(await listFiles(own.source)).toEqual(['a.jpg', `scaled/${JOURNAL}`, 'scaled/a.jpg'])
      expect(await decode(join(inside, 'a.jpg'))).toMatchObject({ width: 400, height: 200 })
    } finally {
      await own.cleanup()
    }
  })
})

describe('--help and --version', () => {
  it.concurrent.for([{ args: '--help' }, { args: '-h' }, { args: '-s abc --help' }])('$args prints the usage and exits 0', async ({ args }, { expect }) => {
    const run = await runCli(args.split(' '))
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/^usage: imagescale \[options\] SOURCE TARGET\n/)
    for (const option of ['-s, --size N', '-S, --smooth', '--stride', '-c, --concurrency N', '--flat', '--existing POLICY', '--overwrite', '--max-pixels N', '--json', '--demo']) {
      expect(run.stdout).toContain(option)
    }
    expect(run.stdout).toContain('skip, overwrite, rename')
    expect(run.stdout).toContain('a second Ctrl-C stops at once')
    expect(run.stdout).toContain('Exit status: 0 all done, 1 some file failed, 2 bad usage, 130 canceled')
  })

  it.concurrent.for(['--version', '-v'])('%s prints the package version', async (flag, { expect }) => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    const run = await runCli([flag])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(`imagescale ${version}\n`)
  })

  it('an unknown option is named together with where to find help', async () => {
    const run = await runCli(['--sise', '300', 'a', 'b'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("Unknown option '--sise'")
    expect(run.stderr).toContain("try 'imagescale --help'")
  })
})

describe('a target that cannot be created', () => {
  it('is refused with exit 2 before any file is touched', async () => {
    const folders = await tempFolders()
    try {
      await writeImage(folders.source, 'a.jpg', { width: 800, height: 600 })
      await writeFile(join(folders.root, 'blocker'), 'a file where a folder must go')
      const run = await runCli([folders.source, join(folders.root, 'blocker/out')])
      expect(run.code).toBe(2)
      // Named as a target problem, not as a raw system error.
      expect(run.stderr).toMatch(/^imagescale: [^\n]*target[^\n]*blocker\/out/)
      expect(run.stderr).not.toMatch(/ENOTDIR|realpath/)
      expect(run.stdout).toBe('')
    } finally {
      await folders.cleanup()
    }
  })
})
