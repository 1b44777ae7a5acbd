// One case step as a form: asks for what the step requires (from the shared transition table)
// and sends it with the version the user saw — used by the console's workbench and the phone's
// verification list. A 409 (someone acted first) is reported to the caller to reload.
import { CASE_TRANSITIONS, type Requirement } from '@wangge/domain/case-workflow'
import { App, Button, Form, Input, InputNumber, Modal, Radio, Switch, Upload } from 'antd'
import { useState } from 'react'
import { ApiError, post, type Res } from './api'
import { useI18n } from './i18n'
import { upload } from './photos'

export type CaseView = Res<'/cases/{id}'>

/** Asks for what the step requires (from the shared table) and sends it with the version seen. */
export function ActionModal({
  caseView,
  action,
  onClose,
  onDone,
}: {
  caseView: CaseView
  action: string | null
  onClose(): void
  onDone(conflict: boolean): void
}) {
  const { t, action: label } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm()
  const [busy, setBusy] = useState(false)
  const requires: readonly Requirement[] = CASE_TRANSITIONS.find((x) => x.action === action)?.requires ?? []
  const has = (r: Requirement) => requires.includes(r)
  return (
    <Modal
      open={!!action}
      title={action ? label(action) : ''}
      onCancel={onClose}
      okText={t('submit')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form
        form={form}
        // A fresh form each time the dialog opens (it unmounts on close): resetting it in an effect
        // after opening could wipe what was already chosen.
        preserve={false}
        layout="vertical"
        onFinish={async (v: Record<string, unknown>) => {
          setBusy(true)
          try {
            const files = (v.photos as { originFileObj: File }[] | undefined) ?? []
            const photos = await Promise.all(files.map((f) => upload(f.originFileObj)))
            const body: Record<string, unknown> = { action, version: caseView.version }
            for (const k of ['reason', 'result', 'note', 'satisfaction', 'days', 'score', 'department'])
              if (v[k] !== undefined && v[k] !== '') body[k] = v[k]
            if (has('approval')) body.approve = v.approve ?? true
            if (has('target')) body.target = v.target
            if (photos.length) body.photos = photos
            await post(`/cases/${caseView.id}/actions`, body)
            onDone(false)
          } catch (e) {
            if (e instanceof ApiError && e.status === 409) onDone(true)
            else message.error(e instanceof Error ? e.message : String(e))
          } finally {
            setBusy(false)
          }
        }}
      >
        {has('reason') && (
          <Form.Item name="reason" label={t('reason')} rules={[{ required: true, whitespace: true }]}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        )}
        {has('result') && (
          <Form.Item name="result" label={t('result')} rules={[{ required: true, whitespace: true }]}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        )}
        {(has('evidence') || has('beforeAfterPhotos')) && (
          <Form.Item
            name="photos"
            label={t('photo')}
            valuePropName="fileList"
            getValueFromEvent={(e: { fileList: unknown[] }) => e.fileList}
            rules={[{ required: true }]}
          >
            <Upload beforeUpload={() => false} accept="image/jpeg,image/png,image/webp" listType="picture" multiple maxCount={9}>
              <Button>{t('photo')}</Button>
            </Upload>
          </Form.Item>
        )}
        {has('satisfaction') && (
          <Form.Item name="satisfaction" label={t('satisfaction')} rules={[{ required: true }]}>
            <Radio.Group
              options={[
                { value: 'satisfied', label: '满意 satisfied' },
                { value: 'basically_satisfied', label: '基本满意 basically' },
                { value: 'dissatisfied', label: '不满意 dissatisfied' },
              ]}
            />
          </Form.Item>
        )}
        {has('days') && (
          <Form.Item name="days" label="天数 days" rules={[{ required: true }]}>
            <InputNumber min={1} max={60} />
          </Form.Item>
        )}
        {has('approval') && (
          <Form.Item name="approve" label="批准 approve" valuePropName="checked" initialValue={true}>
            <Switch />
          </Form.Item>
        )}
        {has('score') && (
          <Form.Item name="score" label="评分 score" rules={[{ required: true }]}>
            <InputNumber min={1} max={5} />
          </Form.Item>
        )}
        {has('target') && (
          <Form.Item name="target" label="合并到 target" rules={[{ required: true }]}>
            <InputNumber min={1} />
          </Form.Item>
        )}
        {action === 'dispatch' && (
          <Form.Item name="department" label={t('department')}>
            <Input placeholder="routing decides" maxLength={40} />
          </Form.Item>
        )}
        <Form.Item name="note" label={t('note')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  )
}
