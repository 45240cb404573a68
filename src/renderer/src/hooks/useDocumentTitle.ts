import { useEffect } from 'react'

/** Progress in the title shows in the taskbar and window switcher too. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title
  }, [title])
}
