import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import { REGIME_NAMES, REGIME_TABLE, regimeParameters } from '../../../../engine/ensemble/index.js';

describe('the seed-000 regime table', () => {
  it('holds the four regimes with the ranges of the seed', () => {
    expect(REGIME_NAMES).toEqual(['trending', 'ranging', 'volatile', 'mixed']);
    expect(REGIME_TABLE.trending).toEqual({ lambda: { min: 50, max: 100 }, eta: { min: 0.08, max: 0.12 }, wMax: 0.3, rebalance: { kind: 'periodic', everyDays: 7 } });
    expect(REGIME_TABLE.volatile.rebalance).toEqual({ kind: 'hold' });
  });

  it('returns the midpoint of the ranges by default and the ends at positions 0 and 1', () => {
    expect(regimeParameters('ranging')).toEqual({ regime: 'ranging', lambda: 150, eta: 0.045, wMax: 0.25, rebalanceEveryUs: US_PER_DAY });
    expect(regimeParameters('volatile', 0)).toMatchObject({ lambda: 200, eta: 0.1, wMax: 0.2, rebalanceEveryUs: null });
    expect(regimeParameters('mixed', 1)).toMatchObject({ lambda: 150, eta: 0.08, rebalanceEveryUs: 3 * US_PER_DAY });
  });

  it('rejects an unknown regime and a position outside [0, 1], naming them', () => {
    expect(() => regimeParameters('sideways')).toThrow(/'regime': not one of trending, ranging, volatile, mixed, was "sideways"/);
    expect(() => regimeParameters('trending', 2)).toThrow(/'position'/);
  });
});
