import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, TapedeckError } from '../../engine/core/index.js';
import { SweepTooLargeError, parseSearchSpace, planSweep } from '../../sim/research/index.js';
import type { SweepMethod } from '../../sim/research/index.js';

/**
 * Random and mutated search-space files through the sweep planner (parseSearchSpace, then planSweep,
 * what `tapedeck sweep` does before any trial): huge ranges, tiny steps, negative or NaN-like counts,
 * unknown kinds, constraints that exclude every point, __proto__ keys. The planner never throws
 * anything but a TapedeckError, refusals of the space name the space file, nothing huge is built (a
 * plan never holds more points than the cap), and Object.prototype is never written.
 *
 * Runs: TAPEDECK_FUZZ_RUNS (default 150); seed: TAPEDECK_FUZZ_SEED (default fixed, printed on failure).
 *   TAPEDECK_FUZZ_RUNS=20000 npx vitest run tests/fuzz/space.test.ts
 */

const RUNS = Number(process.env['TAPEDECK_FUZZ_RUNS'] ?? 150);
const SEED = Number(process.env['TAPEDECK_FUZZ_SEED'] ?? 11_2026);
const FILE = 'fuzz/space-under-test.json';

const PATHS = ['strategies.0.params.fast', 'strategies.0.params.slow', 'initialCash', 'venue.fees.rate', '__proto__', 'constructor', 'a b', '', 'x[0].y', 'toString'];

const number = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -1, 1e300, -1e300, 1e-300, 5e-324, 2 ** 53, 2 ** 53 + 2, 1e15, Number.MAX_VALUE),
);
/** A JSON-ish value as a file would hold it: numbers, NaN-like strings, nulls, nested junk. */
const junk = fc.oneof(number, fc.constantFrom('NaN', 'Infinity', '1e999', '-0', '', null, true, [], {}), fc.string({ maxLength: 6 }));

const intSpec = fc.record({ type: fc.constant('int'), min: fc.oneof(fc.integer({ min: -50, max: 50 }), number), max: fc.oneof(fc.integer({ min: -50, max: 400 }), number), step: fc.option(fc.oneof(fc.integer({ min: -2, max: 20 }), number), { nil: undefined }) }, { requiredKeys: ['type', 'min', 'max'] });
const floatSpec = fc.record(
  {
    type: fc.constant('float'),
    min: number,
    max: number,
    step: fc.oneof(number, fc.constantFrom(1e-12, 1e-300, 0.1)),
    count: fc.oneof(fc.integer({ min: -3, max: 50 }), fc.constantFrom(1e9, 1e12, 1e300, 2.5)),
    log: fc.boolean(),
  },
  { requiredKeys: ['type', 'min', 'max'] },
);
const catSpec = fc.record({ type: fc.constant('categorical'), values: fc.array(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.string({ maxLength: 3 }), fc.boolean(), junk), { maxLength: 6 }) });
const oddSpec = fc.oneof(fc.record({ type: fc.constantFrom('weird', 'INT', '', '__proto__') }), junk, fc.record({ type: fc.constant('int'), min: junk, max: junk, extra: junk }));
const spec = fc.oneof({ weight: 3, arbitrary: intSpec }, { weight: 2, arbitrary: floatSpec }, { weight: 2, arbitrary: catSpec }, { weight: 1, arbitrary: oddSpec });

const constraint = fc.oneof(
  fc.tuple(fc.constantFrom(...PATHS), fc.constantFrom('<', '<=', '>', '>=', '==', '!=', '=>', ''), fc.oneof(fc.constantFrom(...PATHS), fc.integer({ min: -10, max: 500 }).map(String), fc.constantFrom('NaN', '1e999'))).map(([a, op, b]) => `${a} ${op} ${b}`),
  fc.string({ maxLength: 12 }),
);

/** The text of a space file: its keys written out, so `__proto__` is an own key as JSON.parse makes it. */
const spaceText = fc
  .record({
    entries: fc.array(fc.tuple(fc.constantFrom(...PATHS), spec), { maxLength: 4 }),
    constraints: fc.option(fc.array(constraint, { maxLength: 3 }), { nil: undefined }),
    extraTop: fc.option(fc.tuple(fc.constantFrom('__proto__', 'params', 'constructor'), junk), { nil: undefined }),
  })
  .map(({ entries, constraints, extraTop }) => {
    const params = entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',');
    const parts = [`"parameters":{${params}}`];
    if (constraints !== undefined) parts.push(`"constraints":${JSON.stringify(constraints)}`);
    if (extraTop !== undefined) parts.push(`${JSON.stringify(extraTop[0])}:${JSON.stringify(extraTop[1]) ?? 'null'}`);
    return `{${parts.join(',')}}`;
  });

const plan = fc.record({
  method: fc.constantFrom<SweepMethod>('grid', 'grid', 'random', 'ga'),
  trials: fc.integer({ min: 1, max: 60 }),
  maxTrials: fc.constantFrom(1, 10, 1000, 100_000),
  seed: fc.integer({ min: 0, max: 1000 }),
});

describe('fuzz: space files through the sweep planner', () => {
  it(`never throws a non-Tapedeck error, never builds more than the cap, names the space file (${RUNS} runs, seed ${SEED})`, () => {
    fc.assert(
      fc.property(spaceText, plan, (text, p) => {
        const doc: unknown = JSON.parse(text);
        try {
          const space = parseSearchSpace(doc, FILE);
          const result = planSweep({ space, method: p.method, ...(p.method === 'grid' ? {} : { trials: p.trials }), seed: p.seed, maxTrials: p.maxTrials, spaceFile: FILE });
          if (result.points !== null) {
            expect(result.points.length).toBeGreaterThan(0);
            expect(result.points.length).toBeLessThanOrEqual(p.maxTrials);
          }
          expect(result.total).toBeLessThanOrEqual(p.maxTrials);
        } catch (err) {
          if (!(err instanceof TapedeckError)) throw new Error(`not a TapedeckError for ${text}: ${String((err as Error)?.stack ?? err)}`);
          // A refusal of the space names the file; the grid cap also names --max-trials.
          if (err instanceof ConfigError || err instanceof SweepTooLargeError) {
            if (!(err instanceof SweepTooLargeError && err.message.startsWith('--trials'))) expect(err.message).toContain(FILE);
          }
          if (err instanceof SweepTooLargeError) expect(err.message).toContain('--max-trials');
          expect(err.message).not.toContain('\n');
        }
        expect(Object.keys(Object.prototype)).toEqual([]);
        expect(({} as Record<string, unknown>)['x']).toBeUndefined();
      }),
      { numRuns: RUNS, seed: SEED, verbose: 1 },
    );
  }, 120_000);
});
