// Department names for codes (责任部门), in the UI's language.
import { useCallback, useEffect, useState } from 'react'
import { get, type Item } from './api'
import { useI18n } from './i18n'

type Department = Item<'/departments'>

/** A function naming a department code ('—' for none), loaded once per page. */
export function useDepartments() {
  const { lang } = useI18n()
  const [departments, setDepartments] = useState<Department[]>([])
  useEffect(() => {
    get<Department[]>('/departments').then(setDepartments, () => setDepartments([]))
  }, [])
  // (The same function until the list or the language changes: pages memoise on it.)
  return useCallback(
    (code: string | null) => departments.find((d) => d.code === code)?.[lang === 'zh' ? 'name' : 'nameEn'] ?? code ?? '—',
    [departments, lang],
  )
}
