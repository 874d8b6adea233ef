import { describe, expect, it } from 'vitest';
import {
  checkPositive,
  DataError,
  formatIsoUs,
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
