import { useEffect, useReducer, type ActionDispatch } from 'react'
import { useApi } from '../api-context'
import { batchReducer, initialBatchState, type BatchAction, type BatchState } from '../state/batch'

/** The batch as the updates from main describe it; subscribed for the page's whole life. */
export function useBatch(): [BatchState, ActionDispatch<[BatchAction]>] {
  const api = useApi()
  const [state, dispatch] = useReducer(batchReducer, initialBatchState)
  useEffect(() => api.onUpdate((update) => dispatch({ type: 'update', update, receivedAt: performance.now() })), [api])
  return [state, dispatch]
}
