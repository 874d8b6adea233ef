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
