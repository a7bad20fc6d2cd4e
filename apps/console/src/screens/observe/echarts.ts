/**
 * ECharts with only the parts the traffic dashboard draws: bar and line charts on a grid (time and
 * category axes), a legend and a canvas-drawn tooltip. Imported by the dashboard's lazy chunk
 * only, never by the console's first load.
 */
import { BarChart, type BarSeriesOption, LineChart, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
import { type ComposeOption, init, use as install } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

install([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

export { init };
