import { basename, isAbsolute } from 'node:path'
import { z } from 'zod'
import type { Preview } from '../shared/preview'
import { naturalOutputs } from '../shared/natural-plan'
import { LIMITS, firstProblem, recipeSchema, type Recipe } from '../shared/recipe'
import type { SkipReason } from '../shared/reasons'
import { ScaleError } from './errors'
import { hostEnvironment, type FromHost, type PreviewReply, type PreviewTask, type ProbeReply, type ProbeTask, type SpawnHost, type ToHost } from './host-protocol'
import { DEFAULT_HOST_TIMEOUT_MS } from './pool-client'

/**
 * A before/after preview of one source, for the app: probed, planned and encoded exactly as a
 * run would (the probe, naturalOutputs and the worker's own encoder), in a pool host of its
 * own, never in the caller's thread, and written nowhere. The host lives only as long as the
 * preview: it is killed when the preview is made, fails, or is no longer wanted.
 */

export interface PreviewRequest {
  /** Absolute path of the source file. */
  path: string
  recipe: Recipe
  maxPixels: number
}

export interface PreviewContext {
  spawnHost: SpawnHost
  /** The built worker file; only composition roots know it. */
  workerPath: string
  /** A newer preview is wanted: the host is killed and the preview rejects as canceled. */
  signal?: AbortSignal
  /** See DEFAULT_HOST_TIMEOUT_MS. */
  hostTimeoutMs?: number
}

const requestSchema = z.strictObject({
  path: z
    .string()
    .min(1, 'choose a file to preview')
    .max(LIMITS.path.max)
    .refine((path) => isAbsolute(path) && !path.includes('\0'), 'the file to preview must be an absolute path'),
  recipe: recipeSchema,
  maxPixels: z.number().int().min(LIMITS.maxPixels.min).max(LIMITS.maxPixels.max)
})

/** A file that cannot be read is the file's problem; one that is not a usable image, the request's. */
const UNREADABLE: readonly SkipReason[] = ['unreadable', 'special-file', 'source-changed']

const sourceProblem = (file: string, reason: SkipReason, message: string): ScaleError =>
  new ScaleError(UNREADABLE.includes(reason) ? 'source-unreadable' : 'bad-request', `cannot preview ${file}: ${message}`)

/**
 * Canceled, told both ways: the engine's error with code 'canceled' (as front ends branch on
 * it), named AbortError (as fetch and Node's own APIs say it), so either kind of caller knows.
 */
function canceled(): ScaleError {
  const error = new ScaleError('canceled', 'the preview was canceled')
  error.name = 'AbortError'
  return error
}

type Answer = Extract<FromHost, { type: 'probed' | 'previewed' }>

/** A host for one preview, asked one thing at a time; whatever ends it rejects what is asked. */
function previewHost(context: PreviewContext) {
  const timeoutMs = context.hostTimeoutMs ?? DEFAULT_HOST_TIMEOUT_MS
  const host = context.spawnHost([context.workerPath, '1'], hostEnvironment(1))
  let ended: ScaleError | null = null
  let waiting: { id: number; resolve(answer: Answer): void; reject(error: Error): void } | null = null
  let lastHeard = Date.now()
  let markExited = (): void => undefined
  const exited = new Promise<void>((resolve) => (markExited = resolve))

  const end = (error: ScaleError): void => {
    ended ??= error
    waiting?.reject(ended)
    waiting = null
  }
  host.onMessage((message) => {
    lastHeard = Date.now()
    const asked = waiting
    if (message.type === 'heartbeat' || message.type === 'made' || message.id !== asked?.id) return
    if (message.type === 'task-error') return end(new ScaleError('internal', `internal error while making the preview: ${message.message}`))
    waiting = null
    asked.resolve(message)
  })
  host.onExit((code, signal) => {
    end(new ScaleError('host-crashed', `the image pool ${signal ? `was killed by ${signal}` : `exited with code ${code}`} while it made the preview`))
    markExited()
  })
  const abort = (): void => {
    end(canceled())
    host.kill()
  }
  context.signal?.addEventListener('abort', abort, { once: true })
  // The host beats every second even while its worker decodes: silence means it is stuck.
  const watchdog = setInterval(() => {
    if (Date.now() - lastHeard <= timeoutMs) return
    end(new ScaleError('host-hung', `the image pool sent nothing for ${Math.round(timeoutMs / 1000)} s while it made the preview, and was stopped`))
    host.kill()
  }, Math.min(1000, timeoutMs / 4))

  const ask = (id: number, message: ToHost): Promise<Answer> =>
    new Promise((resolve, reject) => {
      if (ended) return reject(ended)
      waiting = { id, resolve, reject }
      lastHeard = Date.now()
      host.send(message)
    })

  return {
    probe: async (task: ProbeTask): Promise<ProbeReply> => {
      const answer = await ask(task.id, { type: 'probe', task })
      if (answer.type !== 'probed') throw new ScaleError('internal', 'the image pool answered a probe with a preview')
      return answer.reply
    },
    preview: async (task: PreviewTask): Promise<PreviewReply> => {
      const answer = await ask(task.id, { type: 'preview', task })
      if (answer.type !== 'previewed') throw new ScaleError('internal', 'the image pool answered a preview with a probe')
      return answer.reply
    },
    /** Kills the host and waits until it is gone: nothing of it outlives the preview. */
    close: async (): Promise<void> => {
      clearInterval(watchdog)
      context.signal?.removeEventListener('abort', abort)
      end(canceled())
      host.kill()
      await exited
    }
  }
}

export async function makePreview(request: PreviewRequest, context: PreviewContext): Promise<Preview> {
  const parsed = requestSchema.safeParse(request)
  if (!parsed.success) throw new ScaleError('bad-request', firstProblem(parsed.error, 'invalid preview request'))
  const { path, recipe, maxPixels } = parsed.data
  if (context.signal?.aborted) throw canceled()
  const file = basename(path)
  const host = previewHost(context)
  try {
    // One id for both: the host holds the probed bytes for the preview that follows.
    const id = 1
    const probed = await host.probe({ id, path, maxPixels, keep: true })
    if (!probed.ok) throw sourceProblem(file, probed.reason, probed.message)
    const { info, stamp } = probed
    // The run's own plan (copy or scale, size, format); with no target there are no names to resolve, so no collisions.
    const outputs = naturalOutputs(file, info, recipe).map(({ output, action, size, format }) => ({ output, action, size, format, spec: recipe.outputs[output]! }))
    const made = await host.preview({ id, path, stamp, info, maxPixels, outputs })
    if (!made.ok) throw sourceProblem(file, made.reason, made.message)
    return { file, original: { info, image: made.original }, outputs: made.outputs }
  } finally {
    await host.close()
  }
}
