import { z } from 'zod';

const durationText = z.string().regex(/^\d+(\.\d+)?\s*(us|ms|s|m|h|d|w)$/, 'expected a duration such as 30s, 30m or 1h');
const micros = z.number().int().nonnegative();

const fallback = {
  fallbackAfter: durationText
    .optional()
    .describe('Time after the parent order at which whatever is left (unsent slices, denied or rejected children) goes out at once as one market order; default: never.'),
  fallbackAfterUs: micros.optional().describe('`fallbackAfter` in microseconds (give one of the two).'),
};
const parts = z.number().int().positive().describe('Number of slices.');

/**
 * The scenario's `execution` (and a strategy's `execution`) as a zod schema: an execution algorithm
 * discriminated on `algo`, with its fields' descriptions and documented defaults. Every duration is
 * a text (`"30m"`) or the same in microseconds (`durationUs`); giving both, or neither where one is
 * required, is decided by `qualifyAlgorithmConfig`, which also applies the defaults.
 */
export const ExecutionSchema = z
  .discriminatedUnion('algo', [
    z.strictObject({ algo: z.literal('direct').describe('One market order for the whole quantity, at once.'), ...fallback }),
    z.strictObject({
      algo: z.literal('smart').describe('Orders worth more than `thresholdNotional` split into at most `maxParts` equal parts, `delay` apart.'),
      thresholdNotional: z.number().finite().positive().describe('Order value above which the order is split, currency.'),
      maxParts: z.number().int().positive().optional().meta({ default: 5 }).describe('Most parts an order is split into.'),
      delay: durationText.optional().meta({ default: '2s' }).describe('Time between parts.'),
      delayUs: micros.optional().describe('`delay` in microseconds (give one of the two).'),
      ...fallback,
    }),
    z.strictObject({
      algo: z.literal('twap').describe('`parts` equal slices spread evenly over `duration`, the first at once.'),
      duration: durationText.optional().describe('Time the slices are spread over (required, or `durationUs`).'),
      durationUs: micros.optional().describe('`duration` in microseconds (give one of the two).'),
      parts,
      ...fallback,
    }),
    z.strictObject({
      algo: z.literal('vwap').describe("`parts` slices over `duration`, weighted by the symbol's intraday volume profile of the past `sessions` days."),
      duration: durationText.optional().describe('Time the slices are spread over (required, or `durationUs`).'),
      durationUs: micros.optional().describe('`duration` in microseconds (give one of the two).'),
      parts,
      sessions: z.number().int().positive().optional().meta({ default: 5 }).describe('Past sessions of the volume profile.'),
      ...fallback,
    }),
    z.strictObject({
      algo: z.literal('dca').describe('`parts` equal slices every `interval`, the first at once (a dollar-cost-averaging session).'),
      interval: durationText.optional().describe('Time between slices (required, or `intervalUs`).'),
      intervalUs: micros.optional().describe('`interval` in microseconds (give one of the two).'),
      parts,
      ...fallback,
    }),
  ])
  .describe('Execution algorithm of market targets, discriminated on `algo`: direct, smart, twap, vwap or dca.');

export type ExecutionInput = z.input<typeof ExecutionSchema>;
