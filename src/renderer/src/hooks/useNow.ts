import { useEffect, useState } from 'react'

/** performance.now(), refreshed every interval while active, so clocks move between updates. */
export function useNow(active: boolean, intervalMs = 500): number {
  const [now, setNow] = useState(() => performance.now())
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => setNow(performance.now()), intervalMs)
    return () => clearInterval(timer)
  }, [active, intervalMs])
  return now
}
