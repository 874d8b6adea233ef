import { describe, expect, it } from 'vitest';
import { strategyId } from '../../../../engine/core/index.js';
import type { StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { ExecutionEngine } from '../../../../engine/execution/index.js';
import { DirectRouter, SimulatedClock, TimerQueue } from '../../../../engine/kernel/index.js';
import type { StrategyRouter } from '../../../../engine/kernel/index.js';
import { TradingEngine } from '../../../../engine/kernel/trading-engine.js';
import { Portfolio } from '../../../../engine/portfolio/index.js';
import type { BarSeries, Strategy, StrategyContext } from '../../../../engine/strategies/index.js';
import { nullRecorder } from '../execution/algorithms/harness.js';

/**
 * A bar reaches the strategies the same way whether it is handed over as numbers (TradingEngine.onBar, the
 * MarketDataHandler call) or as a row of columns (onBarRow, the replay's): the same ring, the same marks, the
 * same plot stamp, the same router bar hooks around the same strategies, in the same order.
 */
const SYMBOLS = ['A', 'B'] as Symbol_[];
const BARS: [number, number, number, number, number, number, number][] = [
  // symbol, open time, open, high, low, close, volume
  [0, 1_000, 10, 11, 9, 10.5, 100],
  [1, 1_000, 50, 52, 49, 51, 7],
  [0, 2_000, 10.5, 12, 10, 11.75, 250],
  [1, 2_000, 51, 51.5, 48, 48.25, 3],
  [0, 3_000, 11.75, 11.8, 11, 11.1, 0],
];

function engineSeeing(log: string[], hooks: boolean): TradingEngine {
  const ids = ['s0', 's1'] as StrategyId[];
  const portfolio = new Portfolio(ids.length, SYMBOLS.length, 10_000);
  const execution = new ExecutionEngine(SYMBOLS, ids, portfolio, nullRecorder, null);
  const clock = new SimulatedClock();
  const strategy = (k: number, symbols: Symbol_[]): Strategy => ({
    id: strategyId(`s${k}`),
    symbols,
    onBar(ctx: StrategyContext, bars: BarSeries) {
      const row = [0, 1, 2, 3, 4, 5].map((c) => [bars.ts, bars.open, bars.high, bars.low, bars.close, bars.volume][c]!.call(bars, 0));
      ctx.plot('close x2', bars.close(0) * 2);
      log.push(`s${k} ${bars.symbol} [${row.join(' ')}] n=${bars.length} mark=${ctx.position(bars.symbol).toString()}/${portfolio.mark.join(',')}`);
    },
  });
  const direct = new DirectRouter(execution, portfolio, nullRecorder);
  const router: StrategyRouter = hooks
    ? Object.assign(Object.create(direct) as StrategyRouter, {
        beforeBar: (i: number, ts: number, o: number, h: number, l: number, c: number, v: number) => log.push(`before ${i} ${ts} ${o} ${h} ${l} ${c} ${v}`),
        afterBar: (i: number, ts: number) => log.push(`after ${i} ${ts}`),
      })
    : direct;
  const engine = new TradingEngine({
    symbols: SYMBOLS,
    strategies: [strategy(0, SYMBOLS), strategy(1, [SYMBOLS[1]!])],
    portfolio,
    execution,
    clock,
    timers: new TimerQueue({ clock }),
    recorder: nullRecorder,
    router,
  });
  engine.start();
  return engine;
}

function deliver(asRows: boolean, hooks: boolean): { log: string[]; plots: unknown } {
  const log: string[] = [];
  const engine = engineSeeing(log, hooks);
  const cols = {
    barTs: new Float64Array(BARS.map((b) => b[1])),
    open: new Float64Array(BARS.map((b) => b[2])),
    high: new Float64Array(BARS.map((b) => b[3])),
    low: new Float64Array(BARS.map((b) => b[4])),
    close: new Float64Array(BARS.map((b) => b[5])),
    volume: new Float64Array(BARS.map((b) => b[6])),
  };
  BARS.forEach(([i, ts, o, h, l, c, v], r) => {
    if (asRows) engine.onBarRow(i, cols, r);
    else engine.onBar(i, ts, o, h, l, c, v);
  });
  return { log, plots: engine.plotSeries() };
}

describe('TradingEngine: a bar as numbers and as a row of columns', () => {
  for (const hooks of [false, true]) {
    it(`delivers the same bars, marks and plots either way (${hooks ? "with the router's bar hooks" : 'direct'})`, () => {
      const numbers = deliver(false, hooks);
      const rows = deliver(true, hooks);
      expect(numbers).toEqual(rows);
      // Symbol B's bars reach both strategies, A's only the first; hooks wrap each bar.
      expect(numbers.log.filter((l) => l.startsWith('s1'))).toHaveLength(2);
      expect(numbers.log.filter((l) => l.startsWith('s0'))).toHaveLength(5);
      expect(numbers.log.filter((l) => l.startsWith('before'))).toHaveLength(hooks ? 5 : 0);
      expect(numbers.log[hooks ? 1 : 0]).toBe('s0 A [1000 10 11 9 10.5 100] n=1 mark=0/10.5,NaN');
      if (hooks) expect(numbers.log.slice(0, 3)).toEqual(['before 0 1000 10 11 9 10.5 100', 's0 A [1000 10 11 9 10.5 100] n=1 mark=0/10.5,NaN', 'after 0 1000']);
    });
  }
});
