import { describe, expect, it } from 'vitest';
import { US_PER_DAY, strategyId, symbolId } from '../../../../engine/core/index.js';
import type { ChainBatch, OptionInstrument, QuoteTick } from '../../../../engine/model/index.js';
import type { Strategy, StrategyContext } from '../../../../engine/strategies/context.js';
import { replay } from '../../../../sim/backtest/index.js';
import type { ReplayConfig } from '../../../../sim/backtest/index.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { barFeed } from '../../../support/bar-feed.js';
import type { SimpleBar } from '../../../support/bar-feed.js';

/**
 * A held option settles at the first event at or after its expiry, wherever that event falls: here in the middle of
 * a run of bar rows (after the chain's last row the bars are the only source, and the replay hands their rows to the
 * bar lane one after the other without the merge: EventSequencer.nextInRun), so the settlement must be checked at
 * every row of a run, not only at its first.
 */

const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000; // 2023-11-15T00:00Z
const OPTION = 'AAA 2023-11-21 C 100';
const EXPIRY = T0 + 6 * DAY + DAY / 2; // 2023-11-21T12:00Z

/** 12 daily bars of AAA (opens T0 .. T0 + 11 days, closes a day later), the close rising 1 a day from 101. */
const BARS: SimpleBar[] = Array.from({ length: 12 }, (_, i) => ({ symbol: 0, ts: T0 + i * DAY, open: 100 + i, high: 102 + i, low: 99 + i, close: 101 + i, volume: 1000 }));

/** Two quotes of the call, both before the first bar closes: the strategy buys on the first, the order fills on the second. */
function chainBatch(): ChainBatch {
  const n = 2;
  const nan = () => new Float64Array(n).fill(Number.NaN);
  return {
    length: n,
    ts: Float64Array.of(T0 + DAY / 4, T0 + DAY / 2),
    symbol: Int32Array.of(1, 1),
    bid: Float64Array.of(2, 2),
    ask: Float64Array.of(2.5, 2.5),
    last: nan(),
    volume: nan(),
    openInterest: nan(),
    iv: Float64Array.of(0.3, 0.3),
    delta: nan(),
    gamma: nan(),
    vega: nan(),
    theta: nan(),
  };
}

async function* once<T>(x: T): AsyncGenerator<T> {
  yield x;
}

/** Buys one call on its first quote and holds it. */
class BuyOneCall implements Strategy {
  readonly id = strategyId('call');
  readonly symbols = [symbolId('AAA'), symbolId(OPTION)];
  private asked = false;
  onQuote(ctx: StrategyContext, symbol: string, _quote: QuoteTick): void {
    if (symbol !== OPTION || this.asked) return;
    this.asked = true;
    ctx.setTarget(OPTION, 1);
  }
}

const instrument: OptionInstrument = { kind: 'option', symbol: symbolId(OPTION), underlying: symbolId('AAA'), expiry: EXPIRY, strike: 100, right: 'call', tickSize: 0.01, lotSize: 1, multiplier: 100 };

const config = (batchRows: number): { config: ReplayConfig; bars: AsyncIterable<never> } => ({
  config: {
    symbols: ['AAA', OPTION],
    initialCash: 100_000,
    barIntervalUs: DAY,
    equityEveryUs: 60_000_000,
    lookback: 16,
    createStrategies: () => [new BuyOneCall()],
    createRisk: null,
    venue: { kind: 'l1', config: venueConfig({ barIntervalUs: DAY }) },
    multipliers: [1, 100],
    options: { instruments: [null, instrument], pricing: { rate: 0, dividendYield: 0 } },
  },
  bars: barFeed(BARS, DAY, batchRows) as AsyncIterable<never>,
});

describe('an option held to expiry, settled during a run of bar rows', () => {
  for (const batchRows of [64, 3]) {
    it(`settles at the first bar close at or after the expiry, at that time's underlying price (bars in batches of ${batchRows})`, async () => {
      const { config: c, bars } = config(batchRows);
      const r = await replay(c, { bars, chains: once(chainBatch()) });
      const bought = r.fills.filter((f) => f.symbol === OPTION);
      expect(bought.map((f) => [f.side, f.qty, f.price])).toEqual([['buy', 1, 2.5]]);
      const settled = r.options!.settlements;
      // The first event at or after 2023-11-21T12:00Z is the bar closing on the 22nd; the contract settles then, against
      // the underlying's last price before it (106, the close of the 21st: what was known at the expiry), not that bar's 107.
      expect(settled.map((e) => [e.ts, e.kind, e.symbol])).toEqual([[T0 + 7 * DAY, 'option.settled', OPTION]]);
      expect(settled[0]!.message).toBe(`${OPTION} expired: 1 contracts settled in cash at intrinsic value 6 (underlying AAA at 106, strike 100, multiplier 100)`);
      expect(r.audit.filter((e) => e.kind === 'option.settled').map((e) => e.ts)).toEqual([T0 + 7 * DAY]);
    });
  }
});
