import { useEffect, useState } from 'react'
import type { AppInfo } from '../../../shared/ipc'
import { useApi } from '../api-context'

/** The app's facts (cores, version); a page without them still works on the browser's core count. */
export function useAppInfo(): AppInfo | null {
  const api = useApi()
  const [info, setInfo] = useState<AppInfo | null>(null)
  useEffect(() => {
    let live = true
    api.appInfo().then(
      (value) => live && setInfo(value),
      () => live && setInfo({ cores: navigator.hardwareConcurrency || 1, version: '', platform: '' })
    )
    return () => {
      live = false
    }
  }, [api])
  return info
}
