import { useEffect, useEffectEvent } from 'react'

/** Calls handler when key is pressed anywhere in the window, while enabled. */
export function useKeyDown(key: string, handler: () => void, enabled: boolean): void {
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.key !== key || event.defaultPrevented || event.isComposing) return
    event.preventDefault()
    handler()
  })
  useEffect(() => {
    if (!enabled) return
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [enabled])
}
