import { createContext, use } from 'react'
import type { ImageScaleApi } from '../../shared/api'

/** The preload's window.api, handed down so components never reach for a global. */
export const ApiContext = createContext<ImageScaleApi | null>(null)

export function useApi(): ImageScaleApi {
  const api = use(ApiContext)
  if (!api) throw new Error('useApi needs an <ApiContext> provider')
  return api
}
