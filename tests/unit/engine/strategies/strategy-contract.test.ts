import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import type { Bar } from '../../../../engine/model/index.js';
import { createStrategy, STRATEGIES, STRATEGY_NAMES, type StrategyName } from '../../../../engine/strategies/index.js';
import { FakeStrategyContext, type ContextCall } from '../../../support/fake-strategy-context.js';
import { MULTI_SYMBOL_STRATEGIES } from '../../../support/multi-bars.js';

/**
 * The contract every registered strategy keeps, run over each one with its defaults and with
 * fractional equity sizing: it reads only bars it was given, is deterministic, and never asks for a
 * non-finite target or emits an out-of-range signal, over 10 000 random bars on two symbols (three
 * for correlation_matrix, which refuses fewer: MULTI_SYMBOL_STRATEGIES).
 */
const N = 10_000;
const SYMBOLS = ['AAA', 'BBB'];

/** The symbols `name` runs on here: two, or what a multi-symbol strategy needs. */
function symbolsOf(name: string): readonly string[] {
  return MULTI_SYMBOL_STRATEGIES[name] ?? SYMBOLS;
}

/** Random OHLC bars: a log-normal walk with random ranges, occasionally a bar with no range. */
function randomBars(seed: number, symbol: string): Bar[] {
  const rng = randomStream(seed, 'contract', symbol);
  const out: Bar[] = [];
  let close = 50 + rng.uniform(0, 100);
  for (let i = 0; i < N; i++) {
    const open = close;
    close = Math.max(0.01, close * Math.exp(0.02 * rng.normal()));
    const flat = rng.bernoulli(0.01);
    const high = flat ? close : Math.max(open, close) * (1 + rng.uniform(0, 0.02));
    const low = flat ? close : Math.min(open, close) * (1 - rng.uniform(0, 0.02));
    out.push({ ts: 1_600_000_000_000_000 + i * 86_400_000_000, open: flat ? close : open, high, low, close, volume: rng.int(0, 1e6) });
  }
  return out;
}

const VARIANTS: { label: string; params: (name: StrategyName) => Record<string, unknown> }[] = [
  { label: 'defaults', params: () => ({}) },
  { label: 'fractional equity sizing', params: () => ({ sizing: { kind: 'equity_fraction', fraction: 0.95 }, fractional: true }) },
];

function runStrategy(name: StrategyName, params: Record<string, unknown>, seed: number): ContextCall[] {
  const symbols = symbolsOf(name);
  const strategy = createStrategy(name, `${name}-1`, symbols, params);
  const ctx = new FakeStrategyContext(symbols, {
    lookback: 3,
    // Equity follows the positions so sizing sees a moving account.
    equity: (c) => 100_000 + symbols.reduce((sum, s) => sum + c.position(s) * (c.bars(s).length > 0 ? c.bars(s).close(0) * 0.001 : 0), 0),
  });
  const bars = symbols.map((s) => randomBars(seed, s));
  for (let i = 0; i < N; i++) {
    symbols.forEach((s, k) => ctx.deliver(strategy, s, bars[k]![i]!));
  }
  return ctx.calls;
}

describe.each(STRATEGY_NAMES.filter((n) => !('needs' in STRATEGIES[n])))('strategy contract: %s', (name) => {
  it.each(VARIANTS)('survives 10k random bars with finite targets and signals in range ($label)', ({ params }) => {
    const calls = runStrategy(name, params(name), 11);
    const targets = calls.filter((c) => c.kind === 'setTarget');
    expect(targets.length).toBeGreaterThan(10);
    for (const c of calls) {
      if (c.kind === 'setTarget') {
        expect(Number.isFinite(c.units), `target ${c.units} at ${c.ts}`).toBe(true);
      } else {
        expect([-1, 0, 1]).toContain(c.direction);
        expect(c.strength).toBeGreaterThanOrEqual(0);
        expect(c.strength).toBeLessThanOrEqual(1);
        expect(c.confidence).toBeGreaterThanOrEqual(0);
        expect(c.confidence).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is deterministic: the same bars give the same calls', () => {
    expect(runStrategy(name, {}, 5)).toEqual(runStrategy(name, {}, 5));
  });

  it('sets a target only when it changes', () => {
    const calls = runStrategy(name, {}, 3);
    const last = new Map<string, number>();
    for (const c of calls) {
      if (c.kind !== 'setTarget') continue;
      expect(c.units).not.toBe(last.get(c.symbol) ?? 0);
      last.set(c.symbol, c.units);
    }
  });

  it('reads only the bars it was given (the fake throws past them)', () => {
    // Lookback 1: a strategy that reads any bar but the latest fails here (one symbol, or the ones a multi-symbol strategy needs).
    const symbols = MULTI_SYMBOL_STRATEGIES[name] ?? ['AAA'];
    const strategy = createStrategy(name, 's', symbols);
    const ctx = new FakeStrategyContext(symbols, { lookback: 1 });
    const bars = symbols.map((s) => randomBars(9, s).slice(0, 500));
    expect(() => {
      for (let i = 0; i < 500; i++) symbols.forEach((s, k) => ctx.deliver(strategy, s, bars[k]![i]!));
    }).not.toThrow();
  });
});

describe('strategy contract: the fake bar view', () => {
  it('throws when a strategy reads past the bars it was given', () => {
    const ctx = new FakeStrategyContext(['AAA'], { lookback: 2 });
    const bars = randomBars(1, 'AAA').slice(0, 3);
    const peeking = { id: 'p' as never, symbols: ['AAA' as never], onBar: (_c: unknown, s: { close(ago: number): number }) => s.close(2) };
    expect(() => ctx.deliver(peeking, 'AAA', bars[0]!)).toThrow('read ago=2 outside [0, 1)');
    ctx.deliver({ ...peeking, onBar: () => {} }, 'AAA', bars[1]!);
    expect(() => ctx.deliver(peeking, 'AAA', bars[2]!)).toThrow('read ago=2 outside [0, 2)');
    expect(() => ctx.bars('AAA').close(-1)).toThrow(RangeError);
  });
});
