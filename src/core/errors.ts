import type { FailReason, ProblemCode } from '../shared/reasons'

/**
 * The one error type of the engine: a stable code a front end can count or branch on, and a
 * sentence a person can read. Request errors (bad folders, bad options) stop a batch before
 * it starts; per-file problems never throw out of the engine, they become results.
 */
export class ScaleError extends Error {
  constructor(
    readonly code: Exclude<ProblemCode, 'busy' | 'unknown-channel' | 'invalid-request'>,
    message: string
  ) {
    super(message)
    this.name = 'ScaleError'
  }
}

export const errnoOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * libvips' error buffer is shared by every thread, so lines after the first may belong to
 * another image at work at the same moment: only the first is this file's.
 */
export const decoderMessageOf = (error: unknown): string => messageOf(error).trim().split('\n')[0] ?? ''

/** Why a source whose pixels the decoder refused is skipped as corrupt, in the decoder's words. */
export const cannotDecode = (format: string, decoder: string): string => `damaged or incomplete ${format.toUpperCase()}, it cannot be decoded (${decoder})`

/** Maps a write failure to what the user can do about it. */
export function failureOf(error: unknown): { reason: FailReason; message: string } {
  if (error instanceof ScaleError) {
    // A folder that cannot be made (a file sits in its place) is one the user must fix, like a read-only one.
    if (error.code === 'target-changed') return { reason: 'target-changed', message: error.message }
    return { reason: 'not-writable', message: error.message }
  }
  switch (errnoOf(error)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { reason: 'no-space', message: 'the target disk is full; nothing was left behind' }
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return { reason: 'not-writable', message: `the target folder is not writable (${errnoOf(error)})` }
    default:
      return { reason: 'write-error', message: `could not write the output: ${messageOf(error)}` }
  }
}
