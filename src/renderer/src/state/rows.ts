/**
 * An append-mostly list that is cheap to update without mutation: items live in fixed-size
 * chunks, and an update copies only the chunks it touches. With 100,000 files and twenty
 * updates a second, copying the whole list each time would cost more than everything else.
 */

const CHUNK = 1024

export interface ChunkedList<T> {
  readonly length: number
  readonly chunks: readonly (readonly T[])[]
}

export function emptyList<T>(): ChunkedList<T> {
  return { length: 0, chunks: [] }
}

export function itemAt<T>(list: ChunkedList<T>, index: number): T | undefined {
  if (index < 0 || index >= list.length) return undefined
  return list.chunks[Math.floor(index / CHUNK)]?.[index % CHUNK]
}

export function toArray<T>(list: ChunkedList<T>): T[] {
  return list.chunks.flat() as T[]
}

/** Collects changes to a list, then yields a new list that shares every untouched chunk. */
export class ListDraft<T> {
  private readonly chunks: T[][]
  private readonly owned = new Set<number>()
  private length: number

  constructor(list: ChunkedList<T>) {
    this.chunks = list.chunks.slice() as T[][]
    this.length = list.length
  }

  /** Appends an item and returns its index. */
  push(item: T): number {
    const index = this.length
    const chunk = Math.floor(index / CHUNK)
    if (chunk === this.chunks.length) {
      this.chunks.push([])
      this.owned.add(chunk)
    }
    this.writable(chunk).push(item)
    this.length += 1
    return index
  }

  get(index: number): T | undefined {
    return index >= 0 && index < this.length ? this.chunks[Math.floor(index / CHUNK)]![index % CHUNK] : undefined
  }

  set(index: number, item: T): void {
    if (index < 0 || index >= this.length) throw new RangeError(`no item ${index} in a list of ${this.length}`)
    this.writable(Math.floor(index / CHUNK))[index % CHUNK] = item
  }

  finish(): ChunkedList<T> {
    return { length: this.length, chunks: this.chunks }
  }

  private writable(chunk: number): T[] {
    if (!this.owned.has(chunk)) {
      this.chunks[chunk] = this.chunks[chunk]!.slice()
      this.owned.add(chunk)
    }
    return this.chunks[chunk]!
  }
}
