import type { RandomStream } from '../../engine/core/index.js';
import { TRADE_SIDE } from '../schema.js';
import { SESSION_OPEN_US, STEP_US, STEPS_PER_SESSION } from './calendar.js';
import { GrowableF64, GrowableI8, type QuoteColumns, type TradeColumns } from './columns.js';
import { priceWithinStep, sortedOffsets } from './interpolate.js';
import type { IntradaySession } from './price-paths.js';

/**
 * Trades and quotes drawn along the stored 15-second path of a session.
 *
 * Trades arrive as a Poisson process whose intensity follows the step's activity (intraday U-shape,
 * larger on big moves). A trade's price lies on the path between the step's two points, rounded to
 * the 0.01 tick, so it is inside the [low, high] of every bar holding it; the aggressor is more often
 * the buyer on an up-step and the seller on a down-step.
 *
 * Quotes straddle the path: bid <= path < ask on the tick grid, with a spread of one tick or more
 * that widens with the step's volatility. Their midpoint is therefore within half a spread of the bar
 * range, as quotes relate to bars built from trades.
 */

const TICKS_PER_UNIT = 100;
const MAX_PER_STEP = 10_000;

/** Returns the trades of the given sessions (concatenated, time-ordered, strictly increasing ts). */
export function generateTrades(sessions: readonly IntradaySession[], tradesPerDay: number, rng: RandomStream): TradeColumns {
  const capacity = Math.ceil(tradesPerDay * sessions.length * 1.2);
  const ts = new GrowableF64(capacity);
  const price = new GrowableF64(capacity);
  const size = new GrowableF64(capacity);
  const side = new GrowableI8(capacity);
  const offsets = new Float64Array(MAX_PER_STEP);
  for (const session of sessions) {
    const open = session.day + SESSION_OPEN_US;
    const { points, activity } = session;
    for (let i = 0; i < STEPS_PER_SESSION; i++) {
      const k = Math.min(MAX_PER_STEP, rng.poisson(tradesPerDay * activity[i]!));
      if (k === 0) continue;
      sortedOffsets(k, STEP_US - k - 1, rng, offsets);
      const a = points[i]!;
      const b = points[i + 1]!;
      const buyProbability = b > a ? 0.7 : b < a ? 0.3 : 0.5;
      for (let j = 0; j < k; j++) {
        const off = offsets[j]!;
        const p = priceWithinStep(a, b, off / STEP_US, rng);
        ts.push(open + i * STEP_US + off);
        price.push(Math.max(1, Math.round(p * TICKS_PER_UNIT)) / TICKS_PER_UNIT);
        size.push(Math.max(1, Math.round(Math.exp(3.6 + rng.normal()))));
        side.push(rng.next() < buyProbability ? TRADE_SIDE.buy : TRADE_SIDE.sell);
      }
    }
  }
  return { ts: ts.finish(), price: price.finish(), size: size.finish(), side: side.finish() };
}

/** Returns the quote updates of the given sessions (concatenated, time-ordered, strictly increasing ts). */
export function generateQuotes(sessions: readonly IntradaySession[], quotesPerDay: number, rng: RandomStream): QuoteColumns {
  const capacity = Math.ceil(quotesPerDay * sessions.length * 1.2);
  const ts = new GrowableF64(capacity);
  const bid = new GrowableF64(capacity);
  const bidSize = new GrowableF64(capacity);
  const ask = new GrowableF64(capacity);
  const askSize = new GrowableF64(capacity);
  const offsets = new Float64Array(MAX_PER_STEP);
  for (const session of sessions) {
    const open = session.day + SESSION_OPEN_US;
    const { points, activity, stepSd } = session;
    let meanSd = 0;
    for (let i = 0; i < STEPS_PER_SESSION; i++) meanSd += stepSd[i]! / STEPS_PER_SESSION;
    for (let i = 0; i < STEPS_PER_SESSION; i++) {
      // Quotes update even in quiet steps; half the intensity is flat, half follows activity.
      const k = Math.min(MAX_PER_STEP, rng.poisson(quotesPerDay * (0.5 / STEPS_PER_SESSION + 0.5 * activity[i]!)));
      if (k === 0) continue;
      sortedOffsets(k, STEP_US - k - 1, rng, offsets);
      const a = points[i]!;
      const b = points[i + 1]!;
      const widening = 0.6 * (stepSd[i]! / meanSd);
      for (let j = 0; j < k; j++) {
        const off = offsets[j]!;
        const f = priceWithinStep(a, b, off / STEP_US, rng) * TICKS_PER_UNIT;
        const spread = 1 + rng.poisson(widening);
        const bidTicks = Math.max(1, Math.floor(f) - rng.int(0, spread - 1));
        ts.push(open + i * STEP_US + off);
        bid.push(bidTicks / TICKS_PER_UNIT);
        ask.push((bidTicks + spread) / TICKS_PER_UNIT);
        bidSize.push(Math.max(1, Math.round(Math.exp(5 + 0.8 * rng.normal()))));
        askSize.push(Math.max(1, Math.round(Math.exp(5 + 0.8 * rng.normal()))));
      }
    }
  }
  return { ts: ts.finish(), bid: bid.finish(), bidSize: bidSize.finish(), ask: ask.finish(), askSize: askSize.finish() };
}
