// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { emptyList, itemAt, ListDraft, toArray } from '../../src/renderer/src/state/rows'

function listOf(count: number) {
  const draft = new ListDraft(emptyList<number>())
  for (let i = 0; i < count; i += 1) draft.push(i)
  return draft.finish()
}

describe('chunked list', () => {
  it('keeps items in order across chunks', () => {
    const list = listOf(3000)
    expect(list.length).toBe(3000)
    expect(toArray(list)).toEqual(Array.from({ length: 3000 }, (_, i) => i))
    expect(itemAt(list, 2999)).toBe(2999)
    expect(itemAt(list, 3000)).toBeUndefined()
    expect(itemAt(list, -1)).toBeUndefined()
  })

  it('an update copies only the chunks it touches and leaves the old list as it was', () => {
    const before = listOf(3000)
    const draft = new ListDraft(before)
    draft.set(5, -5)
    expect(draft.push(3000)).toBe(3000)
    const after = draft.finish()

    expect(itemAt(before, 5)).toBe(5)
    expect(before.length).toBe(3000)
    expect(itemAt(after, 5)).toBe(-5)
    expect(itemAt(after, 3000)).toBe(3000)
    expect(after.chunks[0]).not.toBe(before.chunks[0])
    expect(after.chunks[1]).toBe(before.chunks[1])
    expect(after.chunks[2]).not.toBe(before.chunks[2])
  })

  it('refuses to set an item that is not there', () => {
    expect(() => new ListDraft(listOf(2)).set(2, 0)).toThrow(RangeError)
  })
})
