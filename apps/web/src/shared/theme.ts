// One theme for both apps. Ant Design's default greys for secondary text and placeholders are
// below WCAG AA contrast (4.5:1) on white; these pass (the browser tests scan with axe).
import type { ThemeConfig } from 'antd'

export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#1458c8',
    colorLink: '#1458c8',
    colorSuccess: '#237804',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
  },
}
