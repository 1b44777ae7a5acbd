// Cases handled by a department in the worker's grids, waiting for the on-site check: pass, or
// fail back to rework — with a photo, through the same step form as the console.
import { Button, Typography } from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { ActionModal, type CaseView } from '../shared/ActionModal'
import { get, type Page } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { RowItem, Rows } from '../shared/Rows'

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
      <Rows
        loading={!items}
        header={t('verifyTasks')}
        empty={t('nothing')}
        items={items}
        rowKey={(c) => c.id}
        render={(c) => (
          <RowItem
            data-testid="verify-item"
            title={c.number}
            description={<Typography.Text>{c.description}</Typography.Text>}
            extra={c.actions
              .filter((a) => a.startsWith('verify_'))
              .map((a) => (
                <Button key={a} size="small" data-action={a} onClick={() => setActing({ c, a })}>
                  {action(a)}
                </Button>
              ))}
          />
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
