// A page of a list from the API as a table whose rows open a record (20 a page).
import { Table, type TableColumnsType } from 'antd'
import type { Page } from './api'

export function PagedTable<T extends { id: number }>({
  page,
  n,
  onPage,
  onOpen,
  columns,
}: {
  page: Page<T> | null
  n: number
  onPage(n: number): void
  onOpen(id: number): void
  columns: TableColumnsType<T>
}) {
  return (
    <Table<T>
      rowKey="id"
      size="middle"
      loading={!page}
      dataSource={page?.items ?? []}
      onRow={(r) => ({ onClick: () => onOpen(r.id), style: { cursor: 'pointer' } })}
      pagination={{ current: n, pageSize: 20, total: page?.total ?? 0, onChange: onPage, showSizeChanger: false }}
      columns={columns}
    />
  )
}
