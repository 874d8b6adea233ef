import { describe, expect, it } from 'vitest';
import { SIGNAL_QUALITY_DEFAULTS } from '../../../../../engine/ensemble/adaptive/signal-quality.js';
import type { StrategyStats } from '../../../../../engine/ensemble/adaptive/performance-stats.js';
import type { EnsembleConfig, PortfolioConstructionConfig } from '../../../../../engine/ensemble/ensemble-config.js';
import { resolveCalendar } from '../../../../../engine/core/index.js';
import { DailyStop } from '../../../../../engine/ensemble/stages/account-risk.js';
import { combineTargets, combineVotes } from '../../../../../engine/ensemble/stages/combination.js';
import { EnsembleMarket } from '../../../../../engine/ensemble/stages/market-state.js';
import { PortfolioConstruction } from '../../../../../engine/ensemble/stages/portfolio-construction.js';
import { SignalCollection } from '../../../../../engine/ensemble/stages/signal-collection.js';
import { SignalQualityFilter, UnfilteredSignals } from '../../../../../engine/ensemble/stages/signal-filter.js';
import { EnsembleWeighting } from '../../../../../engine/ensemble/stages/weighting.js';
import type { AuditFn } from '../../../../../engine/ensemble/stages/weighting.js';
import type { StrategyIntents } from '../../../../../engine/kernel/decision-pipeline.js';
import type { Signal } from '../../../../../engine/model/events.js';
import { EnsembleSectionSchema, PortfolioSectionSchema } from '../../../../../scenarios/ensemble-schema.js';

/**
 * The ensemble's stages (engine/ensemble/stages), each alone, on hand-computed cases. Together they
 * are the EnsembleRouter (whose runs the integration tests pin).
 */
const DAY = 86_400_000_000;
const sig = (strategyId: string, direction: -1 | 0 | 1, confidence: number, strength = 1): Signal => ({ ts: 0, strategyId, symbol: 'AAA', direction, strength, confidence }) as Signal;
const regimes = EnsembleSectionSchema.parse({}).regimes;

function auditLog(): { entries: { ts: number; kind: string; message: string }[]; fn: AuditFn } {
  const entries: { ts: number; kind: string; message: string }[] = [];
  return { entries, fn: (ts, kind, message) => entries.push({ ts, kind, message }) };
}

describe('stage 1: SignalCollection (shadow books and latest signals)', () => {
  it('marks new targets, fills them at the next open, samples equity, and gives returns and attributed trades', () => {
    const c = new SignalCollection(['a', 'b'], ['AAA'], 1000, 0);
    c.setTarget(0, 0, 10);
    expect(c.targetsChanged[0]).toBe(1);
    expect(c.targetOf(0, 0)).toBe(10);
    c.onBar(0, 1, 10, 12); // a buys 10 at 10: cash 900, equity 900 + 10 x 12 = 1020
    c.clearChanges(0);
    expect(c.targetsChanged[0]).toBe(0);
    c.sampleEquity();
    expect(c.bookEquity(0)).toBe(1020);
    expect(c.bookEquity(1)).toBe(1000);
    c.onBar(0, 2, 12, 11); // equity 900 + 110 = 1010
    c.sampleEquity();
    expect(c.samples).toBe(2);
    expect(c.returnsWindow(5)).toEqual([[1010 / 1020 - 1, 0]]);
    c.setTarget(0, 0, 0);
    c.onBar(0, 3, 13, 13); // sells 10 at 13: pnl (13 - 10) x 10 = 30
    c.attributeTrades('trending');
    expect(c.history.successRate('a', 'AAA', 1, 'trending')).toBeCloseTo(2 / 3, 12); // (1 win + 1) / (1 + 2)
    expect(c.attributedTrades('mixed')).toEqual([{ strategyId: 'a', symbol: 'AAA', regime: 'trending', pnl: 30 }]);
    c.signal(1, sig('b', -1, 0.7));
    expect(c.signalsChanged[0]).toBe(1);
    expect(c.latestSignals(0).map((s) => s?.direction ?? null)).toEqual([null, -1]);
  });
});

describe('stage 2: predictive filters', () => {
  it('without a filter every latest signal counts at its own confidence', () => {
    const out = new UnfilteredSignals().filter(0, [sig('a', 1, 0.8), null, sig('c', -1, 0.4)]);
    expect(out).toEqual([
      { strategyIndex: 0, direction: 1, confidence: 0.8, sizeMultiplier: 1 },
      { strategyIndex: 2, direction: -1, confidence: 0.4, sizeMultiplier: 1 },
    ]);
  });

  it('signal quality drops a weak signal and scales the others (confluence, regime, setup history)', () => {
    const c = new SignalCollection(['a', 'b', 'c'], ['AAA'], 1000, 0);
    c.history.record('a', 'AAA', 1, 'trending', true); // a's long setups in trending: (1 + 1) / (1 + 2) = 2/3
    const f = new SignalQualityFilter(SIGNAL_QUALITY_DEFAULTS, ['a', 'b', 'c'], ['AAA'], c.history);
    const out = f.filter(0, [sig('a', 1, 0.8), sig('b', 1, 0.5), sig('c', -1, 0.9)], 'trending', 1);
    // a: 0.4 x 2/3 (2 of 3 agree) + 0.3 x 1 (with the trend) + 0.3 x 2/3 = 0.76667
    // b: 0.4 x 2/3 + 0.3 x 1 + 0.3 x 0.5 (no history) = 0.71667
    // c: 0.4 x 1/3 + 0.3 x 0 (against the trend) + 0.3 x 0.5 = 0.28333 < 0.4: dropped
    expect(out.map((s) => s.strategyIndex)).toEqual([0, 1]);
    expect(out[0]!.confidence).toBeCloseTo(0.8 * 0.766667, 5);
    expect(out[0]!.sizeMultiplier).toBeCloseTo(0.766667 / 0.5, 5);
    expect(out[1]!.confidence).toBeCloseTo(0.5 * 0.716667, 5);
    expect(out[1]!.sizeMultiplier).toBeCloseTo(0.716667 / 0.5, 5);
  });
});

describe('stage 3: combination', () => {
  it('allocation: the weighted book targets scaled from each book to the account', () => {
    const intents: StrategyIntents = {
      strategyCount: 3,
      targetOf: (k) => [100, -40, 999][k]!,
      bookEquity: (k) => [100_000, 50_000, 0][k]!,
      latestSignals: () => [],
    };
    // 0.25 x 100 x 200000/100000 + 0.75 x (-40) x 200000/50000 = 50 - 120; the third book has no equity.
    expect(combineTargets(intents, Float64Array.from([0.25, 0.75, 0.5]), 0, 200_000)).toBe(-70);
    expect(combineTargets(intents, Float64Array.from([0, 0, 1]), 0, 200_000)).toBe(0);
  });

  it("voting: the filtered signals vote with their strategies' weights; the size multiple is their mean, capped at 2", () => {
    const filtered = [
      { strategyIndex: 0, direction: 1 as const, confidence: 0.6, sizeMultiplier: 1.5 },
      { strategyIndex: 1, direction: 1 as const, confidence: 0.4, sizeMultiplier: 1.4 },
      { strategyIndex: 2, direction: -1 as const, confidence: 0.9, sizeMultiplier: 1 },
    ];
    const v = combineVotes(filtered, ['a', 'b', 'c'], Float64Array.from([0.5, 0.3, 0.2]), 'weighted_vote', { voteRatio: 0.5, minConfidence: 0 });
    expect(v.result.decision).toBe('buy'); // 0.8 of the weight is long
    expect(v.result.contributing).toEqual(['a', 'b']);
    expect(v.sizeMultiplier).toBeCloseTo((1.5 + 1.4 + 1) / 3, 12);
    expect(combineVotes([{ ...filtered[0]!, sizeMultiplier: 2 }, { ...filtered[1]!, sizeMultiplier: 3 }], ['a', 'b'], Float64Array.from([0.5, 0.5]), 'weighted_vote', { voteRatio: 0.5, minConfidence: 0 }).sizeMultiplier).toBe(2);
    const none = combineVotes([], ['a'], Float64Array.from([1]), 'weighted_vote', { voteRatio: 0.5, minConfidence: 0 });
    expect(none.result.decision).toBe('hold');
    expect(none.sizeMultiplier).toBe(1);
  });

  it('weights: a forced DEGRADED status halves a strategy before normalizing; static weights keep that', () => {
    const cfg = EnsembleSectionSchema.parse({ weighting: { kind: 'static' }, forcedStatus: { b: 'DEGRADED' }, warmupBars: 3, rebalanceEveryBars: 2 }) as EnsembleConfig;
    const log = auditLog();
    const w = new EnsembleWeighting(cfg, ['a', 'b'], 1, [], log.fn);
    w.start('mixed');
    // base 0.5 / 0.5, multipliers 1 / 0.5: 0.5 : 0.25 -> 2/3 : 1/3
    expect([...w.weights()].map((x) => +x.toFixed(12))).toEqual([+(2 / 3).toFixed(12), +(1 / 3).toFixed(12)]);
    expect(log.entries.map((e) => e.kind)).toEqual(['strategy.status']);
    expect(w.log).toHaveLength(1);
    expect([w.due(2), w.due(3)]).toEqual([false, true]);
    expect(w.reweigh(10, 3, { stats: {}, regime: 'mixed', returnsWindow: () => [] })).toBe(false); // static: nothing changes
    expect([w.due(4), w.due(5)]).toEqual([false, true]);
  });

  it('weights: performance weighting by Sharpe re-sets the weights and audits the change', () => {
    const cfg = EnsembleSectionSchema.parse({ weighting: { kind: 'performance', metric: 'sharpe' } }) as EnsembleConfig;
    const log = auditLog();
    const w = new EnsembleWeighting(cfg, ['a', 'b'], 1, [], log.fn);
    w.start('mixed');
    expect([...w.weights()]).toEqual([0.5, 0.5]);
    const stats = (sharpe: number) => ({ sharpe }) as unknown as StrategyStats;
    // 0.5 x 1 : 0.5 x 3 -> 0.25 : 0.75
    expect(w.reweigh(5, 60, { stats: { a: stats(1), b: stats(3) }, regime: 'trending', returnsWindow: () => [] })).toBe(true);
    expect([...w.weights()]).toEqual([0.25, 0.75]);
    expect(w.log.at(-1)).toEqual({ ts: 5, regime: 'trending', weights: { a: 0.25, b: 0.75 }, source: 'performance' });
    expect(log.entries.at(-1)!.message).toBe('ensemble weights re-set by performance in regime trending (turnover 0.5000)');
  });
});

describe('stage 4: portfolio construction', () => {
  const pc = PortfolioSectionSchema.parse({ hedging: { drawdownAbove: 0.1, cashFraction: 0.4 } }) as PortfolioConstructionConfig;

  it('sizes a vote as direction x allocation x invested x (1 - hedge) x multiple x equity / price, in whole units', () => {
    const p = new PortfolioConstruction(pc, true, 2);
    const market = new EnsembleMarket(2, regimes);
    p.setVote(0, 1, 1);
    expect(p.votedUnits(0, 100_000, 50)).toBe(950); // 0.5 x 0.95 x 100000 / 50
    expect(p.votedUnits(1, 100_000, 50)).toBe(0); // no vote yet
    expect(p.votedUnits(0, 100_000, undefined)).toBe(0); // no price yet
    p.onEquity(100_000);
    expect(p.updateHedge(market, 95_000)).toBeNull(); // drawdown 5%: no trigger, nothing changed
    expect(p.updateHedge(market, 85_000)).toEqual({ fired: ['drawdown'], cashFraction: 0.4 }); // 15% > 10%
    expect(p.updateHedge(market, 84_000)).toBeNull(); // still the same trigger
    expect(p.votedUnits(0, 85_000, 50)).toBe(484); // trunc(0.5 x 0.95 x 0.6 x 85000 / 50) = trunc(484.5)
    expect(p.allocationUnits(1000.7)).toBe(600); // trunc(1000.7 x 0.6)
    p.setVote(1, -1, 2);
    expect(p.votedUnits(1, 85_000, 50)).toBe(-968); // -0.5 x 0.95 x 0.6 x 2 x 85000 / 50 is -968.99999... in floating point: toward zero, -968
  });

  it('rotation keeps the top N by momentum; the allocation splits equally over them', () => {
    const p = new PortfolioConstruction(PortfolioSectionSchema.parse({ rotation: { topN: 1, lookback: 2 } }) as PortfolioConstructionConfig, true, 2);
    const market = new EnsembleMarket(2, regimes);
    for (const [a, b] of [[10, 10], [11, 9], [12, 8]] as const) {
      market.onBar(0, a, a, a);
      market.onBar(1, b, b, b);
    }
    const none: StrategyIntents = { strategyCount: 0, targetOf: () => 0, bookEquity: () => 0, latestSignals: () => [] };
    expect([...p.computeAllocation(market, none)]).toEqual([1, 0]); // AAA +20%, BBB -20%
  });

  it('a periodic rebalance trades the symbols whose voted weight drifted, on its schedule only', () => {
    const p = new PortfolioConstruction(PortfolioSectionSchema.parse({ rebalancing: { mode: 'periodic', everyBars: 3 } }) as PortfolioConstructionConfig, true, 2);
    const market = new EnsembleMarket(2, regimes);
    market.onBar(0, 10, 10, 10);
    market.onBar(1, 20, 20, 20);
    const none: StrategyIntents = { strategyCount: 0, targetOf: () => 0, bookEquity: () => 0, latestSignals: () => [] };
    p.setVote(0, 1, 1);
    const units = (i: number) => p.votedUnits(i, 10_000, market.lastClose(i));
    // AAA: held 0, voted 0.5 x 0.95 = 47.5% of equity -> trade; BBB: no vote, held 0 -> nothing.
    expect(p.rebalance(1, 10_000, market, none, () => 0, units)).toEqual({ due: true, trade: [0], skipped: 0 });
    expect(p.rebalance(2, 10_000, market, none, () => 0, units)).toEqual({ due: false, trade: [], skipped: 0 });
    expect(p.rebalance(4, 10_000, market, none, (i) => (i === 0 ? 475 : 0), units)).toEqual({ due: true, trade: [], skipped: 0 });
  });
});

describe('stage 5: the daily stop', () => {
  it('hits at the loss limit since the UTC day start, holds the account flat, and lifts on the next day', () => {
    const log = auditLog();
    const s = new DailyStop(1_000, log.fn);
    expect(s.onEquity(DAY + 1, 100_000)).toBeNull();
    expect(s.onEquity(DAY + 2, 99_100)).toBeNull(); // lost 900
    expect(s.onEquity(DAY + 3, 99_000)).toBe('hit'); // lost 1000
    expect(s.halted).toBe(true);
    expect(s.onEquity(DAY + 4, 101_000)).toBeNull(); // still held the same day
    expect(s.halted).toBe(true);
    expect(s.onEquity(2 * DAY, 101_000)).toBe('lifted');
    expect(s.halted).toBe(false);
    expect(log.entries.map((e) => e.kind)).toEqual(['portfolio.daily_stop', 'portfolio.daily_stop_lifted']);
    expect(new DailyStop(undefined, log.fn).onEquity(DAY, 1)).toBeNull();
  });

  it('daily stop: with an fx-24/5 calendar the day turns at 17:00 New York (21:00 UTC in July), not at UTC midnight', () => {
    const log = auditLog();
    const s = new DailyStop(1_000, log.fn, resolveCalendar('fx-24/5'));
    const at = (iso: string) => Date.parse(iso) * 1000;
    expect(s.onEquity(at('2024-07-09T12:00:00Z'), 100_000)).toBeNull(); // Tuesday 08:00 EDT
    expect(s.onEquity(at('2024-07-09T20:00:00Z'), 99_000)).toBe('hit'); // 16:00 EDT
    expect(s.onEquity(at('2024-07-09T20:59:00Z'), 99_000)).toBeNull();
    expect(s.halted).toBe(true);
    expect(s.onEquity(at('2024-07-09T21:00:00Z'), 99_000)).toBe('lifted'); // 17:00 EDT: Wednesday's session
    expect(s.onEquity(at('2024-07-10T00:30:00Z'), 98_500)).toBeNull(); // UTC midnight passed: same session, day-start 99,000
    expect(s.onEquity(at('2024-07-10T01:00:00Z'), 98_000)).toBe('hit');
    expect(log.entries.map((e) => e.message)[1]).toBe('daily stop lifted: new session day, day-start equity 99000.00');
  });
});
