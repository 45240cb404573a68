import type { Dimensions } from './batch'
import type { Mode, ResizeRule } from './recipe'

/**
 * How big an output is: a pure function of the displayed size and the rule, computed before
 * anything is decoded, so the plan a dry run prints is what the real run makes.
 */

/** A scale factor as a fraction, so the book's stride is exact integer arithmetic. */
interface Ratio {
  num: number
  den: number
}

function scaleOf(rule: ResizeRule, { width, height }: Dimensions): Ratio {
  switch (rule.kind) {
    case 'long':
      return { num: rule.size, den: Math.max(width, height) }
    case 'short':
      return { num: rule.size, den: Math.min(width, height) }
    case 'width':
      return { num: rule.size, den: width }
    case 'height':
      return { num: rule.size, den: height }
    case 'box':
      // The tighter side wins: min(W/w, H/h), compared without division.
      return rule.width * height <= rule.height * width ? { num: rule.width, den: width } : { num: rule.height, den: height }
    case 'percent':
      // Hundredths of a percent are the finest step the schema allows.
      return { num: Math.round(rule.percent * 100), den: 10_000 }
  }
}

/** An image already within the rule is never enlarged: it is copied (or only re-encoded). */
export const fitsRule = (rule: ResizeRule, shown: Dimensions): boolean => {
  const { num, den } = scaleOf(rule, shown)
  return num >= den
}

/**
 * The book's fast mode keeps every stride-th pixel: stride = ceil(1 / scale), which for the
 * book's square box is ceil(max(w/size, h/size)). ceil() keeps at least one pixel, so
 * 1-pixel strips and 10000×10 panoramas stay valid.
 */
export function strideOf(rule: ResizeRule, shown: Dimensions): number {
  const { num, den } = scaleOf(rule, shown)
  return Math.max(1, Math.floor((den + num - 1) / num))
}

/** The exact size of the output, as it will be made. */
export function outputSize(rule: ResizeRule, mode: Mode, shown: Dimensions): Dimensions {
  if (fitsRule(rule, shown)) return shown
  if (mode === 'stride') {
    const stride = strideOf(rule, shown)
    return { width: Math.ceil(shown.width / stride), height: Math.ceil(shown.height / stride) }
  }
  const { num, den } = scaleOf(rule, shown)
  return {
    width: Math.max(1, Math.round((shown.width * num) / den)),
    height: Math.max(1, Math.round((shown.height * num) / den))
  }
}
