import { describe, expect, it } from 'vitest';
import { csvTapeChunks, csvTime, formatSpread, parseTimeLine, spread } from '../../../bench/process.js';

describe('bench/process.ts helpers of the whole-process benchmarks', () => {
  it('spread gives the median (mean of the middle two for an even count), min and max', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 10, 2])).toEqual({ median: 3, min: 1, max: 10 });
    expect(spread([0.5])).toEqual({ median: 0.5, min: 0.5, max: 0.5 });
    expect(() => spread([])).toThrow('spread of no values');
    expect(formatSpread({ median: 1.234, min: 1.2, max: 1.31 })).toBe('1.23 s (1.20-1.31)');
  });

  it('csvTime writes UTC as "YYYY-MM-DD HH:MM:SS"', () => {
    expect(csvTime(Date.UTC(2000, 0, 3, 0, 30))).toBe('2000-01-03 00:30:00');
    expect(csvTime(Date.UTC(2024, 11, 31, 23, 59, 5))).toBe('2024-12-31 23:59:05');
  });

  it('csvTapeChunks writes the header, one bar per interval, a continuous walk with low <= open,close <= high', () => {
    const text = [...csvTapeChunks(5, { intervalMinutes: 30, seed: 1, startMs: Date.UTC(2000, 0, 3), chunkBars: 2 })].join('');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('Date,Open,High,Low,Close,Volume');
    expect(lines.length).toBe(6);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => r[0])).toEqual(['2000-01-03 00:00:00', '2000-01-03 00:30:00', '2000-01-03 01:00:00', '2000-01-03 01:30:00', '2000-01-03 02:00:00']);
    expect(rows[0]![1]).toBe('1');
    for (let i = 0; i < rows.length; i++) {
      const [open, high, low, close, volume] = rows[i]!.slice(1).map(Number) as [number, number, number, number, number];
      expect(low).toBeLessThanOrEqual(Math.min(open, close));
      expect(high).toBeGreaterThanOrEqual(Math.max(open, close));
      expect(Math.abs(close / open - 1)).toBeLessThanOrEqual(0.002 + 1e-6);
      expect(Number.isInteger(volume) && volume >= 1000 && volume < 10_000).toBe(true);
      if (i > 0) expect(open).toBe(Number(rows[i - 1]![4])); // each bar opens at the close before
    }
    // The same arguments give the same bytes, whatever the chunking; another seed another walk.
    expect([...csvTapeChunks(5, { seed: 1, chunkBars: 3 })].join('')).toBe(text);
    expect([...csvTapeChunks(5, { seed: 2 })].join('')).not.toBe(text);
  });

  it('parseTimeLine reads GNU time\'s marked line (user, system, max RSS in KiB) and removes it from stderr', () => {
    const r = parseTimeLine('progress\n@@bench-time@@ 1.50 0.25 204800\n');
    expect(r.cpu).toBeCloseTo(1.75, 12);
    expect(r.peakMiB).toBe(200);
    expect(r.rest).toBe('progress\n');
    expect(parseTimeLine('no line here')).toEqual({ cpu: null, peakMiB: null, rest: 'no line here' });
    // A failed child: GNU time's own status line goes too, so the child's last line is the error.
    const failed = parseTimeLine('tapedeck: Invalid string length\nCommand exited with non-zero status 1\n@@bench-time@@ 0.10 0.02 1024\n');
    expect(failed.cpu).toBeCloseTo(0.12, 12);
    expect(failed.peakMiB).toBe(1);
    expect(failed.rest).toBe('tapedeck: Invalid string length\n');
  });
});
