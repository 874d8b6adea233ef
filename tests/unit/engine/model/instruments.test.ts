import { describe, expect, it } from 'vitest';
import { isFuture, roundToLot } from '../../../../engine/model/index.js';
import type { InstrumentSpec } from '../../../../engine/model/index.js';

describe('roundToLot', () => {
  it('rounds toward zero to whole lots, without float residue', () => {
    expect(roundToLot(0.0123456, 0.001)).toBe(0.012);
    expect(roundToLot(-0.0129, 0.001)).toBe(-0.012);
    expect(roundToLot(0.35, 0.1)).toBe(0.3);
    expect(roundToLot(2.7, 1)).toBe(2);
    expect(roundToLot(-2.7, 1)).toBe(-2);
    expect(roundToLot(0.0009, 0.001)).toBe(0);
    // A quantity a hair under a whole number of lots through float arithmetic keeps that lot.
    expect(roundToLot(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(roundToLot(1.23456, 0)).toBe(1.23456);
  });
});

describe('isFuture', () => {
  it('is true for the future asset class only', () => {
    const spec = (assetClass: InstrumentSpec['assetClass']): InstrumentSpec => ({ symbol: 'X', assetClass, multiplier: 1, tickSize: 0, lotSize: 0, currency: 'USD', initialMargin: null, maintenanceMargin: null });
    expect(isFuture(spec('future'))).toBe(true);
    expect(['equity', 'fx', 'crypto', 'option'].map((c) => isFuture(spec(c as InstrumentSpec['assetClass'])))).toEqual([false, false, false, false]);
    expect(isFuture(null)).toBe(false);
  });
});
