import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, randomStream } from '../../../../engine/core/index.js';
import {
  checkParameterPaths,
  decode,
  encode,
  gridPoints,
  gridSize,
  parseSearchSpace,
  sampleRandom,
  satisfies,
} from '../../../../sim/research/index.js';
import type { SearchSpace } from '../../../../sim/research/index.js';

const FAST = 'strategies.0.params.fast';
const SLOW = 'strategies.0.params.slow';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseSearchSpace', () => {
  it('keeps the parameters in file order with their defaults applied', () => {
    const s = parseSearchSpace({
      parameters: {
        [FAST]: { type: 'int', min: 5, max: 30, step: 5 },
        'venue.fees.rate': { type: 'float', min: 0.001, max: 0.1, log: true, count: 3 },
        'strategies.0.params.mode': { type: 'categorical', values: ['long_only', 'long_short'] },
      },
    });
    expect(s.parameters.map((p) => p.path)).toEqual([FAST, 'venue.fees.rate', 'strategies.0.params.mode']);
    expect(s.parameters[0]).toEqual({ kind: 'int', path: FAST, min: 5, max: 30, step: 5 });
    expect(s.parameters[1]).toEqual({ kind: 'float', path: 'venue.fees.rate', min: 0.001, max: 0.1, log: true, step: null, count: 3 });
    expect(s.constraints).toEqual([]);
  });

  it('rejects an unknown key naming the parameter path and the key', () => {
    const e = errorOf(() => parseSearchSpace({ parameters: { [FAST]: { type: 'int', min: 1, max: 5, stp: 1 } } }, 'space.json'));
    expect(e.path).toBe(`parameters["${FAST}"].stp`);
    expect(e.message).toContain("unknown key 'stp'");
    expect(e.message).toContain('space.json');
  });

  it('rejects an unknown top-level key', () => {
    expect(errorOf(() => parseSearchSpace({ parameters: { [FAST]: { type: 'int', min: 1, max: 5 } }, constraint: [] })).path).toBe('constraint');
  });

  it('rejects min >= max naming the max field', () => {
    const e = errorOf(() => parseSearchSpace({ parameters: { [FAST]: { type: 'int', min: 5, max: 5 } } }));
    expect(e.path).toBe(`parameters["${FAST}"].max`);
    expect(e.message).toContain('not above min (5), was 5');
  });

  it('rejects a log scale whose min is not positive', () => {
    const e = errorOf(() => parseSearchSpace({ parameters: { x: { type: 'float', min: 0, max: 1, log: true } } }));
    expect(e.path).toBe('parameters["x"].min');
    expect(e.message).toContain('log scale needs min > 0, was 0');
  });

  it('rejects a non-integer int bound and an unknown type', () => {
    expect(errorOf(() => parseSearchSpace({ parameters: { x: { type: 'int', min: 0.5, max: 3 } } })).path).toBe('parameters["x"].min');
    expect(errorOf(() => parseSearchSpace({ parameters: { x: { type: 'double', min: 0, max: 3 } } })).path).toBe('parameters["x"].type');
  });

  it('rejects duplicate categorical values and empty spaces', () => {
    expect(errorOf(() => parseSearchSpace({ parameters: { x: { type: 'categorical', values: ['a', 'a'] } } })).path).toBe('parameters["x"].values[1]');
    expect(errorOf(() => parseSearchSpace({ parameters: {} })).path).toBe('parameters');
  });

  it('parses constraints between parameters and against numbers', () => {
    const s = parseSearchSpace({
      parameters: { [FAST]: { type: 'int', min: 1, max: 3 }, [SLOW]: { type: 'int', min: 2, max: 4 } },
      constraints: [`${FAST} < ${SLOW}`, `${SLOW}!=3`, `${FAST} >= 1.5`],
    });
    expect(s.constraints.map((c) => [c.left, c.op, c.right])).toEqual([
      [FAST, '<', { kind: 'parameter', path: SLOW }],
      [SLOW, '!=', { kind: 'number', value: 3 }],
      [FAST, '>=', { kind: 'number', value: 1.5 }],
    ]);
  });

  it('rejects a constraint that names something that is not a parameter, or does not parse', () => {
    const params = { [FAST]: { type: 'int', min: 1, max: 3 } };
    const e = errorOf(() => parseSearchSpace({ parameters: params, constraints: [`${FAST} < strategies.0.params.slwo`] }));
    expect(e.path).toBe('constraints[0]');
    expect(e.message).toContain("'strategies.0.params.slwo' is neither a number nor a parameter");
    expect(errorOf(() => parseSearchSpace({ parameters: params, constraints: [`${FAST} =< 2`] })).path).toBe('constraints[0]');
    expect(errorOf(() => parseSearchSpace({ parameters: params, constraints: ['other < 2'] })).message).toContain("'other' is not a parameter");
  });

  it('rejects ordering constraints on non-numeric categoricals', () => {
    const e = errorOf(() => parseSearchSpace({ parameters: { m: { type: 'categorical', values: ['a', 'b'] } }, constraints: ['m < 2'] }));
    expect(e.message).toContain("'<' needs numbers");
  });
});

describe('gridPoints', () => {
  it('enumerates the Cartesian product in file order, the last parameter fastest, and drops points outside the constraints', () => {
    const s = parseSearchSpace({
      parameters: { a: { type: 'int', min: 1, max: 3 }, b: { type: 'categorical', values: ['x', 'y'] } },
      constraints: ['a != 2'],
    });
    expect(gridSize(s)).toBe(6);
    expect(gridPoints(s)).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 3, b: 'x' },
      { a: 3, b: 'y' },
    ]);
  });

  it('steps ints up to the last value not above max', () => {
    const s = parseSearchSpace({ parameters: { a: { type: 'int', min: 5, max: 17, step: 5 } } });
    expect(gridPoints(s).map((p) => p.a)).toEqual([5, 10, 15]);
  });

  it('spaces float counts linearly or geometrically and ends exactly at max', () => {
    const lin = parseSearchSpace({ parameters: { f: { type: 'float', min: 0, max: 1, count: 5 } } });
    expect(gridPoints(lin).map((p) => p.f)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const log = parseSearchSpace({ parameters: { f: { type: 'float', min: 0.01, max: 1, log: true, count: 3 } } });
    const values = gridPoints(log).map((p) => p.f as number);
    expect(values[0]).toBe(0.01);
    expect(values[1]).toBeCloseTo(0.1, 14);
    expect(values[2]).toBe(1);
  });

  it('refuses a float without step or count', () => {
    const s = parseSearchSpace({ parameters: { f: { type: 'float', min: 0, max: 1 } } });
    expect(errorOf(() => gridPoints(s)).message).toContain("a float needs 'step' or 'count'");
  });
});

describe('decode and encode', () => {
  const space: SearchSpace = parseSearchSpace({
    parameters: {
      i: { type: 'int', min: -3, max: 12, step: 3 },
      f: { type: 'float', min: -2, max: 5 },
      g: { type: 'float', min: 0.001, max: 10, log: true },
      s: { type: 'float', min: 0, max: 1, step: 0.1 },
      c: { type: 'categorical', values: ['a', 2, true] },
    },
  });

  it('cuts int and categorical dimensions into equal bins, one per value', () => {
    const p = parseSearchSpace({ parameters: { i: { type: 'int', min: 1, max: 4 }, c: { type: 'categorical', values: ['a', 'b'] } } });
    expect(decode(p, [0, 0])).toEqual({ i: 1, c: 'a' });
    expect(decode(p, [0.2499, 0.4999])).toEqual({ i: 1, c: 'a' });
    expect(decode(p, [0.25, 0.5])).toEqual({ i: 2, c: 'b' });
    expect(decode(p, [1, 1])).toEqual({ i: 4, c: 'b' });
  });

  it('maps floats linearly or logarithmically and clamps outside [0, 1]', () => {
    const p = parseSearchSpace({ parameters: { f: { type: 'float', min: 2, max: 4 }, g: { type: 'float', min: 1, max: 100, log: true } } });
    expect(decode(p, [0.5, 0.5]).f).toBe(3);
    expect(decode(p, [0.5, 0.5]).g).toBeCloseTo(10, 12);
    expect(decode(p, [-1, 2])).toEqual({ f: 2, g: 100 });
  });

  it('decode(encode(p)) gives p back for every point of the space', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }), (u) => {
        const p = decode(space, u);
        const back = decode(space, encode(space, p));
        expect(back.i).toBe(p.i);
        expect(back.s).toBe(p.s);
        expect(back.c).toBe(p.c);
        expect(back.f as number).toBeCloseTo(p.f as number, 12);
        expect(Math.abs((back.g as number) / (p.g as number) - 1)).toBeLessThan(1e-12);
      }),
    );
  });

  it('encodes into the unit cube and refuses values outside the domain', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }), (u) => {
        for (const x of encode(space, decode(space, u))) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(1);
        }
      }),
    );
    expect(errorOf(() => encode(space, { ...decode(space, [0, 0, 0, 0, 0]), c: 'z' })).path).toBe('parameters["c"]');
  });

  it('samples the same points from the same stream', () => {
    const a = Array.from({ length: 5 }, ((rng) => () => sampleRandom(space, rng))(randomStream(3, 'sweep', 'random')));
    const b = Array.from({ length: 5 }, ((rng) => () => sampleRandom(space, rng))(randomStream(3, 'sweep', 'random')));
    expect(a).toEqual(b);
  });
});

describe('satisfies', () => {
  it('checks every constraint', () => {
    const s = parseSearchSpace({
      parameters: { a: { type: 'int', min: 1, max: 9 }, b: { type: 'int', min: 1, max: 9 } },
      constraints: ['a < b', 'b <= 8'],
    });
    expect(satisfies(s, { a: 2, b: 3 })).toBe(true);
    expect(satisfies(s, { a: 3, b: 3 })).toBe(false);
    expect(satisfies(s, { a: 2, b: 9 })).toBe(false);
  });
});

describe('checkParameterPaths', () => {
  const scenario = { seed: 1, strategies: [{ type: 'sma_cross', params: { fast: 10, slow: 20 } }], venue: { fees: { kind: 'fraction', rate: 0.002 } } };

  it('accepts paths that address scalar fields, with dots or brackets', () => {
    const s = parseSearchSpace({ parameters: { [FAST]: { type: 'int', min: 1, max: 3 }, 'strategies[0].params.slow': { type: 'int', min: 4, max: 9 }, 'venue.fees.rate': { type: 'float', min: 0.001, max: 0.01 } } });
    expect(() => checkParameterPaths(s, [scenario])).not.toThrow();
  });

  it('names the first path that does not address a field', () => {
    const s = parseSearchSpace({ parameters: { [FAST]: { type: 'int', min: 1, max: 3 }, 'strategies.0.params.fsat': { type: 'int', min: 1, max: 3 } } });
    const e = errorOf(() => checkParameterPaths(s, [scenario]));
    expect(e.path).toBe('parameters["strategies.0.params.fsat"]');
    expect(e.message).toContain('does not address a field');
  });

  it('rejects an array index past the end and a path to an object', () => {
    expect(() => checkParameterPaths(parseSearchSpace({ parameters: { 'strategies.1.params.fast': { type: 'int', min: 1, max: 3 } } }), [scenario])).toThrow(ConfigError);
    expect(() => checkParameterPaths(parseSearchSpace({ parameters: { 'venue.fees': { type: 'int', min: 1, max: 3 } } }), [scenario])).toThrow(ConfigError);
  });

  it('accepts a field present only in the second document (a default of the qualified scenario)', () => {
    const s = parseSearchSpace({ parameters: { 'engine.lookback': { type: 'int', min: 10, max: 20 } } });
    expect(() => checkParameterPaths(s, [scenario, { engine: { lookback: 100 } }])).not.toThrow();
  });
});
