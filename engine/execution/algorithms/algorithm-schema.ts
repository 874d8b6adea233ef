import { z } from 'zod';

function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
/** One zod rule in the section's own words: `what, was VALUE`. */
const says = (what: string) => ({ error: (iss: { input?: unknown }) => `${what}, was ${shown(iss.input)}` });
const text = says('must be a duration such as "30m"');
const durationText = z.string(text).regex(/^\d+(\.\d+)?\s*(us|ms|s|m|h|d|w)$/, text);
const us = says('must be a non-negative integer number of microseconds');
const micros = z.number(us).int(us).nonnegative(us);
const posInt = says('must be a positive integer');
const positiveInt = z.number(posInt).int(posInt).positive(posInt);

const fallback = {
  fallbackAfter: durationText
    .optional()
    .describe('Time after the parent order at which whatever is left (unsent slices, denied or rejected children) goes out at once as one market order; default: never.'),
  fallbackAfterUs: micros.optional().describe('`fallbackAfter` in microseconds (give one of the two).'),
};
const parts = positiveInt.describe('Number of slices.');

/**
 * The scenario's `execution` (and a strategy's `execution`) as a zod schema: an execution algorithm
 * discriminated on `algo`, with its fields' descriptions and documented defaults. Every duration is
 * a text (`"30m"`) or the same in microseconds (`durationUs`); giving both, or neither where one is
 * required, is decided by `qualifyAlgorithmConfig`, which also applies the defaults. Messages are
 * the section's own (`must be a positive integer, was 0`), for scenarios and programmatic configs alike.
 */
export const ExecutionSchema = z
  .discriminatedUnion('algo', [
    z.strictObject({ algo: z.literal('direct').describe('One market order for the whole quantity, at once.'), ...fallback }),
    z.strictObject({
      algo: z.literal('smart').describe('Orders worth more than `thresholdNotional` split into at most `maxParts` equal parts, `delay` apart.'),
      thresholdNotional: z.number(says('must be a positive finite number')).finite(says('must be a positive finite number')).positive(says('must be a positive finite number')).describe('Order value above which the order is split, currency.'),
      maxParts: positiveInt.optional().meta({ default: 5 }).describe('Most parts an order is split into.'),
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
      sessions: positiveInt.optional().meta({ default: 5 }).describe('Past sessions of the volume profile.'),
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
