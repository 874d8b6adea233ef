import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { CHART_SCRIPT } from '../../../../reports/html/chart-script.js';
import { chartNumber, compactNumberLabel, echartsLibrary, fmt, percentAxisLabel, renderChart, renderChartPieces, scriptJson, timeTooltip } from '../../../../reports/html/chart.js';
import { formatPercent } from '../../../../reports/html/format.js';

const SIZE = { width: 200, height: 120 };

/** The chart script's formatter registry, built in a sandbox whose `echarts` is absent (the script stops after defining it). */
function browserFormatters(): Record<string, (arg?: unknown) => (...a: unknown[]) => string> {
  const exported = CHART_SCRIPT.replace("if(typeof echarts==='undefined')return;", 'globalThis.F=F;return;');
  const sandbox: Record<string, unknown> = {};
  runInNewContext(exported, sandbox);
  return sandbox.F as never;
}

describe('renderChart (an option drawn by the page in the browser)', () => {
  it('writes a named container with the option as JSON, the caption and the zoom group', () => {
    const html = renderChart('eq', { series: [{ type: 'line', data: [[1, 2]] }], yAxis: { axisLabel: { formatter: fmt('percentAxis') } } }, SIZE, 'a <caption>', 'run');
    expect(html).toMatch(/^<figure class="chart" data-chart="eq"><div class="echart" role="img" aria-label="a &lt;caption&gt;" style="height:120px" data-group="run"><\/div><script type="application\/json" class="chart-option">/);
    const json = /<script type="application\/json" class="chart-option">(.*?)<\/script>/.exec(html)![1]!;
    const option = JSON.parse(json) as Record<string, unknown>;
    expect(option.animation).toBe(false);
    expect(option.useUTC).toBe(true);
    expect(option.yAxis).toEqual({ axisLabel: { formatter: { $fmt: 'percentAxis' } } });
    expect(html).toContain('<figcaption>a &lt;caption&gt;</figcaption>');
  });

  it('gives the option\'s JSON as a piece of its own, the markup around it in the others', () => {
    const option = { series: [{ type: 'line', data: [[1, 0.1 + 0.2]] }] };
    const pieces = renderChartPieces('eq', option, SIZE, 'caption', 'run', 'canvas');
    expect(pieces.join('')).toBe(renderChart('eq', option, SIZE, 'caption', 'run', 'canvas'));
    expect(JSON.parse(pieces[1])).toEqual({ ...(JSON.parse(/class="chart-option">(.*?)<\/script>/.exec(renderChart('eq', option, SIZE))![1]!) as object) });
    expect(pieces[1]).toContain('[[1,0.3]]');
    expect(pieces[0].endsWith('<script type="application/json" class="chart-option">')).toBe(true);
    expect(pieces[2]).toBe('</script><figcaption>caption</figcaption></figure>');
  });

  it('keeps 8 significant digits of small fractions and three decimals of large numbers (a time in ms keeps its microseconds)', () => {
    expect(chartNumber(0.012345678912)).toBe(0.012345679);
    expect(chartNumber(-75.85899999999965)).toBe(-75.859);
    expect(chartNumber(1_700_000_000_123.456789)).toBe(1_700_000_000_123.457);
    expect(chartNumber(1_234_567.891)).toBe(1_234_567.891);
    expect(chartNumber(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(scriptJson([0.1 + 0.2, 1e12 + 0.0004])).toBe('[0.3,1000000000000]');
  });

  it('rounds by arithmetic exactly as by toPrecision (a property test over many doubles, ties and edges included)', () => {
    // The rounding before the fast path: chartNumber must give the same double (the same bytes of JSON) for every input.
    const byText = (v: number): number => (Number.isInteger(v) || !Number.isFinite(v) ? v : Math.abs(v) >= 1e6 ? Math.round(v * 1000) / 1000 : Number(v.toPrecision(8)));
    const bits = new DataView(new ArrayBuffer(8));
    const step = (v: number, by: bigint): number => {
      bits.setFloat64(0, v);
      bits.setBigUint64(0, bits.getBigUint64(0) + by);
      return bits.getFloat64(0);
    };
    let seed = 0x2545f491;
    const rand = (): number => {
      // xorshift32: the same doubles every run.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const values: number[] = [0.1 + 0.2, 5e-324, 1e-15, 1e-16, 9.999999999999999e-16, 999_999.9999999999, 1e6 - 1e-10, 0.5, 1.5, 2.5e-7];
    for (let i = 0; i < 300_000; i++) {
      // Magnitudes 1e-18 to 1e7, either sign, every digit random.
      const v = (rand() + rand() * 1e-8) * 10 ** Math.floor(rand() * 25 - 18);
      values.push(rand() < 0.5 ? -v : v);
    }
    for (let i = 0; i < 100_000; i++) {
      // A random 64-bit pattern (NaN, infinities and subnormals included).
      bits.setUint32(0, (rand() * 2 ** 32) >>> 0);
      bits.setUint32(4, (rand() * 2 ** 32) >>> 0);
      values.push(bits.getFloat64(0));
    }
    for (let i = 0; i < 100_000; i++) {
      // Eight digits and a half (a tie toPrecision breaks upward), and the doubles either side of it.
      const n = 10_000_000 + Math.floor(rand() * 90_000_000);
      const v = (n + 0.5) / 10 ** Math.floor(rand() * 23);
      values.push(v, step(v, 1n), step(v, -1n), -v);
    }
    for (let k = -20; k <= 7; k++) {
      // Powers of ten and their neighbours (where log10 may be a digit off), and 9.9999999 below them.
      const v = Number(`1e${k}`);
      values.push(v, step(v, 1n), step(v, -1n), step(v, 3n), step(v, -3n), v * 0.99999999, v * 0.999999995, v * 1.000000005);
    }
    let differing = 0;
    for (const v of values) if (!Object.is(chartNumber(v), byText(v))) differing++;
    expect(values.length).toBeGreaterThan(750_000);
    expect(differing).toBe(0);
  });

  it('escapes text that would end the script element', () => {
    expect(scriptJson({ name: '</script><script>alert(1)</script>' })).toBe('{"name":"\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"}');
    const html = renderChart('x', { title: { text: '</script>' } }, SIZE);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
  });

  it('reads the ECharts library ahead, on libuv\'s threads, the bytes the page then inlines', async () => {
    vi.resetModules();
    const fresh = await import('../../../../reports/html/chart.js');
    const reading = fresh.prefetchEchartsLibrary();
    expect(fresh.prefetchEchartsLibrary()).toBe(reading);
    await reading;
    const bytes = fresh.echartsLibraryBytes();
    expect(fresh.echartsLibraryBytes()).toBe(bytes);
    expect(bytes.equals(readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js')))).toBe(true);
    await fresh.prefetchEchartsLibrary();
    expect(fresh.echartsLibraryBytes()).toBe(bytes);
  });

  it('inlines the installed ECharts browser build, which has no script end tag in it', () => {
    const lib = echartsLibrary();
    expect(lib.length).toBeGreaterThan(500_000);
    expect(lib).toContain('echarts');
    expect(lib.includes('</script')).toBe(false);
  });
});

describe('the chart script formatters', () => {
  const F = browserFormatters();

  it('match the server side axis labels and percentages', () => {
    const percent = F.percentAxis!();
    const compact = F.compact!();
    for (const v of [0, 0.125, -0.0333, 0.5, 1.234, -2, 0.05]) expect(percent(v)).toBe(percentAxisLabel(v));
    for (const v of [0, 12.345, 9999, 12_500, -125_000, 1_250_000, 3.2e9]) expect(compact(v)).toBe(compactNumberLabel(v));
    for (const v of [0.12345, -0.5, 0]) expect(F.percent!(2)(v)).toBe(formatPercent(v, 2));
    expect(F.fixed!(1)(1.26)).toBe('1.3');
    expect(F.amount!(0)(1234567.6)).toBe('1,234,568');
    expect(F.amount!(2)(-999.5)).toBe('-999.50');
    expect(F.amount!(0)(Number.NaN)).toBe('n/a');
  });

  it('builds an axis tooltip with the UTC date and each value in its format, and a marker tip only near the hovered time', () => {
    const option = timeTooltip({ Equity: ['compact'], Drawdown: ['percent', 1] }, 1000) as { formatter: { $fmt: string; arg: unknown } };
    const tooltip = F[option.formatter.$fmt]!(option.formatter.arg);
    const t = Date.UTC(2021, 2, 4);
    const html = tooltip([
      { axisValue: t, marker: '*', seriesName: 'Equity', value: [t, 125_000], data: [t, 125_000] },
      { axisValue: t, marker: '*', seriesName: 'Drawdown', value: [t, -0.0512], data: [t, -0.0512] },
      { axisValue: t, marker: '*', seriesName: 'Entries', value: [t + 500, 1], data: { value: [t + 500, 1], tip: 'long 5 <entered>' } },
      { axisValue: t, marker: '*', seriesName: 'Exits', value: [t + 5000, 1], data: { value: [t + 5000, 1], tip: 'far away' } },
    ]);
    expect(html).toBe('<div style="font-weight:600">2021-03-04</div><div>*Equity: <b>125k</b></div><div>*Drawdown: <b>-5.1%</b></div><div>*long 5 &lt;entered&gt;</div>');
    expect(tooltip([{ axisValue: t + 90_061_000, marker: '', seriesName: 'x', value: [0, 2], data: [0, 2] }])).toContain('2021-03-05 01:01:01');
  });
});
