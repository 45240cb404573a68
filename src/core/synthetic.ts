import sharp, { type Sharp } from 'sharp'

/**
 * Deterministic photo-like pictures: smooth light, edges and fine grain, so that JPEG
 * sizes and decode costs resemble a camera's, not a flat test card's. The same seed
 * always gives the same pixels, which keeps the demo set and the tests reproducible.
 */

/** mulberry32: tiny, fast, and good enough for grain. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface SyntheticOptions {
  width: number
  height: number
  seed?: number
  /** Grain amplitude in 8-bit levels; cameras show a few. */
  grain?: number
  channels?: 3 | 4
}

export function syntheticPhoto({ width, height, seed = 1, grain = 10, channels = 3 }: SyntheticOptions): Sharp {
  const next = random(seed)
  const pixels = Buffer.alloc(width * height * channels)
  const fx = 2 + next() * 6
  const fy = 2 + next() * 6
  const hue = next() * Math.PI * 2
  const discs = Array.from({ length: 6 }, () => ({ x: next() * width, y: next() * height, r: (0.05 + next() * 0.2) * Math.max(width, height) }))
  let at = 0
  for (let y = 0; y < height; y += 1) {
    const v = y / height
    for (let x = 0; x < width; x += 1) {
      const u = x / width
      const wave = Math.sin(u * fx * Math.PI + hue) * Math.cos(v * fy * Math.PI)
      let light = 110 + 70 * wave
      for (const d of discs) {
        const dx = x - d.x
        const dy = y - d.y
        if (dx * dx + dy * dy < d.r * d.r) light += 35
      }
      const noise = (next() - 0.5) * 2 * grain
      pixels[at++] = clamp(light + 60 * Math.sin(hue) + noise)
      pixels[at++] = clamp(light + 30 * Math.cos(u * 3 + hue) + noise)
      pixels[at++] = clamp(light - 40 * Math.sin(v * 4 + hue) + noise)
      if (channels === 4) pixels[at++] = clamp(255 - 200 * u)
    }
  }
  return sharp(pixels, { raw: { width, height, channels } })
}

const clamp = (value: number): number => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value))
