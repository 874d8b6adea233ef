import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import { Sma, type ScalarIndicator } from '../../../../engine/indicators/index.js';
import { MovingAverageCrossStrategy, SmaCrossStrategy, smaCrossParams, SMA_CROSS_DEFAULTS } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';

const START = 1_704_067_200_000_000; // 2024-01-01
/** Decision time of bar i (its close): the fake context delivers a daily bar at ts + 1 day. */
const at = (i: number): number => START + (i + 1) * US_PER_DAY;

/*
 * SMA(3) and SMA(5) by hand over CLOSES (first index where both exist is 4):
 *  i  close  SMA3     SMA5
 *  4  16     17       18      below
 *  5  15     16       17      below
 *  6  16     15.667   16.4    below
 *  7  18     16.333   16.4    below
 *  8  21     18.333   17.2    above  <- cross above: +100
 *  9  20     19.667   18      above
 * 10  18     19.667   18.6    above
 * 11  15     17.667   18.4    below  <- cross below: -100
 * 12  13     15.333   17.4    below
 */
const CLOSES = [20, 19, 18, 17, 16, 15, 16, 18, 21, 20, 18, 15, 13];

function run(params: Parameters<typeof smaCrossParams>[0], closes = CLOSES, equity = 100_000): FakeStrategyContext {
  const ctx = new FakeStrategyContext(['AAA'], { equity });
  return ctx.run(new SmaCrossStrategy('s1', ['AAA'], params), 'AAA', barsFromCloses(closes, START));
}

describe('sma_cross', () => {
  it('takes an average that has only update (a bare ScalarIndicator): the same targets and plots as the built-in Sma', () => {
    const bare = (n: number): ScalarIndicator => {
      const sma = new Sma(n);
      return { update: (x) => sma.update(x), reset: () => sma.reset(), get value() { return sma.value; }, get ready() { return sma.ready; }, get warmUp() { return sma.warmUp; }, get count() { return sma.count; } };
    };
    const params = smaCrossParams({ fast: 3, slow: 5 });
    const a = new FakeStrategyContext(['AAA'], { equity: 100_000, plotting: true }).run(new SmaCrossStrategy('s1', ['AAA'], params), 'AAA', barsFromCloses(CLOSES, START));
    const b = new FakeStrategyContext(['AAA'], { equity: 100_000, plotting: true }).run(new MovingAverageCrossStrategy('sma_cross', 'SMA', bare, 's1', ['AAA'], params), 'AAA', barsFromCloses(CLOSES, START));
    expect(b.targets).toEqual(a.targets);
    expect(b.plots).toEqual(a.plots);
    expect(a.plots.length).toBeGreaterThan(0);
  });

  it('targets +100 on the bar SMA(3) crosses above SMA(5) and -100 where it crosses below', () => {
    const ctx = run({ fast: 3, slow: 5 });
    expect(ctx.targets.map((t) => [t.ts, t.units])).toEqual([
      [at(8), 100],
      [at(11), -100],
    ]);
  });

  it('emits a signal on each change of view, before the target', () => {
    const ctx = run({ fast: 3, slow: 5 });
    expect(ctx.calls.map((c) => (c.kind === 'emitSignal' ? `signal ${c.direction} ${c.strength} ${c.confidence}` : `target ${c.units}`))).toEqual([
      'signal 1 1 1',
      'target 100',
      'signal -1 1 1',
      'target -100',
    ]);
    expect(ctx.signals[0]!.reason).toBe('SMA(3) crossed above SMA(5)');
  });

  it('in long_only mode goes flat instead of short and never holds a negative target', () => {
    const ctx = run({ fast: 3, slow: 5, mode: 'long_only' });
    expect(ctx.targets.map((t) => [t.ts, t.units])).toEqual([
      [at(8), 100],
      [at(11), 0],
    ]);
    expect(ctx.signals.map((s) => s.direction)).toEqual([1, 0]);
  });

  it('does nothing while starting flat until the first cross, even on a falling tape', () => {
    const ctx = run({ fast: 3, slow: 5 }, [20, 19, 18, 17, 16, 15, 14, 13, 12]);
    expect(ctx.calls).toEqual([]);
  });

  it('does not act before both averages are ready', () => {
    // Fast rises above slow from bar 3, but SMA(5) is ready only at bar 4 and a cross needs a previous ready bar.
    const ctx = run({ fast: 2, slow: 5 }, [10, 9, 8, 12, 14, 15, 16]);
    expect(ctx.calls).toEqual([]);
  });

  it('counts no cross when the averages were equal on the previous bar (backtesting.py crossover)', () => {
    // SMA(1) = close; SMA(3) at i=2 is 10 = close: equal, then above at i=3.
    const ctx = run({ fast: 1, slow: 3 }, [10, 10, 10, 11, 12]);
    expect(ctx.calls).toEqual([]);
  });

  it('sizes equity_fraction positions as floor(fraction x equity / close)', () => {
    const ctx = run({ fast: 3, slow: 5, sizing: { kind: 'equity_fraction', fraction: 0.5 } }, CLOSES, 10_000);
    // 5000 / 21 = 238.09..., 5000 / 15 = 333.33...
    expect(ctx.targets.map((t) => t.units)).toEqual([238, -333]);
  });

  it('keeps fractional units when fractional is true', () => {
    const ctx = run({ fast: 3, slow: 5, sizing: { kind: 'equity_fraction', fraction: 0.5 }, fractional: true }, CLOSES, 10_000);
    expect(ctx.targets.map((t) => t.units)).toEqual([5000 / 21, -5000 / 15]);
  });

  it('has the classic defaults SMA(10)/SMA(20), long_short, 100 units', () => {
    expect(SMA_CROSS_DEFAULTS).toEqual({ fast: 10, slow: 20, mode: 'long_short', sizing: { kind: 'units', units: 100 }, fractional: false });
    expect(smaCrossParams()).toEqual(SMA_CROSS_DEFAULTS);
  });

  it('keeps separate averages per symbol', () => {
    const ctx = new FakeStrategyContext(['AAA', 'BBB']);
    const s = new SmaCrossStrategy('s1', ['AAA', 'BBB'], { fast: 3, slow: 5 });
    const a = barsFromCloses(CLOSES, START);
    const b = barsFromCloses(CLOSES.map(() => 50), START);
    a.forEach((bar, i) => {
      ctx.deliver(s, 'AAA', bar);
      ctx.deliver(s, 'BBB', b[i]!);
    });
    expect(ctx.targets.map((t) => [t.symbol, t.units])).toEqual([
      ['AAA', 100],
      ['AAA', -100],
    ]);
  });

  it('throws on a bar for a symbol it was not given', () => {
    const ctx = new FakeStrategyContext(['ZZZ']);
    const s = new SmaCrossStrategy('s1', ['AAA']);
    expect(() => ctx.deliver(s, 'ZZZ', barsFromCloses([1])[0]!)).toThrow(/sma_cross received a bar for ZZZ/);
  });
});

describe('sma_cross parameters', () => {
  it.each([
    [{ fast: 0 }, "invalid 'fast': not a positive integer, was 0"],
    [{ fast: 2.5 }, "invalid 'fast': not a safe integer, was 2.5"],
    [{ fast: 20, slow: 20 }, "invalid 'fast': not smaller than 'slow' (20), was 20"],
    [{ mode: 'short' }, "invalid 'mode': not one of long_short, long_only, was \"short\""],
    [{ sizing: { kind: 'equity_fraction', fraction: 1.5 } }, "invalid 'sizing.fraction': outside (0, 1], was 1.5"],
    [{ sizing: { kind: 'units', units: -1 } }, "invalid 'sizing.units': not positive, was -1"],
    [{ sizing: { kind: 'units', units: 1.5 } }, "invalid 'sizing.units': not a whole number of units (fractional is false), was 1.5"],
    [{ sizing: { kind: 'lots', lots: 1 } }, "invalid 'sizing.kind': not one of units, equity_fraction, risk, volatility_target, was \"lots\""],
    [{ fractional: 'yes' }, "invalid 'fractional': not true or false, was \"yes\""],
    [{ fsat: 3 }, "invalid parameter 'fsat' for sma_cross: unknown (known: fast, slow, mode, sizing, fractional)"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => smaCrossParams(params as never)).toThrow(message);
  });

  it('accepts fractional fixed units when fractional is true', () => {
    expect(smaCrossParams({ sizing: { kind: 'units', units: 0.5 }, fractional: true }).sizing).toEqual({ kind: 'units', units: 0.5 });
  });

  it('rejects an empty or repeated symbol list', () => {
    expect(() => new SmaCrossStrategy('s', [])).toThrow("invalid 'symbols': expected at least one symbol");
    expect(() => new SmaCrossStrategy('s', ['A', 'A'])).toThrow('duplicate symbol "A"');
  });
});
