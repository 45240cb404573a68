/**
 * Every reason a file or an output is not made, with the words people see for it. The code is
 * what front ends count and scripts match; the label is what the summary says.
 */

export const SKIP_LABELS = {
  'not-an-image': 'not an image',
  'unsupported-format': 'unsupported format',
  corrupt: 'damaged or corrupt',
  unreadable: 'cannot be read',
  'too-large': 'too large',
  'special-file': 'not a regular file',
  'outside-source': 'link out of the source',
  'folder-link': 'link to a folder of the source',
  'source-changed': 'changed while read',
  'target-exists': 'target exists',
  'over-budget': 'does not fit the byte budget',
  'already-done': 'already done'
} as const

export const FAIL_LABELS = {
  'no-space': 'disk full',
  'not-writable': 'target not writable',
  'write-error': 'write error',
  'target-changed': 'target folder changed',
  'host-crashed': 'image pool crashed',
  'host-hung': 'image pool stopped answering',
  'metadata-unsafe': 'location could not be removed',
  internal: 'internal error'
} as const

export type SkipReason = keyof typeof SKIP_LABELS
export type FailReason = keyof typeof FAIL_LABELS

export const SKIP_REASONS = Object.keys(SKIP_LABELS) as SkipReason[]
export const FAIL_REASONS = Object.keys(FAIL_LABELS) as FailReason[]

/**
 * Reasons that say the batch is doing what was asked (resuming, keeping what is there), not
 * that something is wrong: they are not listed under "problems".
 */
export const EXPECTED_SKIPS: readonly SkipReason[] = ['already-done', 'target-exists', 'folder-link']

/**
 * Why a batch could not start: the request itself is wrong (exit 2 in the CLI, a message on
 * the form in the app). Every other error is a failure while working (exit 1).
 */
export const REQUEST_ERRORS = [
  'bad-request',
  'source-missing',
  'source-not-folder',
  'source-unreadable',
  'target-not-folder',
  'target-not-writable',
  'pseudo-fs',
  'same-folder',
  'source-inside-target',
  'overwrite-in-source'
] as const
export type RequestError = (typeof REQUEST_ERRORS)[number]

export const isRequestError = (code: string): code is RequestError => (REQUEST_ERRORS as readonly string[]).includes(code)

/** Every code a problem can carry: the request errors, the failures, and the few of the engine and IPC. */
export type ProblemCode = RequestError | FailReason | 'host-unstable' | 'canceled' | 'busy' | 'unknown-channel' | 'invalid-request'

/** A problem as it crosses a boundary (IPC, a refused start, a batch that stopped): a stable code and a sentence. */
export interface Problem {
  code: ProblemCode
  message: string
}
