import type { Dimensions } from '../shared/batch'
import { formatBytes } from '../shared/format'
import { pipelineFor, qualityOf, type Encoding, type PipelineInput } from './encode'

/**
 * The byte budget (`--max-bytes`): the best quality that fits, found by bisection on quality
 * down to a floor; when even the floor is too big, the picture is made smaller (by the square
 * root of how far over it is, as bytes go roughly with pixels) and the search runs again.
 */

/** Below this, JPEG, WebP and AVIF photos show blocks and smears: smaller pixels look better. */
export const QUALITY_FLOOR = 40
/** Rounds of shrinking before the budget is declared impossible. */
const ROUNDS = 6
/** Smaller than this, an output is no longer the picture it was asked to be. */
const SMALLEST_SIDE = 16

export type Fitted = { ok: true; data: Buffer; size: Dimensions; note: string } | { ok: false; message: string }

export async function fitBudget(input: PipelineInput, encoding: Encoding, budget: number): Promise<Fitted> {
  const asked = qualityOf(input.spec, encoding.format)
  const encode = (size: Dimensions, quality?: number): Promise<Buffer> =>
    pipelineFor(input, { format: encoding.format, size, ...(quality === undefined ? {} : { quality }) }).toBuffer()
  const fits = `to fit ${formatBytes(budget)}`
  let size = encoding.size
  let smallest = Infinity
  for (let round = 0; round < ROUNDS; round += 1) {
    if (asked === null) {
      const data = await encode(size)
      if (data.length <= budget) return { ok: true, data, size, note: `made ${size.width}×${size.height} ${fits}` }
      smallest = data.length
    } else {
      const floor = Math.min(QUALITY_FLOOR, asked)
      let low = floor
      let high = asked
      let best: { data: Buffer; quality: number } | null = null
      while (low <= high) {
        const quality = Math.floor((low + high) / 2)
        const data = await encode(size, quality)
        if (data.length <= budget) {
          best = { data, quality }
          low = quality + 1
        } else {
          if (quality === floor) smallest = data.length
          high = quality - 1
        }
      }
      if (best) {
        const resized = round > 0 ? `made ${size.width}×${size.height} at ` : ''
        return { ok: true, data: best.data, size, note: `${resized}quality ${best.quality} ${fits}` }
      }
    }
    const factor = Math.sqrt(budget / smallest) * 0.9
    const next = { width: Math.floor(size.width * factor), height: Math.floor(size.height * factor) }
    if (Math.min(next.width, next.height) < SMALLEST_SIDE) break
    size = next
  }
  return { ok: false, message: `cannot fit ${formatBytes(budget)}, even at ${asked === null ? '' : `quality ${QUALITY_FLOOR} and `}a smaller size (its metadata alone may be too big)` }
}
