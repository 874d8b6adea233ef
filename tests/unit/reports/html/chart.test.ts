import { describe, expect, it } from 'vitest';
import { ChartRenderError, renderChart } from '../../../../reports/html/chart.js';

const SIZE = { width: 200, height: 120 };

describe('renderChart (ECharts core with the parts the reports use)', () => {
  it('draws the series and components the reports use', () => {
    const svg = renderChart(
      'parts',
      {
        title: { text: 't' },
        legend: { data: ['a', 'b'] },
        grid: { left: 30, right: 10, top: 20, bottom: 20 },
        xAxis: { type: 'category', data: ['x', 'y'] },
        yAxis: { type: 'value' },
        series: [
          { name: 'a', type: 'line', data: [1, 2], markLine: { data: [{ yAxis: 1 }] }, markArea: { data: [[{ xAxis: 'x' }, { xAxis: 'y' }]] } },
          { name: 'b', type: 'bar', data: [2, 1] },
          { type: 'scatter', data: [1, 1] },
        ],
      } as never,
      SIZE,
    );
    expect(svg).toContain('<figure class="chart" data-chart="parts">');
    expect(svg).toContain('<path');
    const heat = renderChart(
      'heat',
      {
        xAxis: { type: 'category', data: ['x', 'y'] },
        yAxis: { type: 'category', data: ['u', 'v'] },
        visualMap: { type: 'continuous', min: 0, max: 1, show: false },
        series: [{ type: 'heatmap', data: [[0, 0, 0.5], [1, 1, 1]] }],
      } as never,
      SIZE,
    );
    expect(heat).toContain('<path');
  });

  it('refuses an option that needs a series or a component that is not registered, naming it (ECharts would only warn and draw without it)', () => {
    const render = (option: unknown) => () => renderChart('missing', option as never, SIZE);
    expect(render({ series: [{ type: 'pie', data: [1, 2] }] })).toThrow(ChartRenderError);
    expect(render({ series: [{ type: 'pie', data: [1, 2] }] })).toThrow("cannot render chart 'missing': it uses ECharts series 'pie', not registered in reports/html/chart.ts");
    expect(render({ xAxis: { type: 'value' }, yAxis: { type: 'value' }, tooltip: {}, series: [{ type: 'line', data: [[1, 2]] }] })).toThrow("component 'tooltip'");
    expect(render({ xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: [{ type: 'line', data: [[1, 2]], markPoint: { data: [] } }] })).toThrow("component 'markPoint'");
  });
});
