import { describe, expect, it } from 'vitest';
import { formatCount, formatDurationUs, formatMoney, formatNumber, formatPercent, shortTime } from '../../../../reports/html/format.js';
import { escapeHtml } from '../../../../reports/html/escape.js';

describe('report formatting', () => {
  it('shows fractions as percentages and null or non-finite values as n/a', () => {
    expect(formatPercent(0.0123)).toBe('1.23%');
    expect(formatPercent(-0.5, 1)).toBe('-50.0%');
    expect(formatPercent(null)).toBe('n/a');
    expect(formatPercent(Number.NaN)).toBe('n/a');
    expect(formatNumber(undefined)).toBe('n/a');
  });

  it('never shows a negative zero', () => {
    expect(formatPercent(-0.00001, 1)).toBe('0.0%');
    expect(formatNumber(-0.001)).toBe('0.00');
    expect(formatMoney(-0.001)).toBe('0.00');
  });

  it('groups thousands in money and counts', () => {
    expect(formatMoney(1234567.891)).toBe('1,234,567.89');
    expect(formatMoney(-1234.5)).toBe('-1,234.50');
    expect(formatCount(2016)).toBe('2,016');
  });

  it('formats as the regular expressions that define the formats (every table cell runs the loops that replaced them)', () => {
    const noNegativeZero = (text: string) => (/^-0(\.0*)?$/.test(text) ? text.slice(1) : text);
    const money = (x: number, digits: number) => {
      const abs = Math.abs(x).toFixed(digits);
      const sign = x < 0 && /[1-9]/.test(abs) ? '-' : '';
      const [int, frac] = abs.split('.');
      const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
      return frac === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${frac}`;
    };
    const values = [0, -0, 0.004, -0.004, -0.005, 0.5, -0.5, 1, -1, 12.345, -999.995, 1000, -1000, 123456.789, 1234567.891, -98765432.1, 1e15, 1e20, -1e21, 1.5e21, 3e25, 5e-7, -5e-7];
    for (const x of values) {
      for (const digits of [0, 1, 2, 4]) {
        expect(formatMoney(x, digits), `${x} ${digits}`).toBe(money(x, digits));
        expect(formatNumber(x, digits), `${x} ${digits}`).toBe(noNegativeZero(x.toFixed(digits)));
        expect(formatPercent(x, digits), `${x} ${digits}`).toBe(`${noNegativeZero((x * 100).toFixed(digits))}%`);
      }
    }
    expect(formatMoney(-1e21)).toBe('-1e+21');
    expect(formatNumber(-0.0001, 0)).toBe('0');
    const short = (iso: string) => (iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('T', ' ').replace(/\.000Z$/, 'Z'));
    for (const iso of ['2023-01-02T14:30:00.000Z', '2023-01-02T14:30:00.123Z', '2023-01-02T14:30:00.123456Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T10:00:00.000Z', 'no time', 'T.000Z', '2023-01-02']) {
      expect(shortTime(iso), iso).toBe(short(iso));
    }
  });

  it('writes durations in the largest readable unit', () => {
    expect(formatDurationUs(34_128_000_000_000)).toBe('395.0 d');
    expect(formatDurationUs(5_400_000_000)).toBe('1.5 h');
    expect(formatDurationUs(90_000_000)).toBe('1.5 min');
    expect(formatDurationUs(null)).toBe('n/a');
  });

  it('shortens midnight timestamps to the date', () => {
    expect(shortTime('2023-01-02T00:00:00.000Z')).toBe('2023-01-02');
    expect(shortTime('2023-01-02T14:30:00.000Z')).toBe('2023-01-02 14:30:00Z');
  });

  it('escapes the HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
