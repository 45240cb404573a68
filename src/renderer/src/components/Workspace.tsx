import { useAppInfo } from '../hooks/useAppInfo'
import { Session } from './Session'

/** Waits for the app's facts (the core count sets the default worker count), then shows the app. */
export function Workspace() {
  const info = useAppInfo()
  if (!info) return <p className="loading">Loading…</p>
  return <Session cores={info.cores} version={info.version} />
}
