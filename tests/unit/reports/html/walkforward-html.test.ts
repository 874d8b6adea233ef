import { describe, expect, it } from 'vitest';
import { efficiencyVerdict, maxDrawdownOf, renderWalkForwardHtml } from '../../../../reports/html/walkforward-html.js';
import { chartOption } from './chart-options.js';
import { sampleWalkForward } from './walkforward-fixture.js';

describe('renderWalkForwardHtml', () => {
  const wf = sampleWalkForward();
  const html = renderWalkForwardHtml(wf);

  it('has every section and draws the stitched curve and the IS/OOS bars', () => {
    for (const id of ['summary', 'stitched', 'is-oos', 'folds', 'setup']) expect(html, id).toContain(`<section id="${id}">`);
    expect(html).toContain('data-chart="wf-stitched"');
    expect(html).toContain('data-chart="wf-is-oos"');
  });

  it('explains the walk-forward efficiency and what it means for the decision', () => {
    expect(html).toContain('Walk-forward efficiency 0.40</b> (mostly fitted noise)');
    expect(html).toContain('divided by the mean annualized in-sample return of the chosen parameters, 15.00%');
    expect(html).toContain('Less than half of the in-sample performance survived');
  });

  it('lists every fold with its windows, chosen parameters and IS and OOS figures', () => {
    const table = html.slice(html.indexOf('id="fold-table"'), html.indexOf('</table>', html.indexOf('id="fold-table"')));
    const rows = table.split('<tr').slice(2);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('2023-03-03 to 2023-03-23');
    expect(rows[0]).toContain('fast=5, slow=20');
    expect(rows[0]).toContain('15.00%');
    expect(rows[1]).toContain('4 (1 failed)');
    expect(rows[2]).toContain('skipped');
    expect(rows[2]).toContain('no train trial had a finite fitness');
  });

  it('says why the efficiency is undefined when the in-sample return is not positive', () => {
    const page = renderWalkForwardHtml({ ...wf, efficiency: null, isAnnualizedReturn: -0.1 });
    expect(page).toContain('Walk-forward efficiency is undefined</b>: the in-sample return is not positive (-10.00%)');
  });

  it('draws nothing but says so when no test window produced returns', () => {
    const page = renderWalkForwardHtml({ ...wf, stitched: { equity: [1], foldOffsets: [0, 0, 0] } });
    expect(page).toContain('No test window produced returns: nothing to draw.');
  });

  it('gives the same bytes for the same input', () => {
    expect(renderWalkForwardHtml(sampleWalkForward())).toBe(html);
  });
});

describe('maxDrawdownOf', () => {
  it('is the largest fall below the running peak', () => {
    expect(maxDrawdownOf([1, 1.2, 0.9, 1.1, 0.6, 1.3])).toBeCloseTo(0.5, 12);
    expect(maxDrawdownOf([1, 1.1, 1.2])).toBe(0);
  });
});

describe('efficiencyVerdict', () => {
  it('reads the thresholds 0, 0.5 and 1.5', () => {
    expect([efficiencyVerdict(null), efficiencyVerdict(-0.1), efficiencyVerdict(0.3), efficiencyVerdict(0.5), efficiencyVerdict(2)]).toEqual(['undefined', 'lost out of sample', 'mostly fitted noise', 'held up out of sample', 'beat in-sample']);
  });
});

describe('renderWalkForwardHtml with many folds', () => {
  /** The sample's folds repeated to `n` (the chart layout depends only on their count and labels). */
  function manyFolds(n: number) {
    const wf = sampleWalkForward();
    const folds = Array.from({ length: n }, (_, i) => ({ ...wf.folds[i % wf.folds.length]!, index: i }));
    return { ...wf, folds, stitched: { ...wf.stitched, foldOffsets: folds.map((_, i) => Math.min(i, wf.stitched.equity.length - 1)) } };
  }
  const option = (html: string, name: string): unknown => chartOption(html, name);

  it('turns and thins the fold labels, hides the bar and band labels, and adds a range slider at 48 folds', () => {
    const html = renderWalkForwardHtml(manyFolds(48));
    const bars = option(html, 'wf-is-oos') as { xAxis: { data: string[]; axisLabel: { rotate: number; interval: string; hideOverlap: boolean } }; dataZoom: { type: string }[]; series: { label: { show: boolean } }[] };
    expect(bars.xAxis.data).toHaveLength(48);
    expect(bars.xAxis.data[0]).not.toContain('\n');
    expect(bars.xAxis.axisLabel).toMatchObject({ rotate: 40, interval: 'auto', hideOverlap: true });
    expect(bars.dataZoom.map((z) => z.type)).toEqual(['inside', 'slider']);
    expect(bars.series.map((s) => s.label.show)).toEqual([false, false]);
    const stitched = option(html, 'wf-stitched') as { series: { markArea: { label: { show: boolean } } }[] };
    expect(stitched.series[0]!.markArea.label.show).toBe(false);
  });

  it('keeps every label, on two lines, with a few folds', () => {
    const bars = option(renderWalkForwardHtml(manyFolds(3)), 'wf-is-oos') as { xAxis: { data: string[]; axisLabel: { rotate: number; interval: number } }; dataZoom?: unknown };
    expect(bars.xAxis.data[0]).toContain('\n');
    expect(bars.xAxis.axisLabel).toMatchObject({ rotate: 0, interval: 0 });
    expect(bars.dataZoom).toBeUndefined();
  });
});
