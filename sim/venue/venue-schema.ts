import { z } from 'zod';
import { deferredSchema } from '../../engine/core/deferred-schema.js';
import { DEFAULT_VENUE_CONFIG, INTRABAR_PATHS, LIMIT_FILLS, MARKET_FILLS } from './venue-config.js';
import { DEFAULT_L2_VENUE_CONFIG } from './l2/l2-venue-config.js';
import { BOOK_REPAIR_POLICIES } from './l2/order-book.js';
import { QUEUE_PROBABILITY_FUNCTIONS } from './l2/queue-model.js';

/**
 * The scenario's `venue` section as a zod schema: the shape, types and ranges of every field, with
 * its description and its default. The defaults are the owners' constants ({@link DEFAULT_VENUE_CONFIG},
 * {@link DEFAULT_L2_VENUE_CONFIG}), documented here (JSON Schema `default`) and applied by
 * `venueConfig` / `l2VenueConfig`, which keep only the rules across fields (`marketFill: close` needs
 * the bar interval) and the choice of keys by the run's data: one object holds the keys of both
 * venues, and the keys of the venue a run does not use are refused by path. The schemas of the fields most
 * scenarios leave out (slippage and the L2 venue's) are built on first use (see deferredSchema).
 */

/** Commission, discriminated on `kind` (sim/venue/fee-model.ts). */
export const FeeSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('none').describe('No commission.') }),
    z.strictObject({
      kind: z.literal('fraction').describe('A fraction of traded notional.'),
      rate: z.number().finite().nonnegative().describe('Taker rate, a fraction of traded notional: 0.002 = 0.2%.'),
      makerRate: z.number().finite().nonnegative().optional().describe('Maker rate (fills of resting limit orders); default: `rate`.'),
      minimum: z.number().finite().nonnegative().optional().meta({ default: 0 }).describe("Minimum commission per ORDER (not per fill): the order's total is max(sum of its fill fees, minimum)."),
    }),
    z.strictObject({
      kind: z.literal('bps').describe('Basis points of traded notional.'),
      bps: z.number().finite().nonnegative().describe('Taker rate in basis points of traded notional: 20 = 0.2%.'),
      makerBps: z.number().finite().nonnegative().optional().describe('Maker rate in basis points; default: `bps`.'),
      minimum: z.number().finite().nonnegative().optional().meta({ default: 0 }).describe("Minimum commission per ORDER (not per fill): the order's total is max(sum of its fill fees, minimum)."),
    }),
    z.strictObject({
      kind: z.literal('per_unit').describe('Currency per unit traded.'),
      perUnit: z.number().finite().nonnegative().describe('Taker commission per unit traded, currency.'),
      makerPerUnit: z.number().finite().nonnegative().optional().describe('Maker commission per unit traded; default: `perUnit`.'),
      minimum: z.number().finite().nonnegative().optional().meta({ default: 0 }).describe("Minimum commission per ORDER (not per fill): the order's total is max(sum of its fill fees, minimum)."),
    }),
  ])
  .describe('Commission model, discriminated on `kind`: none, fraction, bps or per_unit.');

/** Slippage, discriminated on `kind` (sim/venue/slippage-model.ts); `composite` nests further models. */
export const SlippageSchema: z.ZodType<unknown> = deferredSchema(() =>
  z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('none').describe('Fills at the modelled price.') }),
      z.strictObject({
        kind: z.literal('fixed_bps').describe('Market and stop fills move against the order by `bps`; limit fills move too but never past the limit.'),
        bps: z.number().finite().nonnegative().describe('Price move against the order, basis points of the price.'),
      }),
      z.strictObject({
        kind: z.literal('volume_share').describe('Caps each fill at a share of the available liquidity; the rest stays working.'),
        share: z.number().gt(0).lte(1).describe("Largest fill per opportunity as a share, in (0, 1], of the bar's volume, the quote's displayed size or the print's size."),
      }),
      z.strictObject({
        kind: z.literal('composite').describe('Applies each part: price moves compound, the capacity is the smallest cap.'),
        get parts() {
          return z.array(SlippageSchema).describe('The slippage models to combine.');
        },
      }),
    ])
    .describe('Slippage model, discriminated on `kind`: none, fixed_bps, volume_share or composite.'),
);

/** L2 queue position model (sim/venue/l2/queue-model.ts). */
export const QueueSchema = deferredSchema(() =>
  z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('risk-averse').describe('The order advances only by trades at its price; cancels never move it forward.') }),
      z.strictObject({
        kind: z.literal('prob').describe("Probabilistic (hftbacktest's ProbQueueModel): a size decrease not explained by trades is split between the queue ahead and behind."),
        function: z.enum(QUEUE_PROBABILITY_FUNCTIONS).optional().meta({ default: 'power' }).describe('Probability function: power (x^n), log (ln(1 + x)) or power-fraction.'),
        n: z.number().finite().positive().optional().meta({ default: 3 }).describe('Exponent of the power functions.'),
      }),
    ])
    .describe('L2 only. Queue position model of resting orders, discriminated on `kind`: risk-averse or prob.'),
);

/** L2 market impact of own orders (sim/venue/l2/impact-model.ts). */
export const ImpactSchema = deferredSchema(() =>
  z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('none').describe('Own orders do not alter the replayed book (within one book state they share its displayed size).') }),
      z.strictObject({
        kind: z.literal('decaying').describe('Liquidity taken by own orders recovers exponentially, across feed updates of the level.'),
        halfLifeUs: z.number().finite().positive().describe('Half-life of the recovery, microseconds.'),
      }),
    ])
    .describe('L2 only. Market impact of own orders, discriminated on `kind`: none or decaying.'),
);

/** One latency model (sim/venue/l2/latency-model.ts); random draws are rounded to whole microseconds. */
export const LatencySchema = deferredSchema(() =>
  z
    .discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('constant').describe('Always `us`.'),
        us: z.number().finite().nonnegative().describe('The delay, microseconds.'),
      }),
      z.strictObject({
        kind: z.literal('exponential').describe('`baseUs` plus an exponential jitter of mean `meanJitterUs`, from a seeded stream.'),
        baseUs: z.number().finite().nonnegative().describe('Fixed part of the delay, microseconds.'),
        meanJitterUs: z.number().finite().positive().describe('Mean of the exponential jitter, microseconds.'),
      }),
      z.strictObject({
        kind: z.literal('lognormal').describe('`medianUs * exp(sigma * z)`, z standard normal: a right-skewed delay around its median.'),
        medianUs: z.number().finite().nonnegative().describe('Median delay, microseconds.'),
        sigma: z.number().finite().nonnegative().describe('Spread of the log of the delay.'),
      }),
    ])
    .describe('A delay drawn once per message, discriminated on `kind`: constant, exponential or lognormal.'),
);

const ZERO = { kind: 'constant', us: 0 } as const;

/** The three latencies of an L2 replay (sim/backtest/l2-replay.ts L2LatencyConfig); each defaults to zero. */
export const L2LatencySchema = deferredSchema(() =>
  z
    .strictObject({
      feed: LatencySchema.optional().meta({ default: ZERO }).describe('Exchange event -> strategy (the strategy sees a row at its exchange time plus this), per book row and per print.'),
      entry: LatencySchema.optional().meta({ default: ZERO }).describe('Strategy request (order, cancel, replace) -> venue.'),
      response: LatencySchema.optional().meta({ default: ZERO }).describe("Venue event (acknowledgement, fill) -> strategy."),
    })
    .describe('L2 only. Latencies of the L2 replay: feed, entry and response; each defaults to zero.'),
);

const d = DEFAULT_VENUE_CONFIG;
const l2 = DEFAULT_L2_VENUE_CONFIG;

/** The venue keys a bar/L1 run reads (sim/venue/venue-config.ts). */
export const BAR_VENUE_KEYS = ['marketFill', 'intrabarPath', 'limitFill', 'barIntervalUs', 'slippage', 'fees', 'lotSize', 'tickSize', 'enforceTickSize'] as const;
/** The venue keys an L2 run (`data.book`) reads (sim/venue/l2/l2-venue-config.ts, plus `latency`). */
export const L2_VENUE_KEYS = ['tickSize', 'tickSizes', 'queue', 'impact', 'fees', 'fullDepth', 'repair', 'latency'] as const;

/**
 * The scenario's `venue`: one object with the keys of the bar/L1 venue and of the L2 venue. Keys
 * marked "Bar/L1 only" are refused on a run with `data.book`, keys marked "L2 only" on any other run.
 */
export const VenueSchema = z
  .strictObject({
    marketFill: z.enum(MARKET_FILLS).optional().meta({ default: d.marketFill }).describe("Bar/L1 only. Where market orders fill on bar data: the next bar's open (next_open) or the current bar's close (close)."),
    intrabarPath: z
      .enum(INTRABAR_PATHS)
      .optional()
      .meta({ default: d.intrabarPath })
      .describe(
        "Bar/L1 only. The order in which a bar's prices are assumed to have traded, for stops and limits: ohlc (open, high, low, close), olhc, nearest (the extreme nearer the open first) or worst (per order, the path least favourable to it).",
      ),
    limitFill: z.enum(LIMIT_FILLS).optional().meta({ default: d.limitFill }).describe('Bar/L1 only. When a resting limit fills: touch (the price reaches the limit) or through (the price trades beyond it).'),
    barIntervalUs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Bar/L1 only. Bar length in microseconds, to stamp fills at a bar's close; default: the data's bar interval (a run fills it in)."),
    slippage: SlippageSchema.optional().meta({ default: d.slippage }).describe('Bar/L1 only. Slippage model, discriminated on `kind`: none, fixed_bps, volume_share or composite.'),
    fees: FeeSchema.optional().meta({ default: d.fees }).describe('Commission model, discriminated on `kind`: none, fraction, bps or per_unit.'),
    lotSize: z.number().finite().nonnegative().optional().meta({ default: d.lotSize }).describe('Bar/L1 only. Smallest quantity increment; 0 accepts any positive quantity.'),
    tickSize: z.number().finite().positive().optional().meta({ default: d.tickSize }).describe('Smallest price increment (on L2 runs: of every symbol without an entry in `tickSizes`).'),
    enforceTickSize: z.boolean().optional().meta({ default: d.enforceTickSize }).describe('Bar/L1 only. Reject limit and stop prices that are not on the `tickSize` grid.'),
    tickSizes: z.record(z.string(), z.number().finite().positive().describe('Price increment of the symbol.')).optional().meta({ default: l2.tickSizes }).describe('L2 only. Per-symbol price increments.'),
    queue: QueueSchema.optional().meta({ default: l2.queue }),
    impact: ImpactSchema.optional().meta({ default: l2.impact }),
    fullDepth: z.boolean().optional().meta({ default: l2.fullDepth }).describe('L2 only. The feed lists every level: a delete of an absent level is invalid input.'),
    repair: z
      .enum(BOOK_REPAIR_POLICIES)
      .optional()
      .meta({ default: l2.repair })
      .describe('L2 only. What the books do with invalid rows: error (stop, naming the row), skip-event (ignore and count it) or drop-crossed-levels.'),
    latency: L2LatencySchema.optional().meta({ default: { feed: ZERO, entry: ZERO, response: ZERO } }),
  })
  .describe('Simulated venue: fill rules, fees, slippage; on L2 runs (data.book) also queue, impact, latency and book repair.');
