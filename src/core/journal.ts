import { createHash } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { appendFile, lstat, open, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { SourceStamp } from '../shared/batch'
import type { OutputSpec } from '../shared/recipe'
import { errnoOf } from './errors'
import { fsPath } from './paths'
import { stampOf, tempPathFor } from './safe-write'

/**
 * What made each output in a target folder: the source it came from (its size and time then)
 * and the output's recipe. A re-run skips exactly the outputs that are complete and made from
 * the same source with the same recipe, and re-makes stale ones. An output that is not in
 * the journal, or was changed since, is not ours to replace.
 *
 * One JSON record a line, appended as outputs are published: a record is whole or, if a crash
 * cut it, ignored. At the end of a run the journal is rewritten in one atomic rename when it
 * has grown well past what it describes.
 */

export const JOURNAL_NAME = '.imagescale-journal.jsonl'

export interface JournalRecord {
  /** The output, below the target. */
  out: string
  /** The source, below the source folder. */
  src: string
  stamp: SourceStamp
  recipe: string
  /** The output file as it was published. */
  made: SourceStamp
}

/** Every setting of an output, as a short stable hash: a change anywhere makes its outputs stale. */
export function recipeHash(spec: OutputSpec): string {
  const canonical = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, inner]) => [key, canonical(inner)]))
      : value
  return createHash('sha256').update(JSON.stringify(canonical(spec))).digest('hex').slice(0, 16)
}

const sameStamp = (a: SourceStamp, b: SourceStamp): boolean => a.size === b.size && a.mtimeNs === b.mtimeNs

function isRecord(value: unknown): value is JournalRecord {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  const isStamp = (stamp: unknown): boolean =>
    typeof stamp === 'object' && stamp !== null && typeof (stamp as SourceStamp).size === 'number' && typeof (stamp as SourceStamp).mtimeNs === 'string'
  return typeof record.out === 'string' && typeof record.src === 'string' && typeof record.recipe === 'string' && isStamp(record.stamp) && isStamp(record.made)
}

/** How an existing file at an output path stands, as far as ImageScale is concerned. */
export type Ownership =
  | { kind: 'none' }
  /** Made by us from this very source and recipe, and untouched since. */
  | { kind: 'done' }
  /** Made by us, but from another source or recipe: ours to re-make. */
  | { kind: 'stale'; made: SourceStamp }
  /** Not ours, or changed since we made it. */
  | { kind: 'foreign' }

const FLUSH_EVERY_MS = 200

/**
 * Journals with lines not yet appended. A front end that must leave at once (a third Ctrl-C)
 * calls process.exit(), which skips pending I/O but runs 'exit' listeners: they append what is
 * pending, synchronously, so outputs published just before are still known to be ours.
 */
const unflushed = new Set<Journal>()
let exitListener = false

function appendPendingAtExit(): void {
  for (const journal of unflushed) journal.appendPendingNow()
}

export class Journal {
  private pending: string[] = []
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> = Promise.resolve()
  private lines = 0

  private constructor(
    private readonly target: string,
    private readonly records: Map<string, JournalRecord>,
    private readonly bySource: Map<string, JournalRecord[]>,
    private readonly writable: boolean,
    lines: number
  ) {
    this.lines = lines
  }

  static async open(target: string, writable: boolean): Promise<Journal> {
    const records = new Map<string, JournalRecord>()
    let lines = 0
    const text = await readFile(fsPath(join(target, JOURNAL_NAME)), 'utf8').catch((error: unknown) => {
      if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return ''
      throw error
    })
    for (const line of text.split('\n')) {
      if (line === '') continue
      lines += 1
      try {
        const record: unknown = JSON.parse(line)
        if (isRecord(record)) records.set(record.out, record)
      } catch {
        // A line cut short by a crash: that output is simply not known to be ours.
      }
    }
    const bySource = new Map<string, JournalRecord[]>()
    for (const record of records.values()) bySource.set(record.src, [...(bySource.get(record.src) ?? []), record])
    const journal = new Journal(target, records, bySource, writable, lines)
    if (writable) {
      unflushed.add(journal)
      if (!exitListener) process.on('exit', appendPendingAtExit)
      exitListener = true
    }
    return journal
  }

  /** Only for a process that is exiting: nothing asynchronous will run any more. */
  appendPendingNow(): void {
    const text = this.pending.join('')
    this.pending = []
    if (text === '') return
    try {
      appendFileSync(fsPath(join(this.target, JOURNAL_NAME)), text, 'utf8')
    } catch {
      // As in flush(): a journal that cannot be written costs only the resume.
    }
  }

  /** Who made the file at an output path, judged by the journal and the file as it is now. */
  async ownership(out: string, src: string, stamp: SourceStamp, recipe: string): Promise<Ownership> {
    const there = await lstat(fsPath(join(this.target, out)), { bigint: true }).catch(() => null)
    if (!there) return { kind: 'none' }
    const record = this.records.get(out)
    if (!record || !there.isFile() || !sameStamp(stampOf(there), record.made)) return { kind: 'foreign' }
    if (record.src === src && record.recipe === recipe && sameStamp(record.stamp, stamp)) return { kind: 'done' }
    return { kind: 'stale', made: record.made }
  }

  /**
   * The outputs of a source that are all done, by their recorded paths, or null: lets a
   * re-run skip a finished file without reading it.
   */
  async doneOutputs(src: string, stamp: SourceStamp, recipes: readonly string[]): Promise<string[] | null> {
    const candidates = this.bySource.get(src)
    if (!candidates) return null
    const paths: string[] = []
    const used = new Set<JournalRecord>()
    for (const recipe of recipes) {
      // Two outputs of one recipe may be alike (the same settings, told apart only by name):
      // each must find a record of its own, or both would pass for done through one file.
      const record = candidates.find((candidate) => !used.has(candidate) && candidate.recipe === recipe && sameStamp(candidate.stamp, stamp))
      if (!record || (await this.ownership(record.out, src, stamp, recipe)).kind !== 'done') return null
      used.add(record)
      paths.push(record.out)
    }
    return paths
  }

  record(record: JournalRecord): void {
    if (!this.writable) return
    this.records.set(record.out, record)
    this.pending.push(`${JSON.stringify(record)}\n`)
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS)
  }

  /** Appends what is pending; each line goes out whole in one append. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const text = this.pending.join('')
    this.pending = []
    if (text !== '') {
      this.lines += text.split('\n').length - 1
      // A journal that cannot be written (a full disk) costs only the resume: outputs it does
      // not list are never taken for ours, so they are kept, not re-made or trusted.
      this.writing = this.writing.then(() => appendFile(fsPath(join(this.target, JOURNAL_NAME)), text, 'utf8')).catch(() => undefined)
    }
    return this.writing
  }

  /** Flushes, and rewrites the journal atomically when most of its lines are superseded. */
  async close(): Promise<void> {
    await this.flush()
    unflushed.delete(this)
    if (!this.writable || this.lines <= 2 * this.records.size + 100) return
    const path = join(this.target, JOURNAL_NAME)
    const temp = tempPathFor(path)
    try {
      const handle = await open(fsPath(temp), 'wx')
      try {
        await handle.writeFile([...this.records.values()].map((record) => `${JSON.stringify(record)}\n`).join(''))
        await handle.datasync()
      } finally {
        await handle.close()
      }
      await rename(fsPath(temp), fsPath(path))
    } catch (error) {
      await unlink(fsPath(temp)).catch(() => undefined)
      throw error
    }
  }
}
