import type { ImageScaleApi } from '../../../shared/api'
import { ApiContext } from '../api-context'
import { Workspace } from './Workspace'

/** The whole page; `api` is the preload's window.api (or a stand-in in tests). */
export function App({ api }: { api: ImageScaleApi }) {
  return (
    <ApiContext value={api}>
      <Workspace />
    </ApiContext>
  )
}
