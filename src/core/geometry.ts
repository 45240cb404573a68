import type { Dimensions } from '../shared/batch'

/** An image is copied, not scaled, when its displayed size already fits the square box. */
export const fitsWithin = ({ width, height }: Dimensions, size: number): boolean =>
  width <= size && height <= size

/**
 * The book's fast mode: keep every stride-th pixel in both directions.
 * ceil() keeps at least one pixel, so 1-pixel strips and 10000×10 panoramas stay valid.
 */
export function strideOf({ width, height }: Dimensions, size: number): number {
  return Math.ceil(Math.max(width / size, height / size))
}

export function strideDimensions(input: Dimensions, size: number): Dimensions {
  const stride = strideOf(input, size)
  return { width: Math.ceil(input.width / stride), height: Math.ceil(input.height / stride) }
}
