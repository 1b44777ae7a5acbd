// ECharts in React: only the chart kinds the apps use (a smaller bundle), resized with its box.
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { useEffect, useRef } from 'react'

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export type ChartOption = echarts.EChartsCoreOption

export function Chart({
  option,
  height = 280,
  onClick,
  label,
}: {
  option: ChartOption
  height?: number
  onClick?: (p: { name: string; dataIndex: number; data: unknown }) => void
  label: string
}) {
  const el = useRef<HTMLDivElement>(null)
  const chart = useRef<echarts.ECharts | null>(null)
  const click = useRef(onClick)
  click.current = onClick
  useEffect(() => {
    const c = echarts.init(el.current as HTMLDivElement)
    chart.current = c
    c.on('click', (p) => click.current?.(p as never))
    const ro = new ResizeObserver(() => c.resize())
    ro.observe(el.current as HTMLDivElement)
    return () => {
      ro.disconnect()
      c.dispose()
    }
  }, [])
  useEffect(() => {
    chart.current?.setOption(option, true)
  }, [option])
  return <div ref={el} role="img" aria-label={label} style={{ height, width: '100%', cursor: onClick ? 'pointer' : undefined }} />
}
