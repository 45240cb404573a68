import { useState } from 'react'

/** `rem` in CSS pixels, read once: list rows follow the user's font size. */
export function useRem(rem: number): number {
  const [pixels] = useState(() => {
    const root = Number.parseFloat(getComputedStyle(document.documentElement).fontSize)
    return rem * (Number.isFinite(root) && root > 0 ? root : 16)
  })
  return pixels
}
