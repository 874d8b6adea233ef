import { describe, expect, it } from 'vitest';
import {
  AdaptiveWeights,
  ShadowBook,
  SetupHistory,
  StrategyRetirement,
  checkEnsembleHealth,
  compositeScore,
  decomposePerformance,
  regimeAlignment,
  scoreSignal,
  strategyStats,
} from '../../../../../engine/ensemble/index.js';
import type { StrategyStats } from '../../../../../engine/ensemble/index.js';

const stats = (o: Partial<StrategyStats>): StrategyStats => ({
  periods: 10,
  totalReturn: 0,
  sharpe: 0,
  maxDrawdown: 0,
  tradeCount: 20,
  winRate: 0.5,
  profitFactor: 1,
  expectancy: 0,
  meanAbsTrade: 1,
  ...o,
});

describe('strategyStats', () => {
  it('computes returns, drawdown and trade statistics by hand', () => {
    const s = strategyStats([100, 110, 99, 121], [10, -5, 5], 1);
    expect(s.totalReturn).toBeCloseTo(0.21, 12);
    expect(s.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(s.winRate).toBeCloseTo(2 / 3, 12);
    expect(s.profitFactor).toBeCloseTo(3, 12);
    expect(s.expectancy).toBeCloseTo(10 / 3, 12);
    const r = [0.1, -0.1, 121 / 99 - 1];
    const m = (r[0]! + r[1]! + r[2]!) / 3;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - m) ** 2, 0) / 2);
    expect(s.sharpe).toBeCloseTo(m / sd, 12);
  });
});

describe('adaptive weights', () => {
  it('scores a neutral strategy 0.5 and keeps its multiple at 1x', () => {
    const neutral = stats({});
    expect(compositeScore(neutral)).toBeCloseTo((0.5 + 0.5 + 1 + 0.5) / 4, 12);
    const a = new AdaptiveWeights({ x: 1 });
    a.update({ x: stats({ maxDrawdown: 0.125 }) });
    // dd component 0.5 -> composite 0.5 -> desired 1x: no change.
    expect(a.multiple('x')).toBeCloseTo(1, 12);
  });

  it('moves a strong strategy up by at most 15% per update and stops at 2x', () => {
    const a = new AdaptiveWeights({ x: 0.5, y: 0.5 });
    const strong = stats({ sharpe: 10, profitFactor: 100, expectancy: 1, meanAbsTrade: 1, maxDrawdown: 0 });
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      a.update({ x: strong });
      seen.push(a.multiple('x'));
    }
    expect(seen[0]).toBeCloseTo(1.15, 12);
    expect(seen[1]).toBeCloseTo(1.15 * 1.15, 12);
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
    expect(seen[9]).toBeCloseTo(1.98, 1);
  });

  it('keeps weights per regime and rolls back to the base weights', () => {
    const a = new AdaptiveWeights({ x: 0.5, y: 0.5 });
    a.update({ x: stats({ sharpe: -10, profitFactor: 0, expectancy: -1, maxDrawdown: 1 }) }, 'volatile');
    expect(a.multiple('x', 'volatile')).toBeCloseTo(0.85, 12);
    expect(a.multiple('x', 'trending')).toBe(1);
    expect(a.normalized('volatile').x).toBeCloseTo(0.85 / 1.85, 12);
    const changes = a.rollback();
    expect(changes).toHaveLength(1);
    expect(changes[0]!.reason).toMatch(/rollback/);
    expect(a.weights('volatile')).toEqual({ x: 0.5, y: 0.5 });
  });
});

describe('signal quality', () => {
  it('combines confluence, regime alignment and history, and only lowers confidence', () => {
    const q = scoreSignal({ confidence: 0.8, confluence: 3, regimeAlignment: 1, historicalSuccess: 0.75 });
    expect(q.quality).toBeCloseTo(0.4 * 1 + 0.3 * 1 + 0.3 * 0.75, 12);
    expect(q.adjustedConfidence).toBeCloseTo(0.8 * q.quality, 12);
    expect(q.adjustedConfidence).toBeLessThanOrEqual(0.8);
    expect(q.pass).toBe(true);
    expect(q.sizeMultiplier).toBeCloseTo(Math.min(2, q.quality / 0.5), 12);
  });

  it('filters a weak signal and gives it a zero size multiplier', () => {
    const q = scoreSignal({ confidence: 1, confluence: 1, regimeAlignment: 0, historicalSuccess: 0.1 });
    expect(q.quality).toBeCloseTo(0.4 / 3 + 0.03, 12);
    expect(q.pass).toBe(false);
    expect(q.sizeMultiplier).toBe(0);
  });

  it('caps the size multiplier at 2.0', () => {
    const q = scoreSignal({ confidence: 1, confluence: 5, regimeAlignment: 1, historicalSuccess: 1 }, { weights: { confluence: 1, regime: 1, history: 1 }, confluenceTarget: 3, threshold: 0.1, neutralQuality: 0.2, maxMultiplier: 2 });
    expect(q.sizeMultiplier).toBe(2);
  });

  it('aligns trend-following signals in trends and fading signals in ranges', () => {
    expect(regimeAlignment('trending', 1, 1)).toBe(1);
    expect(regimeAlignment('trending', -1, 1)).toBe(0);
    expect(regimeAlignment('ranging', -1, 1)).toBe(1);
    expect(regimeAlignment('volatile', 1, 1)).toBe(0.25);
    expect(regimeAlignment('mixed', 1, -1)).toBe(0.5);
  });

  it('smooths the hit rate of similar setups', () => {
    const h = new SetupHistory();
    expect(h.successRate('s', 'AAA', 1, 'trending')).toBeNull();
    h.record('s', 'AAA', 1, 'trending', true);
    h.record('s', 'AAA', 1, 'trending', false);
    h.record('s', 'AAA', 1, 'trending', true);
    expect(h.successRate('s', 'AAA', 1, 'trending')).toBeCloseTo(3 / 5, 12);
    expect(h.successRate('s', 'AAA', -1, 'trending')).toBeNull();
  });
});

describe('strategy retirement', () => {
  const bad = stats({ expectancy: -1, profitFactor: 0.5, winRate: 0.2, maxDrawdown: 0.5 });
  const good = stats({ expectancy: 1, profitFactor: 2, winRate: 0.6, maxDrawdown: 0.05 });

  it('walks ACTIVE -> DEGRADED -> SUSPENDED -> RETIRED with reasons, and zero weight when suspended', () => {
    const r = new StrategyRetirement(['s']);
    expect(r.assess('s', bad)!.to).toBe('DEGRADED');
    expect(r.weightMultiplier('s')).toBe(0.5);
    expect(r.assess('s', bad)).toBeNull();
    expect(r.assess('s', bad)!.to).toBe('SUSPENDED');
    expect(r.weightMultiplier('s')).toBe(0);
    expect(r.assess('s', bad)).toBeNull();
    expect(r.assess('s', bad)).toBeNull();
    const retired = r.assess('s', bad)!;
    expect(retired.to).toBe('RETIRED');
    expect(retired.reason).toMatch(/retire after 3/);
    expect(r.assess('s', good)).toBeNull();
    expect(r.auditLog.map((c) => c.to)).toEqual(['DEGRADED', 'SUSPENDED', 'RETIRED']);
  });

  it('recovers SUSPENDED -> DEGRADED -> ACTIVE', () => {
    const r = new StrategyRetirement(['s'], { ...new StrategyRetirement([]).config, suspendAfter: 1 });
    r.assess('s', bad);
    r.assess('s', bad);
    expect(r.status('s')).toBe('SUSPENDED');
    expect(r.assess('s', good)!.to).toBe('DEGRADED');
    expect(r.assess('s', good)!.to).toBe('ACTIVE');
  });

  it('does not judge a strategy with fewer than minTrades trades', () => {
    const r = new StrategyRetirement(['s']);
    expect(r.assess('s', { ...bad, tradeCount: 3 })).toBeNull();
  });

  it('forces any status with an audited reason', () => {
    const r = new StrategyRetirement(['s']);
    const c = r.force('s', 'RETIRED', 'manual review')!;
    expect(c).toMatchObject({ from: 'ACTIVE', to: 'RETIRED', forced: true, reason: 'forced: manual review' });
    expect(r.force('s', 'ACTIVE', 'reinstated')!.to).toBe('ACTIVE');
  });
});

describe('performance decomposition', () => {
  it('groups trades by strategy, symbol and regime', () => {
    const d = decomposePerformance([
      { strategyId: 'a', symbol: 'X', regime: 'trending', pnl: 10 },
      { strategyId: 'a', symbol: 'Y', regime: 'ranging', pnl: -5 },
      { strategyId: 'b', symbol: 'X', regime: 'trending', pnl: 4 },
    ]);
    expect(d.byStrategy.a).toEqual({ trades: 2, pnl: 5, winRate: 0.5, profitFactor: 2, expectancy: 2.5 });
    expect(d.bySymbol.a!.Y!.pnl).toBe(-5);
    expect(Object.keys(d.byRegime.trending!)).toEqual(['a', 'b']);
    expect(d.byRegime.trending!.b!.profitFactor).toBeNull();
  });
});

describe('monitor', () => {
  it('raises every alert past its threshold and none inside', () => {
    const alerts = checkEnsembleHealth({ sharpe: 0.01, conditionNumber: 1e7, turnover: 0.5, expectedReturn: 0.02, realizedReturn: 0 });
    expect(alerts.map((a) => a.kind)).toEqual(['low_sharpe', 'high_condition_number', 'excessive_turnover', 'return_divergence']);
    expect(checkEnsembleHealth({ sharpe: 0.5, conditionNumber: 10, turnover: 0.1, expectedReturn: 0.001, realizedReturn: 0.002 })).toEqual([]);
  });
});

describe('shadow book', () => {
  it('fills a target at the next open, marks at the close and records the round trip net of costs', () => {
    const b = new ShadowBook(1, 1000, 10);
    b.setTarget(0, 10);
    expect(b.targetOf(0)).toBe(10);
    b.onBar(0, 1, 50, 52);
    expect(b.position[0]).toBe(10);
    expect(b.cash).toBeCloseTo(1000 - 500 - 0.5, 12);
    expect(b.equity()).toBeCloseTo(1000 - 0.5 + 20, 12);
    b.setTarget(0, 0);
    b.onBar(0, 2, 55, 54);
    expect(b.trades).toHaveLength(1);
    expect(b.trades[0]!.pnl).toBeCloseTo(50 - 0.55, 12);
    expect(b.trades[0]!.direction).toBe(1);
    expect(b.tradedNotional).toBeCloseTo(1050, 12);
  });
});
