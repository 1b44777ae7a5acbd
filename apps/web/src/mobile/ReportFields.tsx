// The two fields a report is about, the same on the report form and when a refused report is
// corrected: its class (from the cached catalog, searchable by code and name) and its description.
import { Form, Input, Select } from 'antd'
import type { Item } from '../shared/api'
import { useI18n } from '../shared/i18n'

export function ReportFields({ catalog }: { catalog: Item<'/catalog'>[] }) {
  const { t, lang } = useI18n()
  return (
    <>
      <Form.Item name="catalog" label={t('catalog')} rules={[{ required: true }]}>
        <Select
          showSearch={{ optionFilterProp: 'label' }}
          options={catalog.map((e) => ({ value: e.code, label: `${e.code} ${lang === 'zh' ? e.name : e.nameEn}` }))}
        />
      </Form.Item>
      <Form.Item name="description" label={t('description')} rules={[{ required: true, whitespace: true }]}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    </>
  )
}
