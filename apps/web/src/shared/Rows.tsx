// A phone-sized list: a heading, rows with a title, a secondary line, and actions or a tag on
// the right — in place of antd's `List` (deprecated in antd 6). Plain <ul>/<li> for screen readers.
import { Empty, Skeleton, Typography } from 'antd'
import type { CSSProperties, ReactNode } from 'react'

export function Rows<T>({
  items,
  render,
  rowKey,
  loading,
  header,
  empty,
  style,
}: {
  items: readonly T[] | null | undefined
  render: (item: T) => ReactNode
  rowKey: (item: T) => string | number
  loading?: boolean
  header?: ReactNode
  empty?: string
  style?: CSSProperties
}) {
  return (
    <div style={style}>
      {header && (
        <Typography.Text strong style={{ display: 'block', padding: '8px 0', borderBottom: '1px solid #f0f0f0' }}>
          {header}
        </Typography.Text>
      )}
      {loading ? (
        <Skeleton active />
      ) : items?.length ? (
        <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {items.map((x) => (
            <li key={rowKey(x)} style={{ borderBottom: '1px solid #f0f0f0' }}>
              {render(x)}
            </li>
          ))}
        </ul>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty} />
      )}
    </div>
  )
}

/** One row: what it is (title, a secondary line) and, on the right, its actions or tag. */
export function RowItem({
  title,
  description,
  extra,
  style,
  ...rest
}: {
  title: ReactNode
  description?: ReactNode
  extra?: ReactNode
  style?: CSSProperties
  'data-testid'?: string
}) {
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '10px 12px', ...style }} {...rest}>
      <div style={{ flex: 1, minWidth: 0 }}>
        <div>{title}</div>
        {description && <div>{description}</div>}
      </div>
      {extra && <div style={{ flexShrink: 0, display: 'flex', gap: 6 }}>{extra}</div>}
    </div>
  )
}
