import { z } from 'zod';
import { deferredSchema } from '../core/deferred-schema.js';
import { FEATURE_NAMES } from './features.js';
import { ONLINE_DIRECTION_DEFAULTS as DEFAULTS } from './online-direction.js';

/**
 * The scenario's predictive filters (`strategies[i].filters`, `ensemble.filters`) as a zod schema,
 * discriminated on `kind`, with every default applied; the filters themselves are in
 * predictive-filters.ts.
 */

/** Settings of a `direction` filter that only one model reads. */
const MODEL_ONLY = { C: 'logit', trees: 'rf', maxDepth: 'rf', seed: 'rf' } as const;

/** Builds {@link PredictiveFilterSchema}, on first use: most scenarios have no filters (see deferredSchema). */
function buildFilterSchema() {
  const DirectionFilterSchema = z
    .strictObject({
      kind: z.literal('direction').describe('Blocks a buy when a classifier, trained online on trailing bars only, forecasts down, and a sell when it forecasts up.'),
      model: z.enum(['logit', 'rf']).describe('`logit`: L2 logistic regression on standardized features; `rf`: seeded random forest (ml-random-forest).'),
      features: z
        .array(z.enum(FEATURE_NAMES))
        .min(1)
        .describe(`Bar features the model learns from (${FEATURE_NAMES.join(', ')}; see engine/models/features.ts), each listed once.`),
      horizon: z.number().int().min(1).max(10_000).default(1).describe('Bars ahead of the label: a row at bar s is up when close[s + horizon] > close[s], so at a decision on bar t only rows s <= t - horizon train.'),
      window: z.number().int().min(10).max(100_000).default(250).describe('Labelled rows (bars) each fit trains on: the last `window` whose label is known at the decision; more than `horizon`. Before `window` labelled rows there is no fit and entries pass.'),
      refitEvery: z.number().int().positive().max(100_000).default(20).describe('Bars between fits (bounds the training cost); between them the fitted model predicts from each new bar\'s features.'),
      minProbability: z
        .number()
        .gt(0)
        .lt(1)
        .default(0.5)
        .describe('A buy goes when P(up) >= minProbability, a sell or short when P(up) <= 1 - minProbability; in (0, 1).'),
      seed: z.number().int().optional().describe("Seed of the random forest's bootstrap samples and feature draws (model rf only); default: the scenario's seed."),
      C: z.number().positive().finite().optional().describe(`Inverse L2 strength of the logistic regression, as scikit-learn's C (model logit only); default ${DEFAULTS.C}.`),
      trees: z.number().int().min(1).max(500).optional().describe(`Trees of the random forest (model rf only); default ${DEFAULTS.trees}. A fit's cost grows with trees x window: it runs once per refitEvery bars.`),
      maxDepth: z.number().int().min(1).max(20).optional().describe(`Deepest split level of each tree (model rf only); default ${DEFAULTS.maxDepth}.`),
    })
    .superRefine((f, ctx) => {
      const seen = new Set<string>();
      f.features.forEach((name, j) => {
        if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['features', j], input: name, message: `feature '${name}' is listed twice` });
        seen.add(name);
      });
      if (f.horizon >= f.window) ctx.addIssue({ code: 'custom', path: ['horizon'], input: f.horizon, message: `horizon ${f.horizon} must be below window ${f.window}: a fit trains on the last window labelled rows` });
      for (const [key, model] of Object.entries(MODEL_ONLY)) {
        if (f[key as keyof typeof MODEL_ONLY] !== undefined && f.model !== model) {
          ctx.addIssue({ code: 'custom', path: [key], input: f[key as keyof typeof MODEL_ONLY], message: `only model '${model}' reads ${key}; this filter's model is '${f.model}'` });
        }
      }
    })
    .describe('Direction filter: a logistic regression or random forest on bar features, refit every `refitEvery` bars on the last `window` rows whose label is known at the decision (no look-ahead); P(up) is in the signals\' metadata.');

  return z.discriminatedUnion('kind', [
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
    DirectionFilterSchema,
  ]);
}

export const PredictiveFilterSchema = deferredSchema(buildFilterSchema);

/** A list of filters: every one must pass for an entry to go. */
export const PredictiveFiltersSchema = deferredSchema(() =>
  z
    .array(PredictiveFilterSchema)
    .min(1)
    .describe(
      'Predictive filters (seed 001): every one must pass for an entry (a target, order or bracket that opens, adds to or flips a position) to go; reductions and exits always pass. Filters read only the bars closed by the decision; each block is an audit entry `filter.blocked`, and the predictions travel in the signals\' metadata.',
    ),
);
