import { workerData } from 'node:worker_threads'
import sharp from 'sharp'
import type { PreviewInput, PreviewReply, WorkerInput } from './host-protocol'
import { makeOutputs } from './make'
import { previewOutputs } from './preview-make'

// One image per thread: libvips' own thread fan-out and cache would only fight the pool for
// the same cores and memory. Both settings are process-wide; every worker sets the same.
sharp.concurrency(1)
sharp.cache(false)

/** Set by the pool host when its batch is abandoned: nothing more may be published. */
const abandon = new Int32Array((workerData as { abandon: SharedArrayBuffer }).abandon)

export default (input: WorkerInput) => makeOutputs(input, () => Atomics.load(abandon, 0) === 1)

/** Named as the pool host asks for it (PREVIEW_EXPORT): a preview writes nothing, so it needs no abandon flag. */
export const preview: (input: PreviewInput) => Promise<PreviewReply> = previewOutputs
