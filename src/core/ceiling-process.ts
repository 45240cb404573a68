import { readFile } from 'node:fs/promises'
import sharp from 'sharp'

/**
 * One process of the machine's ceiling (see ceiling.ts): it shares nothing with its siblings —
 * its own libvips, one thread, its own files, read into memory before the start — and makes
 * each file as the tool would (decode, fit in the box, encode to its own format), then says how
 * long that took.
 */

sharp.concurrency(1)
sharp.cache(false)

interface Job {
  files: string[]
  size: number
}

const send = (message: unknown): void => void process.send?.(message)

process.once('message', (job: Job) => {
  void (async () => {
    // Read, and their formats known, before the start: the tool probes in its host before a worker takes a file.
    const sources = await Promise.all(job.files.map(async (file) => {
      const data = await readFile(file)
      return { data, format: (await sharp(data).metadata()).format ?? 'jpeg' }
    }))
    send({ type: 'ready' })
    process.once('message', () => {
      void (async () => {
        const started = performance.now()
        for (const { data, format } of sources) {
          await sharp(data).autoOrient().resize(job.size, job.size, { fit: 'inside', withoutEnlargement: true }).toFormat(format).toBuffer()
        }
        send({ type: 'done', ms: performance.now() - started })
      })()
    })
  })()
})
