import { describe, expect, it } from 'vitest';
import { cumulativePnlByStrategy, strategyAttribution } from '../../../../reports/html/attribution.js';

const t = (strategyId: string, pnl: number, exitTime: string, commission = 1) => ({ strategyId, pnl, commission, exitTime });

describe('strategyAttribution', () => {
  it('sums realized PnL, commissions and wins per strategy in the listed order', () => {
    const rows = strategyAttribution([t('b', 30, '2023-01-02'), t('a', -10, '2023-01-03'), t('b', -20, '2023-01-04'), t('c', 40, '2023-01-05')], ['a', 'b', 'idle']);
    expect(rows.map((r) => r.strategyId)).toEqual(['a', 'b', 'idle', 'c']);
    expect(rows[1]).toEqual({ strategyId: 'b', trades: 2, pnl: 10, commission: 2, winRate: 0.5, shareOfAbsPnl: 10 / 60 });
    expect(rows[2]).toEqual({ strategyId: 'idle', trades: 0, pnl: 0, commission: 0, winRate: null, shareOfAbsPnl: 0 });
  });

  it('has no share when every PnL is zero', () => {
    expect(strategyAttribution([t('a', 0, '2023-01-01')])[0]!.shareOfAbsPnl).toBeNull();
  });
});

describe('cumulativePnlByStrategy', () => {
  it('accumulates each strategy in exit-time order', () => {
    const c = cumulativePnlByStrategy([t('a', 5, '2023-01-03'), t('a', 2, '2023-01-01'), t('b', -1, '2023-01-02')]);
    expect(c.get('a')).toEqual([
      ['2023-01-01', 2],
      ['2023-01-03', 7],
    ]);
    expect(c.get('b')).toEqual([['2023-01-02', -1]]);
  });
});
