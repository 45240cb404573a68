import { stat } from 'node:fs/promises'
import { fsPath } from './paths'
import type { ScanEntry } from './scan'

/**
 * The scan's files, largest first (by bytes; ties keep the order found), so that no big file is
 * left to run alone at the end while the other workers idle. Every file must be found before
 * the first is given, so the work starts only once the walk is done; entries that are skipped
 * anyway are passed on at once. A file that cannot be measured goes last and is reported by
 * the usual path.
 */
export async function* largestFirst(entries: AsyncIterable<ScanEntry>): AsyncGenerator<ScanEntry> {
  const files: { entry: ScanEntry; size: number }[] = []
  for await (const entry of entries) {
    if (entry.kind === 'skip') {
      yield entry
      continue
    }
    files.push({ entry, size: await stat(fsPath(entry.path)).then((stats) => stats.size, () => -1) })
  }
  files.sort((a, b) => b.size - a.size)
  for (const { entry } of files) yield entry
}
