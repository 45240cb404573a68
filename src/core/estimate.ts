import sharp from 'sharp'
import type { Dimensions, SourceInfo } from '../shared/batch'
import { encodeAs, pipelineFor, pixelsFor, shapeOf, type PipelineInput } from './encode'
import type { MakeOutput } from './host-protocol'
import type { Decodable } from './heic'
import { readSourceMetadata } from './metadata'

/** What a dry run says each output would weigh, from sample encodes on a worker. */

/** The sample tiles a dry run encodes, at the output's own scale, to estimate its bytes. */
const TILE = 192
/** Where the tiles are centred, across and down: a 3×3 grid, so no one region decides. */
const TILE_CENTRES = [1 / 6, 3 / 6, 5 / 6]
/** A picture this small is almost all headers and metadata: what every size of it carries. */
const HEADER_SIDE = 8

const pixelsOf = (size: Dimensions): number => size.width * size.height

/** Nine tiles on a grid over the picture, clipped to it. */
function tilesOf({ width, height }: Dimensions): { left: number; top: number; width: number; height: number }[] {
  const side = (length: number) => Math.min(TILE, length)
  const at = (length: number, quarter: number) => Math.max(0, Math.min(length - side(length), Math.round(length * quarter - side(length) / 2)))
  return TILE_CENTRES.flatMap((y) => TILE_CENTRES.map((x) => ({ left: at(width, x), top: at(height, y), width: side(width), height: side(height) })))
}

/**
 * A dry run's estimate. Bytes per pixel fall as pictures grow, so a small downscale would
 * overestimate: the output is resized at its real size once, nine tiles of it are encoded as
 * the output would be, and their bytes per pixel are scaled to the whole, plus the headers and
 * metadata measured on a tiny encode. A picture of at most nine tiles is simply encoded; a
 * byte budget caps the estimate. (A copy needs no estimate: it is the source's own size.)
 */
export async function estimateOutput(decodable: Promise<Decodable>, output: MakeOutput, info: SourceInfo, maxPixels: number): Promise<number | null> {
  try {
    const source = await decodable
    if (!source.ok) return null
    const { data } = source
    const metadata = await readSourceMetadata(data, output.spec, output.format).catch(() => ({ hasExif: false }))
    const input: PipelineInput = { data, info, spec: output.spec, metadata, maxPixels, strict: false }
    const encoding = { format: output.format, size: output.size }
    const cap = (bytes: number): number => Math.round(output.spec.maxBytes === undefined ? bytes : Math.min(bytes, output.spec.maxBytes))
    if (pixelsOf(output.size) <= TILE_CENTRES.length ** 2 * TILE * TILE || shapeOf(info, output.format).keepFrames) return cap((await pipelineFor(input, encoding).toBuffer()).length)
    const long = Math.max(output.size.width, output.size.height)
    const tiny = { width: Math.max(1, Math.round((output.size.width * HEADER_SIDE) / long)), height: Math.max(1, Math.round((output.size.height * HEADER_SIDE) / long)) }
    const headers = (await pipelineFor(input, { ...encoding, size: tiny }).toBuffer()).length
    const { data: pixels, info: raw } = await pixelsFor(input, encoding).raw().toBuffer({ resolveWithObject: true })
    const asRaw = { raw: { width: raw.width, height: raw.height, channels: raw.channels } }
    const bare = (await encodeAs(sharp(pixels, asRaw).extract({ left: 0, top: 0, width: 1, height: 1 }), output.spec, encoding).toBuffer()).length
    let bytes = 0
    let sampled = 0
    for (const tile of tilesOf(output.size)) {
      bytes += (await encodeAs(sharp(pixels, asRaw).extract(tile), output.spec, encoding).toBuffer()).length - bare
      sampled += tile.width * tile.height
    }
    return cap(headers + Math.max(0, bytes) * (pixelsOf(output.size) / sampled))
  } catch {
    return null
  }
}
