import type { Dimensions, ImageFormat, PlanAction, SourceInfo } from './batch'
import { fitsRule, outputSize } from './geometry'
import { naturalPath } from './names'
import type { OutputSpec, Recipe } from './recipe'

/**
 * What each output of a file would be from its header alone — copy or scale, its size, format
 * and name — before this batch's other files and the target are considered (src/core/plan.ts
 * does that). Pure, so the app's live name example is the plan's own answer.
 */

export interface NaturalOutput {
  output: number
  action: PlanAction
  size: Dimensions
  format: ImageFormat
  /** The name the template gives, before this batch's other files and the target are considered. */
  path: string
}

/** The format an output is written in: the source's own, or the recipe's. */
export const formatOf = (spec: OutputSpec, info: SourceInfo): ImageFormat =>
  spec.format !== 'same' ? spec.format : info.format === 'heic' ? 'jpeg' : info.format

/**
 * The original bytes are the output only when nothing would change them: the size fits, the
 * format is the source's, every piece of metadata is to be kept as it is, and no budget could
 * be broken by them. Anything else is made anew.
 */
function isCopy(spec: OutputSpec, info: SourceInfo): boolean {
  return (
    fitsRule(spec.resize, info.shown) &&
    formatOf(spec, info) === info.format &&
    spec.metadata === 'keep' &&
    !spec.srgb &&
    (spec.maxBytes === undefined || info.bytes <= spec.maxBytes)
  )
}

export function naturalOutputs(file: string, info: SourceInfo, recipe: Recipe): NaturalOutput[] {
  return recipe.outputs.map((spec, output) => {
    const size = outputSize(spec.resize, spec.mode, info.shown)
    const format = formatOf(spec, info)
    return { output, action: isCopy(spec, info) ? 'copy' : 'scale', size, format, path: naturalPath(spec, file, format, size, format !== info.format) }
  })
}
