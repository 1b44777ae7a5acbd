// Cases handled by a department in the worker's grids, waiting for the on-site check: pass, or
// fail back to rework — with a photo, through the same step form as the console.
import { Button, List, Typography } from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { ActionModal, type CaseView } from '../shared/ActionModal'
import { get, type Page } from '../shared/api'
import { useI18n } from '../shared/i18n'

export function VerifyList() {
  const { t, action } = useI18n()
  const [items, setItems] = useState<CaseView[] | null>(null)
  const [acting, setActing] = useState<{ c: CaseView; a: string } | null>(null)
  const load = useCallback(() => {
    get<Page<CaseView>>('/cases?status=handled&pageSize=50').then(
      (p) => setItems(p.items),
      () => setItems([]),
    )
  }, [])
  useEffect(load, [load])
  return (
    <>
      <List
        loading={!items}
        header={t('verifyTasks')}
        locale={{ emptyText: t('nothing') }}
        dataSource={items ?? []}
        renderItem={(c) => (
          <List.Item
            data-testid="verify-item"
            style={{ paddingInline: 12 }}
            actions={c.actions
              .filter((a) => a.startsWith('verify_'))
              .map((a) => (
                <Button key={a} size="small" data-action={a} onClick={() => setActing({ c, a })}>
                  {action(a)}
                </Button>
              ))}
          >
            <List.Item.Meta title={c.number} description={<Typography.Text>{c.description}</Typography.Text>} />
          </List.Item>
        )}
      />
      {acting && (
        <ActionModal
          caseView={acting.c}
          action={acting.a}
          onClose={() => setActing(null)}
          onDone={() => {
            setActing(null)
            load()
          }}
        />
      )}
    </>
  )
}
