import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { link, mkdir, readFile, readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import sharp from 'sharp'
import { expect } from 'vitest'
import type { BatchEvent, FileResult } from '../../src/shared/batch'
import { childPids } from '../cli/harness'

/** What the reliability tests share: finding the pool host, fingerprints of folders, cheap file sets. */

/** The pool host(s) a process forked: for the engine run in this test process, `process.pid`. */
export function hostPidsOf(parent: number): number[] {
  return childPids(parent).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('pool-host')
    } catch {
      return false
    }
  })
}

/** Waits for the one pool host of `parent` and returns its pid. */
export async function hostPidOf(parent: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const [pid] = hostPidsOf(parent)
    if (pid !== undefined) return pid
    if (Date.now() > deadline) throw new Error(`no pool host under pid ${parent} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Every file below a folder (links not followed) with the sha-256 of its bytes: what "untouched" means. */
export async function fingerprint(folder: string): Promise<Map<string, string>> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  const prints = new Map<string, string>()
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    prints.set(relative(folder, path), createHash('sha256').update(await readFile(path)).digest('hex'))
  }
  return prints
}

/** Each original is still there, byte for byte (new files may have been added beside them). */
export function expectUntouched(before: Map<string, string>, after: Map<string, string>): void {
  for (const [file, print] of before) expect(after.get(file), `original ${file} is byte-identical`).toBe(print)
}

/**
 * `count` tiny PNGs spread over folders of 1,000, as hard links to one file: thousands of
 * files in well under a second, each a real image the CLI must copy.
 */
export async function tinyFiles(root: string, source: string, count: number): Promise<void> {
  await mkdir(root, { recursive: true })
  const original = join(root, 'tiny-original.png')
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .png()
    .toFile(original)
  for (let start = 0; start < count; start += 1000) {
    const folder = join(source, `roll-${String(start / 1000).padStart(3, '0')}`)
    await mkdir(folder, { recursive: true })
    const batch: Promise<void>[] = []
    for (let i = start; i < Math.min(count, start + 1000); i += 1) batch.push(link(original, join(folder, `img-${String(i).padStart(5, '0')}.png`)))
    await Promise.all(batch)
  }
}

/** mulberry32: deterministic bytes for damaging files the same way every run. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const finishedResults = (events: readonly BatchEvent[]): FileResult[] =>
  events.flatMap((event) => (event.type === 'finished' ? [event.result] : []))

/** A file's reason, whether it was skipped or failed as a whole or in its one output. */
export function reasonOf(result: FileResult): string | undefined {
  if (result.outcome === 'skipped' || result.outcome === 'failed') return result.reason
  if (result.outcome === 'done') {
    const output = result.outputs[0]
    if (output && (output.outcome === 'skipped' || output.outcome === 'failed')) return output.reason
  }
  return undefined
}

/** The message of a file's result, whole-file or its one output's. */
export function messageOfResult(result: FileResult): string {
  if (result.outcome !== 'done') return result.message
  const output = result.outputs[0]
  return output && 'message' in output ? output.message : ''
}

/** Control characters a file name may smuggle into a terminal: everything below space but the newline, DEL and C1. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
