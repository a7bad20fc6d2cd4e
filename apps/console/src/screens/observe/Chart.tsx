/**
 * One ECharts chart, sized by its container (re-laid out when the container resizes) and
 * announced by `label` as an image: the screen gives the same numbers as a table beside it.
 */
import { useEffect, useRef } from 'react';
import { type ChartOption, init } from './echarts';

export function Chart({ option, label }: { option: ChartOption; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof init>>(undefined);

  useEffect(() => {
    const element = container.current!;
    const drawn = init(element, undefined, { renderer: 'canvas' });
    chart.current = drawn;
    const resize = new ResizeObserver(() => drawn.resize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      drawn.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={container} className="chart" role="img" aria-label={label} />;
}
