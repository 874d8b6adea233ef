import { describe, expect, it } from 'vitest';
import {
  checkPositive,
  DataError,
  formatIsoUs,
  formatIsoUsEach,
  fromNanos,
  IdSequence,
  parseDurationUs,
  parseIsoUs,
  US_PER_DAY,
} from '../../../../engine/core/index.js';

describe('time', () => {
  it('parses ISO dates and datetimes as UTC microseconds', () => {
    expect(parseIsoUs('1970-01-02')).toBe(US_PER_DAY);
    expect(parseIsoUs('2024-03-01T09:30:00Z')).toBe(Date.UTC(2024, 2, 1, 9, 30) * 1000);
    expect(parseIsoUs('2024-03-01 09:30:00.123456')).toBe(Date.UTC(2024, 2, 1, 9, 30) * 1000 + 123456);
    expect(parseIsoUs('2024-03-01T10:30:00+01:00')).toBe(Date.UTC(2024, 2, 1, 9, 30) * 1000);
  });

  it('rejects impossible dates naming the value', () => {
    expect(() => parseIsoUs('2024-02-30')).toThrow(/not a calendar date.*2024-02-30/);
    expect(() => parseIsoUs('yesterday', 'date')).toThrow(/invalid 'date': not an ISO-8601/);
  });

  it('formats microseconds back to ISO and keeps sub-millisecond digits', () => {
    expect(formatIsoUs(parseIsoUs('2024-03-01T09:30:00Z'))).toBe('2024-03-01T09:30:00.000Z');
    expect(formatIsoUs(parseIsoUs('2024-03-01T09:30:00.000250Z'))).toBe('2024-03-01T09:30:00.000250Z');
  });

  it('formats each time of a series as formatIsoUs does', () => {
    let seed = 0x9e3779b9;
    const rand = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const start = Date.UTC(2000, 0, 3) * 1000;
    const series: number[][] = [
      // 30-minute bars, a few with a gap, some on a microsecond, a time repeated.
      Array.from({ length: 5000 }, (_, i) => start + i * 1_800_000_000 + (i % 97 === 0 ? 7 : 0) + (i % 331 === 0 ? 86_400_000_000 : 0)),
      [start, start, start + 1, start + 1000, start - 1000, start],
      // Random times of any order, around the epoch, before year 0 and after 9999, the ends of toISOString's range.
      Array.from({ length: 5000 }, () => Math.round((rand() - 0.5) * 2 * 8.64e18 * (rand() < 0.5 ? 1e-6 : 1))),
      Array.from({ length: 5000 }, () => Math.floor(rand() * 4) * 86_400_000_000 + Math.floor(rand() * 48) * 1_800_000_000 - 3 * 86_400_000_000),
      [8.64e18, 8.64e18 - 86_400_000_000 + 1000, -8.64e18, -8.64e18 + 1000, 0, -1, -1000, 1],
    ];
    for (const s of series) expect(formatIsoUsEach(Float64Array.from(s))).toEqual(s.map((t) => formatIsoUs(t)));
    expect(formatIsoUsEach([start, start + 1_800_000_000])).toEqual(['2000-01-03T00:00:00.000Z', '2000-01-03T00:30:00.000Z']);
    expect(formatIsoUsEach([Date.UTC(10000, 0, 1) * 1000, Date.UTC(10000, 0, 1, 1) * 1000, Date.UTC(10000, 0, 1) * 1000])).toEqual(['+010000-01-01T00:00:00.000Z', '+010000-01-01T01:00:00.000Z', '+010000-01-01T00:00:00.000Z']);
    // Past toISOString's range the time throws, as formatIsoUs does, even on a day whose time of day was seen.
    expect(() => formatIsoUsEach([8.64e18 - 86_400_000_000 + 1000, 8.64e18, 8.64e18 + 1000])).toThrow(RangeError);
  });

  it('truncates nanoseconds to microseconds', () => {
    expect(fromNanos(1_700_000_000_123_456_789n)).toBe(1_700_000_000_123_456);
  });

  it('parses durations with units', () => {
    expect(parseDurationUs('90d')).toBe(90 * US_PER_DAY);
    expect(parseDurationUs('250ms')).toBe(250_000);
    expect(() => parseDurationUs('3 fortnights', 'train')).toThrow(/invalid 'train'/);
  });
});

describe('checks and errors', () => {
  it('names the parameter and the value', () => {
    expect(() => checkPositive(-1, 'qty')).toThrow("invalid 'qty': not positive, was -1");
    expect(() => checkPositive(Number.NaN, 'price')).toThrow("invalid 'price': not a finite number, was NaN");
  });

  it('data errors say file, row and column', () => {
    expect(new DataError('not a number', { file: 'a.csv', row: 3, column: 'close' }).message).toBe(
      "a.csv, row 3, column 'close': not a number",
    );
  });

  it('id sequences restart on reset so reruns produce the same ids', () => {
    const ids = new IdSequence('O');
    expect([ids.take(), ids.take()]).toEqual(['O-1', 'O-2']);
    ids.reset();
    expect(ids.take()).toBe('O-1');
  });
});
