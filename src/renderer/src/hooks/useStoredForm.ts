import { useEffect, useState, type Dispatch, type SetStateAction } from 'react'
import { restoreForm, serializeForm, STORAGE_KEY, type FormValues } from '../state/settings'

function read(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY)
  } catch {
    return null
  }
}

/** The form, remembered across restarts; storage that is missing, full or garbled is no error. */
export function useStoredForm(cores: number): [FormValues, Dispatch<SetStateAction<FormValues>>] {
  const [form, setForm] = useState(() => restoreForm(read(), cores))
  useEffect(() => {
    try {
      localStorage.setItem(STORAGE_KEY, serializeForm(form))
    } catch {
      // Private mode or a full quota: the settings just are not remembered this time.
    }
  }, [form])
  return [form, setForm]
}
