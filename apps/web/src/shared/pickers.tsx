// Pickers instead of codes: a region tree (the user's region, opened level by level, or searched
// by name, pinyin, initials or code on the server) and the event/component catalog (searched by
// name, code or pinyin initials). Both hold the code as their value, so forms keep sending codes.
import { REGION_LEVELS, type RegionLevel } from '@wangge/domain/regions'
import { Select, TreeSelect } from 'antd'
import { pinyin } from 'pinyin-pro'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { get, type Item, type Page, type Res } from './api'
import { useI18n } from './i18n'

type Entry = Item<'/catalog'>
type Node = { id: string; pId: string | null; value: string; title: string; isLeaf: boolean; selectable: boolean }

/** A class's pinyin initials (暴露垃圾 → blljl), for a picker's search. */
export const initials = (s: string) => pinyin(s, { pattern: 'first', toneType: 'none', type: 'array' }).join('')

/**
 * A region of `root` or below (a tree opened level by level; typing searches the server). `levels`
 * limits what may be chosen (e.g. communities only); `deepest` is the last level shown.
 */
export function RegionPicker({
  root,
  value,
  onChange,
  levels,
  deepest = 'community',
  ...rest
}: {
  root: string
  value?: string
  onChange?: (code: string) => void
  levels?: readonly RegionLevel[]
  deepest?: RegionLevel
  'aria-label'?: string
  style?: React.CSSProperties
}) {
  const { lang } = useI18n()
  const [nodes, setNodes] = useState<Node[]>([])
  const [found, setFound] = useState<Node[] | null>(null)
  const asked = useRef(0)
  const choosable = levels?.join(',') ?? ''
  const node = useCallback(
    (r: { code: string; name: string; level: string }, parent: string | null): Node => ({
      id: r.code,
      pId: parent,
      value: r.code,
      title: r.name,
      isLeaf: r.level === deepest,
      selectable: !choosable || choosable.split(',').includes(r.level),
    }),
    [deepest, choosable],
  )
  useEffect(() => {
    get<Res<'/regions/{code}'>>(`/regions/${root}`).then(
      (r) => setNodes([node(r, null)]),
      () => setNodes([]),
    )
  }, [root, node])
  const loadData = async (d: { value?: unknown }) => {
    const id = typeof d.value === 'string' ? d.value : undefined
    if (!id) return
    const r = await get<Res<'/regions/{code}'>>(`/regions/${id}`)
    setNodes((ns) => [...ns, ...r.children.filter((c) => !ns.some((n) => n.id === c.code)).map((c) => node(c, id))])
  }
  const search = async (q: string) => {
    const n = ++asked.current
    if (!q.trim()) return setFound(null)
    const r = await get<Page<Item<'/regions'>>>(`/regions?q=${encodeURIComponent(q.trim())}&within=${root}&pageSize=30`)
    if (n !== asked.current) return
    setFound(
      r.items
        .filter((x) => REGION_LEVELS.indexOf(x.level) <= REGION_LEVELS.indexOf(deepest))
        .map((x) => ({ ...node(x, null), isLeaf: true })),
    )
  }
  return (
    <TreeSelect
      {...rest}
      showSearch
      treeDataSimpleMode
      treeData={found ?? nodes}
      loadData={found ? undefined : loadData}
      value={value}
      onChange={(v: string) => {
        // A region found by search stays known, so the field can name it.
        const hit = found?.find((n) => n.value === v)
        if (hit) setNodes((ns) => (ns.some((n) => n.id === v) ? ns : [...ns, hit]))
        setFound(null)
        onChange?.(v)
      }}
      onSearch={search}
      filterTreeNode={false}
      placeholder={lang === 'zh' ? '选择或输入名称、拼音首字母' : 'Choose, or type a name or initials'}
      popupMatchSelectWidth={false}
      data-testid="region-picker"
    />
  )
}

/** A subclass of the catalog, searched by name, code or pinyin initials. */
export function CatalogPicker({
  value,
  onChange,
  filter,
  ...rest
}: {
  value?: string
  onChange?: (code: string) => void
  filter?: (e: Entry) => boolean
  'aria-label'?: string
  style?: React.CSSProperties
}) {
  const { lang } = useI18n()
  const [catalog, setCatalog] = useState<(Entry & { py: string })[]>([])
  useEffect(() => {
    get<Entry[]>('/catalog').then(
      (rows) => setCatalog(rows.map((r) => ({ ...r, py: initials(r.name) }))),
      () => setCatalog([]),
    )
  }, [])
  const options = useMemo(
    () =>
      catalog
        .filter((c) => (filter ? filter(c) : c.active))
        .map((c) => ({
          value: c.code,
          label: `${c.code} ${lang === 'zh' ? c.name : c.nameEn}`,
          search: `${c.code} ${c.name} ${c.nameEn} ${c.py}`.toLowerCase(),
        })),
    [catalog, filter, lang],
  )
  return (
    <Select
      {...rest}
      showSearch
      value={value}
      onChange={onChange}
      placeholder={lang === 'zh' ? '名称、编码或拼音首字母' : 'Name, code or pinyin initials'}
      optionFilterProp="search"
      options={options}
      filterOption={(input, o) => String((o as { search: string }).search).includes(input.toLowerCase())}
      popupMatchSelectWidth={false}
    />
  )
}
