import { useEffect, useEffectEvent, useState } from 'react'
import type { FolderPurpose } from '../../../shared/ipc'
import { useApi } from '../api-context'

const carriesFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') ?? false

/** The field a drop landed on, marked in the page with data-drop="source|target". */
function dropTarget(event: DragEvent): FolderPurpose | null {
  const element = event.target instanceof Element ? event.target.closest('[data-drop]') : null
  const purpose = element?.getAttribute('data-drop')
  return purpose === 'source' || purpose === 'target' ? purpose : null
}

/** A dropped item's real path, and whether it is a folder (else a file). */
export interface Dropped {
  path: string
  folder: boolean
}

/** Whether the n-th dropped item is a folder: Chromium says so through its file-system entry. */
function isFolder(event: DragEvent, index: number): boolean {
  const entry = event.dataTransfer?.items?.[index]?.webkitGetAsEntry?.()
  return entry ? entry.isDirectory : true
}

/**
 * Folders (or files) dropped anywhere on the window, resolved to real paths by the preload.
 * Drops are always swallowed, so a stray file never navigates the page away.
 * Returns whether files are being dragged over the window right now.
 */
export function useFolderDrop(enabled: boolean, onDrop: (dropped: Dropped[], onto: FolderPurpose | null) => void): boolean {
  const api = useApi()
  const [dragging, setDragging] = useState(false)
  const handleDrop = useEffectEvent((event: DragEvent) => {
    const files = Array.from(event.dataTransfer?.files ?? [])
    const dropped = files.flatMap((file, index) => {
      const path = api.pathForDroppedFile(file)
      return path === null ? [] : [{ path, folder: isFolder(event, index) }]
    })
    if (enabled && dropped.length > 0) onDrop(dropped, dropTarget(event))
  })
  const isEnabled = useEffectEvent(() => enabled)

  useEffect(() => {
    const over = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      if (event.dataTransfer) event.dataTransfer.dropEffect = isEnabled() ? 'copy' : 'none'
      setDragging(isEnabled())
    }
    const leave = (event: DragEvent): void => {
      // relatedTarget is null only when the pointer leaves the window itself.
      if (event.relatedTarget === null) setDragging(false)
    }
    const drop = (event: DragEvent): void => {
      event.preventDefault()
      setDragging(false)
      handleDrop(event)
    }
    window.addEventListener('dragenter', over)
    window.addEventListener('dragover', over)
    window.addEventListener('dragleave', leave)
    window.addEventListener('drop', drop)
    return () => {
      window.removeEventListener('dragenter', over)
      window.removeEventListener('dragover', over)
      window.removeEventListener('dragleave', leave)
      window.removeEventListener('drop', drop)
    }
  }, [])
  return dragging && enabled
}
