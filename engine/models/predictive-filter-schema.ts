import { z } from 'zod';

/**
 * The scenario's predictive filters (`strategies[i].filters`, `ensemble.filters`) as a zod schema,
 * discriminated on `kind`, with every default applied; the filters themselves are in
 * predictive-filters.ts. A direction (classifier) filter plugs in as a DirectionForecaster
 * (DirectionFilter) and gets its `kind` here when a trained classifier can be named by a scenario.
 */
export const PredictiveFilterSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('garch_volatility').describe('Blocks entries while the GARCH(1,1) forecast of the next bar\'s volatility is above `maxVolatility`.'),
      window: z.number().int().min(30).max(100_000).default(250).describe('Close-to-close log returns (bars) in the trailing window each fit uses (at least 30).'),
      refitEvery: z.number().int().positive().default(20).describe('Bars between refits; between them the fitted variance recursion rolls forward with each new return.'),
      maxVolatility: z.number().positive().finite().describe('Highest forecast volatility (standard deviation of the next bar\'s log return; annualized when `annualization` is set) at which an entry may go.'),
      annualization: z
        .number()
        .positive()
        .finite()
        .nullable()
        .default(null)
        .describe('Bars per year to annualize the forecast by, sqrt(variance x annualization) (252 for daily bars); null: `maxVolatility` is per bar.'),
    })
    .describe('GARCH(1,1) volatility filter (maximum likelihood, fitted only on the returns before the decision).'),
  z
    .strictObject({
      kind: z.literal('volume_surge').describe('Lets entries go only on a volume surge.'),
      window: z.number().int().min(2).max(100_000).default(20).describe('Bars before the latest whose volumes make the baseline (mean and sample standard deviation).'),
      minZScore: z.number().finite().default(2).describe('Lowest z-score of the latest bar\'s volume against the baseline at which an entry may go.'),
    })
    .describe('Volume surge filter: z = (volume - mean) / sd over the `window` bars before the latest.'),
  z
    .strictObject({
      kind: z.literal('confidence').describe("Lets entries go only when the strategy's latest signal in the symbol is confident enough."),
      minConfidence: z.number().min(0).max(1).describe('Lowest confidence, in [0, 1], of the latest signal at which an entry may go; an entry without a signal is blocked.'),
    })
    .describe('Signal confidence filter.'),
]);

/** A list of filters: every one must pass for an entry to go. */
export const PredictiveFiltersSchema = z
  .array(PredictiveFilterSchema)
  .min(1)
  .describe(
    'Predictive filters (seed 001): every one must pass for an entry (a target, order or bracket that opens, adds to or flips a position) to go; reductions and exits always pass. Filters read only the bars closed by the decision; each block is an audit entry `filter.blocked`, and the predictions travel in the signals\' metadata.',
  );
