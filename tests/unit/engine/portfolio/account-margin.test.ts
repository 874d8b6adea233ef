import { describe, expect, it } from 'vitest';
import type { InstrumentSpec } from '../../../../engine/model/index.js';
import { Account, Portfolio } from '../../../../engine/portfolio/index.js';
import type { AccountConfig } from '../../../../engine/portfolio/index.js';

const spec = (symbol: string, assetClass: 'equity' | 'future', multiplier: number, initialMargin: number | null, maintenanceMargin: number | null): InstrumentSpec => ({
  symbol,
  assetClass,
  multiplier,
  tickSize: 0,
  lotSize: 0,
  currency: 'USD',
  initialMargin,
  maintenanceMargin,
});

// Every way a position is margined: notional spot, a future with per-contract margins, one with only
// an initial margin (maintenance falls back to it), one margined on notional, a symbol not marked yet,
// a flat one (+0 and -0), and fractional quantities and prices whose sums round.
// (XYZ's quantity x price x multiplier x margin fraction rounds differently when associated otherwise.)
const SPECS: (InstrumentSpec | null)[] = [null, spec('ES', 'future', 50, 12_000.5, 11_000.25), spec('NQ', 'future', 20, 17_600.3, null), spec('CL', 'future', 1000, null, null), spec('XYZ', 'equity', 2.9, null, null), null, null, null];
const NET = [123.7, -3, 2, -1.5, 7.7, 4.2, 0, -0];
const MARKS = [101.37, 5012.25, 17_890.5, 78.13, 55.55, Number.NaN, 55.5, 66.6];

/** An account over SPECS holding `net` (default NET) at MARKS. */
function account(config: AccountConfig, net: readonly number[] = NET): { account: Account; portfolio: Portfolio } {
  const portfolio = new Portfolio(SPECS.length, 1, 1_000_000, SPECS.map((s) => s?.multiplier ?? 1), SPECS.map((s) => s?.assetClass === 'future'));
  portfolio.netPosition.set(net);
  portfolio.mark.set(MARKS);
  return { account: new Account(config, portfolio, SPECS), portfolio };
}

/** The margin in use as the requirements of each margined position at its mark (0 when unmarked), summed in symbol order. */
function expected(a: Account, config: AccountConfig, initial: boolean, net: readonly number[] = NET): number {
  let m = 0;
  for (let i = 0; i < net.length; i++) {
    const q = net[i]!;
    if (q === 0 || !(config.type === 'margin' || a.isFuture(i))) continue;
    const p = MARKS[i]! === MARKS[i]! ? MARKS[i]! : 0;
    m += initial ? a.initialRequirement(i, q, p) : a.maintenanceRequirement(i, q, p);
  }
  return m;
}

describe('margin in use', () => {
  const configs: AccountConfig[] = [
    { type: 'margin', insufficientFunds: 'reject', initialMargin: 0.37, maintenanceMargin: 0.29, borrowRate: 0, marginCall: 'liquidate' },
    { type: 'cash', insufficientFunds: 'reject', initialMargin: 1, maintenanceMargin: 1, borrowRate: 0, marginCall: 'none' },
  ];
  for (const config of configs) {
    it(`is the sum of the positions' requirements to the bit (${config.type} account)`, () => {
      const { account: a } = account(config);
      const initial = expected(a, config, true);
      const maintenance = expected(a, config, false);
      expect(initial).toBeGreaterThan(0);
      expect(maintenance).toBeGreaterThan(0);
      expect(maintenance).not.toBe(initial);
      expect(a.initialMarginInUse()).toBe(initial);
      expect(a.maintenanceMarginInUse()).toBe(maintenance);
      const sample = new Float64Array(7);
      sample[1] = 2_000_000;
      a.sampleInto(sample);
      expect(sample[4]).toBe(initial);
    });

    it(`is each position's requirement to the bit, one position at a time (${config.type} account)`, () => {
      for (let i = 0; i < NET.length; i++) {
        const net = NET.map((q, j) => (j === i ? q : 0));
        const { account: a } = account(config, net);
        expect(a.initialMarginInUse()).toBe(expected(a, config, true, net));
        expect(a.maintenanceMarginInUse()).toBe(expected(a, config, false, net));
      }
    });
  }

  it('is 0 for a cash account without futures', () => {
    const portfolio = new Portfolio(2, 1, 1000);
    portfolio.netPosition.set([5, -2]);
    portfolio.mark.set([10, 20]);
    const a = new Account({ type: 'cash', insufficientFunds: 'reject', initialMargin: 1, maintenanceMargin: 1, borrowRate: 0, marginCall: 'none' }, portfolio);
    expect(a.initialMarginInUse()).toBe(0);
    expect(a.maintenanceMarginInUse()).toBe(0);
  });
});
