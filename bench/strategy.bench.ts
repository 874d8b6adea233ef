/**
 * Strategy onBar throughput over a minimal context (typed-array bar view, counting setTarget and
 * emitSignal), and RiskEngine.check throughput. Bars are generated once outside the timed region;
 * the timed loops allocate nothing per bar.
 */
import { strategyId, symbolId, type OrderId, type Symbol_ } from '../engine/core/index.js';
import type { OrderSide } from '../engine/model/index.js';
import { RiskEngine, type RiskAccount, type RiskOrder } from '../engine/risk/index.js';
import { createStrategy, STRATEGY_NAMES, type BarSeries, type PlotLine, type Strategy, type StrategyContext } from '../engine/strategies/index.js';
import { measure, type ThroughputResult } from './harness.js';

const N = 2_000_000;
const SYMBOL = symbolId('BENCH');

/** A deterministic xorshift generator, so the tape is the same on every run. */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

class ArrayBarSeries implements BarSeries {
  readonly symbol: Symbol_ = SYMBOL;
  count = 0;
  constructor(
    private readonly o: Float64Array,
    private readonly h: Float64Array,
    private readonly l: Float64Array,
    private readonly c: Float64Array,
  ) {}
  get length(): number {
    return this.count;
  }
  ts(ago = 0): number {
    return this.count - 1 - ago;
  }
  open(ago = 0): number {
    return this.o[this.count - 1 - ago]!;
  }
  high(ago = 0): number {
    return this.h[this.count - 1 - ago]!;
  }
  low(ago = 0): number {
    return this.l[this.count - 1 - ago]!;
  }
  close(ago = 0): number {
    return this.c[this.count - 1 - ago]!;
  }
  volume(): number {
    return 0;
  }
}

class CountingContext implements StrategyContext {
  now = 0;
  readonly strategyId = strategyId('bench');
  readonly symbols = [SYMBOL];
  targets = 0;
  signals = 0;
  constructor(private readonly series: BarSeries) {}
  bars(): BarSeries {
    return this.series;
  }
  lastTrade(): null {
    return null;
  }
  lastQuote(): null {
    return null;
  }
  position(): number {
    return 0;
  }
  cash(): number {
    return 100_000;
  }
  equity(): number {
    return 100_000;
  }
  setTarget(): void {
    this.targets++;
  }
  emitSignal(): void {
    this.signals++;
  }
  submitOrder(): OrderId {
    throw new Error('not used by the benchmarked strategies');
  }
  submitBracket(): never {
    throw new Error('not used by the benchmarked strategies');
  }
  cancelOrder(): void {}
  replaceOrder(): void {}
  openOrders(): readonly never[] {
    return [];
  }
  setTimer(): void {}
  cancelTimer(): void {}
  readonly plotting = false;
  plot(): void {}
  plotSeries(): PlotLine {
    return { set() {}, setFrom() {} };
  }
}

export default async function run(): Promise<ThroughputResult[]> {
  const rnd = xorshift(42);
  const o = new Float64Array(N);
  const h = new Float64Array(N);
  const l = new Float64Array(N);
  const c = new Float64Array(N);
  let price = 100;
  for (let i = 0; i < N; i++) {
    o[i] = price;
    price *= 1 + 0.02 * (rnd() - 0.5);
    c[i] = price;
    h[i] = Math.max(o[i]!, price) * (1 + 0.01 * rnd());
    l[i] = Math.min(o[i]!, price) * (1 - 0.01 * rnd());
  }
  const results: ThroughputResult[] = [];
  for (const name of STRATEGY_NAMES) {
    let strategy: Strategy;
    let series: ArrayBarSeries;
    let ctx: CountingContext;
    const setup = (): void => {
      strategy = createStrategy(name, 'bench', [SYMBOL]);
      series = new ArrayBarSeries(o, h, l, c);
      ctx = new CountingContext(series);
    };
    results.push(
      await measure(
        `${name} onBar (defaults)`,
        'bars/s',
        N,
        () => {
          const onBar = strategy.onBar!.bind(strategy);
          for (let i = 0; i < N; i++) {
            series.count = i + 1;
            ctx.now = i;
            onBar(ctx, series);
          }
        },
        { setup, runs: 5, cpuTime: true, note: `${N / 1e6}M bars, one symbol, counting context` },
      ),
    );
  }

  const risk = new RiskEngine({ maxPositionUnits: 1_000, maxPositionNotional: 1e6, maxGrossExposureRatio: 2, maxOpenPositions: 4, maxOrderUnits: 500 });
  const positions = new Float64Array(8);
  const account: RiskAccount & { symbolIndex: number } = {
    symbolIndex: 0,
    position(): number {
      return positions[this.symbolIndex]!;
    },
    pendingQty(_s: string, _side: OrderSide): number {
      return 0;
    },
    openPositionCount: 3,
    grossExposure: 50_000,
    equity: 100_000,
  };
  const orders: RiskOrder[] = Array.from({ length: 1024 }, (_, i) => ({
    symbol: `S${i % 8}`,
    side: rnd() < 0.5 ? 'buy' : 'sell',
    qty: 1 + Math.floor(rnd() * 600),
    price: 50 + rnd() * 100,
  }));
  for (let i = 0; i < 8; i++) positions[i] = Math.floor((rnd() - 0.5) * 1500);
  const CHECKS = 5_000_000;
  let denied = 0;
  results.push(
    await measure(
      'RiskEngine.check',
      'ops/s',
      CHECKS,
      () => {
        for (let i = 0; i < CHECKS; i++) {
          account.symbolIndex = i & 7;
          if (risk.check(orders[i & 1023]!, account) !== null) denied++;
        }
      },
      { runs: 5, cpuTime: true, note: '5 limits configured; mixed passes and denials (a denial allocates its message)' },
    ),
  );
  return results;
}
