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
  // The console's header holds up to ten pages: narrower items keep them all visible at 1,400 px.
  components: { Menu: { itemPaddingInline: 12, iconMarginInlineEnd: 6 } },
}

/** Tag colours with text dark enough for AA contrast (the preset tags' are not). */
export const TAG_STYLES: Record<'green' | 'red' | 'orange' | 'blue', { color: string; background: string; borderColor: string }> =
  {
    green: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' },
    red: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
    orange: { color: '#873800', background: '#fff7e6', borderColor: '#ffd591' },
    blue: { color: '#10239e', background: '#f0f5ff', borderColor: '#adc6ff' },
  }
