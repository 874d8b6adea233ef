import { z } from 'zod';
import { ConfigError } from '../../engine/core/index.js';
import type { RandomStream } from '../../engine/core/index.js';
import { OptimizerSettingsSchema, type OptimizerSettings } from './optimizer-settings.js';

/**
 * Search spaces of sweeps and optimizers. A space file addresses scenario fields by the dotted paths
 * of `--set` and gives each a domain:
 *
 * ```json
 * {"parameters": {"strategies.0.params.fast": {"type": "int", "min": 5, "max": 30, "step": 5},
 *                 "venue.fees.rate": {"type": "float", "min": 0.0001, "max": 0.01, "log": true, "count": 5},
 *                 "strategies.0.params.mode": {"type": "categorical", "values": ["long_only", "long_short"]}},
 *  "constraints": ["strategies.0.params.fast < strategies.0.params.slow"],
 *  "optimizer": {"populationSize": 10, "mutationRate": 0.2}}
 * ```
 *
 * The optional `optimizer` block holds settings of the --method's optimizer (see
 * optimizer-settings.ts); a setting another method takes is refused when the sweep is planned.
 *
 * Every parameter is one dimension of the unit hypercube the optimizers search, in the order of the
 * file. {@link decode} maps a point of [0, 1]^d to parameter values: an int or categorical dimension is
 * cut into equal bins, one per value; a float is linear in [min, max] (logarithmic with `log`) and
 * snapped to `min + k * step` when it has a step. {@link encode} maps values to bin centres, so
 * `decode(encode(p))` gives `p` back.
 */

/** A parameter value: a number (int or float) or a categorical value. */
export type ParamValue = number | string | boolean;

/** Parameter values of one trial by dotted path. */
export type TrialParams = Readonly<Record<string, ParamValue>>;

/** An integer parameter: min, min + step, ... up to max. */
export interface IntParameter {
  readonly kind: 'int';
  readonly path: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

/**
 * A float parameter. `step` snaps values to min + k * step (grid and decode); without a step the grid
 * needs `count` (that many points from min to max inclusive, evenly spaced, geometrically with `log`).
 */
export interface FloatParameter {
  readonly kind: 'float';
  readonly path: string;
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
  readonly step: number | null;
  readonly count: number | null;
}

/** A categorical parameter: one of `values`. */
export interface CategoricalParameter {
  readonly kind: 'categorical';
  readonly path: string;
  readonly values: readonly ParamValue[];
}

export type Parameter = IntParameter | FloatParameter | CategoricalParameter;

export const CONSTRAINT_OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type ConstraintOperator = (typeof CONSTRAINT_OPERATORS)[number];

/** `left op right`: right is another parameter or a number. */
export interface Constraint {
  readonly text: string;
  readonly left: string;
  readonly op: ConstraintOperator;
  readonly right: { readonly kind: 'parameter'; readonly path: string } | { readonly kind: 'number'; readonly value: number };
}

/** A validated, frozen search space. */
export interface SearchSpace {
  /** Parameters in the order of the file; dimension i of the unit cube is parameters[i]. */
  readonly parameters: readonly Parameter[];
  readonly constraints: readonly Constraint[];
  /** The file's `optimizer` block, when it has one (absent otherwise, so existing sweep identities hold). */
  readonly optimizer?: OptimizerSettings;
}

const finite = z.number().refine(Number.isFinite, 'not a finite number');

const IntSchema = z.strictObject({
  type: z.literal('int'),
  min: finite.refine(Number.isInteger, 'not an integer'),
  max: finite.refine(Number.isInteger, 'not an integer'),
  step: finite.refine((x) => Number.isInteger(x) && x > 0, 'not a positive integer').optional(),
});

const FloatSchema = z.strictObject({
  type: z.literal('float'),
  min: finite,
  max: finite,
  log: z.boolean().optional(),
  step: finite.refine((x) => x > 0, 'not positive').optional(),
  count: finite.refine((x) => Number.isInteger(x) && x >= 2, 'not an integer >= 2').optional(),
});

const CategoricalSchema = z.strictObject({
  type: z.literal('categorical'),
  values: z.array(z.union([z.string(), finite, z.boolean()])).min(1, 'empty: give at least one value'),
});

const ParameterSchema = z.discriminatedUnion('type', [IntSchema, FloatSchema, CategoricalSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? "expected 'type' to be one of 'int', 'float', 'categorical'" : undefined),
});

const SpaceSchema = z.strictObject({
  parameters: z.record(z.string(), ParameterSchema),
  constraints: z.array(z.string()).optional(),
  optimizer: OptimizerSettingsSchema.optional(),
});

/** Formats a zod path with the parameter's dotted path quoted as one segment: `parameters["a.b"].min`. */
function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const [i, p] of path.entries()) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (i === 1 && path[0] === 'parameters') out += `["${String(p)}"]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

function zodError(error: z.ZodError, file: string): ConfigError {
  const issue = error.issues[0]!;
  const base = issuePath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    const where = base ? `${base}.${keys[0]!}` : keys[0]!;
    return new ConfigError(where, `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')} (in ${file})`);
  }
  return new ConfigError(base || '(space)', `${issue.message} (in ${file})`);
}

const CONSTRAINT_PATTERN = /^\s*(\S+)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$/;

function parseConstraint(text: string, index: number, byPath: ReadonlyMap<string, Parameter>, file: string): Constraint {
  const where = `constraints[${index}]`;
  const m = CONSTRAINT_PATTERN.exec(text);
  if (!m) throw new ConfigError(where, `expected '<path> <op> <path|number>' with op one of ${CONSTRAINT_OPERATORS.join(' ')}, was ${JSON.stringify(text)} (in ${file})`);
  const [, left, op, rightText] = m as unknown as [string, string, ConstraintOperator, string];
  const leftParam = byPath.get(left);
  if (!leftParam) throw new ConfigError(where, `'${left}' is not a parameter of the space (in ${file})`);
  let right: Constraint['right'];
  const asNumber = Number(rightText);
  if (rightText !== '' && Number.isFinite(asNumber) && /^[-+0-9.eE]+$/.test(rightText)) {
    right = { kind: 'number', value: asNumber };
  } else {
    if (!byPath.has(rightText)) throw new ConfigError(where, `'${rightText}' is neither a number nor a parameter of the space (in ${file})`);
    right = { kind: 'parameter', path: rightText };
  }
  if (op !== '==' && op !== '!=') {
    const operands = [leftParam, ...(right.kind === 'parameter' ? [byPath.get(right.path)!] : [])];
    for (const p of operands) {
      if (p.kind === 'categorical' && p.values.some((v) => typeof v !== 'number')) {
        throw new ConfigError(where, `'${op}' needs numbers, but '${p.path}' has non-numeric values (in ${file})`);
      }
    }
  }
  return Object.freeze({ text: text.trim(), left, op, right });
}

/**
 * Returns the validated search space of a parsed space file. Throws ConfigError naming the path of the
 * first problem: an unknown key, a wrong type, min >= max, a log scale with min <= 0, a step larger
 * than the range, a constraint that does not parse or names something that is not a parameter.
 */
export function parseSearchSpace(doc: unknown, file = 'space'): SearchSpace {
  const parsed = SpaceSchema.safeParse(doc);
  if (!parsed.success) throw zodError(parsed.error, file);
  const parameters: Parameter[] = [];
  for (const [path, spec] of Object.entries(parsed.data.parameters)) {
    const where = `parameters["${path}"]`;
    if (!/^[A-Za-z_$][\w$]*(\.\w+|\[\d+\])*$/.test(path)) throw new ConfigError(where, `not a dotted path (e.g. strategies.0.params.fast) (in ${file})`);
    switch (spec.type) {
      case 'int':
      case 'float': {
        if (!(spec.min < spec.max)) throw new ConfigError(`${where}.max`, `not above min (${spec.min}), was ${spec.max} (in ${file})`);
        if (spec.step !== undefined && spec.step > spec.max - spec.min) {
          throw new ConfigError(`${where}.step`, `larger than max - min (${spec.max - spec.min}), was ${spec.step} (in ${file})`);
        }
        const values = spec.type === 'int' ? intCount({ min: spec.min, max: spec.max, step: spec.step ?? 1 }) : spec.step !== undefined ? steppedCount(spec.min, spec.max, spec.step) : (spec.count ?? null);
        if (values !== null && !(values <= MAX_AXIS_VALUES)) {
          const field = spec.type === 'float' && spec.step === undefined ? 'count' : 'step';
          throw new ConfigError(
            `${where}.${field}`,
            `${formatCount(values)} values from ${spec.min} to ${spec.max}, more than the ${formatCount(MAX_AXIS_VALUES)} a parameter may have: use a larger step${spec.type === 'float' ? " or a float without 'step' and 'count' (random and optimizer methods only)" : ''} (in ${file})`,
          );
        }
        if (spec.type === 'int') {
          parameters.push(Object.freeze({ kind: 'int', path, min: spec.min, max: spec.max, step: spec.step ?? 1 }));
        } else {
          const log = spec.log ?? false;
          if (log && !(spec.min > 0)) throw new ConfigError(`${where}.min`, `a log scale needs min > 0, was ${spec.min} (in ${file})`);
          if (log && spec.step !== undefined) throw new ConfigError(`${where}.step`, `a log scale takes 'count', not 'step' (in ${file})`);
          if (spec.step !== undefined && spec.count !== undefined) throw new ConfigError(`${where}.count`, `give 'step' or 'count', not both (in ${file})`);
          parameters.push(Object.freeze({ kind: 'float', path, min: spec.min, max: spec.max, log, step: spec.step ?? null, count: spec.count ?? null }));
        }
        break;
      }
      case 'categorical': {
        const seen = new Set<string>();
        for (const [i, v] of spec.values.entries()) {
          const k = JSON.stringify(v);
          if (seen.has(k)) throw new ConfigError(`${where}.values[${i}]`, `duplicate value ${k} (in ${file})`);
          seen.add(k);
        }
        parameters.push(Object.freeze({ kind: 'categorical', path, values: Object.freeze([...spec.values]) }));
        break;
      }
    }
  }
  if (parameters.length === 0) throw new ConfigError('parameters', `empty: give at least one parameter (in ${file})`);
  const byPath = new Map(parameters.map((p) => [p.path, p]));
  const constraints = (parsed.data.constraints ?? []).map((c, i) => parseConstraint(c, i, byPath, file));
  const optimizer = parsed.data.optimizer;
  return Object.freeze({
    parameters: Object.freeze(parameters),
    constraints: Object.freeze(constraints),
    ...(optimizer !== undefined ? { optimizer: Object.freeze(Object.fromEntries(Object.entries(optimizer).filter(([, v]) => v !== undefined))) as OptimizerSettings } : {}),
  });
}

/**
 * Most values one stepped parameter (an int, a float with 'step' or 'count') may have: a range with a
 * tiny step is refused when the space is read, before anything would hold its values.
 */
export const MAX_AXIS_VALUES = 1_000_000_000;

/** Formats a count with thousands separators (`4,000,000,000`); huge or infinite counts as such. */
export function formatCount(n: number | bigint): string {
  if (typeof n === 'number' && !Number.isFinite(n)) return String(n);
  if (typeof n === 'number' && n > Number.MAX_SAFE_INTEGER) return n.toExponential(3);
  return BigInt(n).toLocaleString('en-US');
}

/** Number of values of an int parameter: min, min + step, ..., the last one <= max. */
function intCount(p: Pick<IntParameter, 'min' | 'max' | 'step'>): number {
  return Math.floor((p.max - p.min) / p.step) + 1;
}

/** Number of step values of a stepped float, with a relative tolerance so 0.1-steps reach max. */
function steppedCount(min: number, max: number, step: number): number {
  return Math.floor((max - min) / step + 1e-9) + 1;
}

/** Returns the grid values of one parameter, in increasing order (categoricals in file order). */
export function parameterGrid(p: Parameter): readonly ParamValue[] {
  switch (p.kind) {
    case 'int': {
      const n = intCount(p);
      return Array.from({ length: n }, (_, i) => p.min + i * p.step);
    }
    case 'float': {
      if (p.step !== null) {
        const n = steppedCount(p.min, p.max, p.step);
        return Array.from({ length: n }, (_, i) => p.min + i * p.step!);
      }
      if (p.count === null) throw new ConfigError(`parameters["${p.path}"]`, "a float needs 'step' or 'count' for a grid sweep");
      const n = p.count;
      return Array.from({ length: n }, (_, i) => {
        if (i === 0) return p.min;
        if (i === n - 1) return p.max;
        const t = i / (n - 1);
        return p.log ? Math.exp(Math.log(p.min) + t * (Math.log(p.max) - Math.log(p.min))) : p.min + t * (p.max - p.min);
      });
    }
    case 'categorical':
      return p.values;
  }
}

/**
 * Returns every point of the grid that satisfies the constraints: the Cartesian product of the
 * parameters' grids in file order, the last parameter varying fastest.
 */
export function gridPoints(space: SearchSpace): TrialParams[] {
  const grids = space.parameters.map(parameterGrid);
  const out: TrialParams[] = [];
  const idx = new Array<number>(grids.length).fill(0);
  if (grids.some((g) => g.length === 0)) return out;
  for (;;) {
    const params: Record<string, ParamValue> = {};
    for (let d = 0; d < grids.length; d++) params[space.parameters[d]!.path] = grids[d]![idx[d]!]!;
    if (satisfies(space, params)) out.push(Object.freeze(params));
    let d = grids.length - 1;
    while (d >= 0) {
      idx[d]!++;
      if (idx[d]! < grids[d]!.length) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) return out;
  }
}

/**
 * Returns the number of grid values of one parameter without building them; throws ConfigError for a
 * float with neither 'step' nor 'count' (it has no grid).
 */
export function axisCount(p: Parameter): number {
  switch (p.kind) {
    case 'int':
      return intCount(p);
    case 'float':
      if (p.step !== null) return steppedCount(p.min, p.max, p.step);
      if (p.count === null) throw new ConfigError(`parameters["${p.path}"]`, "a float needs 'step' or 'count' for a grid sweep");
      return p.count;
    case 'categorical':
      return p.values.length;
  }
}

/**
 * Returns the exact number of grid points before constraints (the product of the parameters' grid
 * sizes), as a bigint so that no product overflows; nothing is materialized.
 */
export function gridSizeExact(space: SearchSpace): bigint {
  return space.parameters.reduce((n, p) => n * BigInt(axisCount(p)), 1n);
}

/** Returns the number of grid points before constraints (see {@link gridSizeExact}; above 2^53 it is rounded). */
export function gridSize(space: SearchSpace): number {
  return Number(gridSizeExact(space));
}

function bin(u: number, n: number): number {
  const x = u < 0 ? 0 : u > 1 ? 1 : u;
  return Math.min(n - 1, Math.floor(x * n));
}

/** Returns the value of one parameter at unit coordinate u (clamped to [0, 1]). */
export function decodeParameter(p: Parameter, u: number): ParamValue {
  if (Number.isNaN(u)) throw new ConfigError(`parameters["${p.path}"]`, 'unit coordinate is NaN');
  switch (p.kind) {
    case 'int':
      return p.min + bin(u, intCount(p)) * p.step;
    case 'float': {
      if (p.step !== null) return p.min + bin(u, steppedCount(p.min, p.max, p.step)) * p.step;
      const x = u < 0 ? 0 : u > 1 ? 1 : u;
      if (x === 0) return p.min;
      if (x === 1) return p.max;
      if (p.log) return Math.exp(Math.log(p.min) + x * (Math.log(p.max) - Math.log(p.min)));
      return p.min + x * (p.max - p.min);
    }
    case 'categorical':
      return p.values[bin(u, p.values.length)]!;
  }
}

/** Returns the parameters at point `u` of the unit hypercube (one coordinate per parameter, in order). */
export function decode(space: SearchSpace, u: readonly number[]): TrialParams {
  if (u.length !== space.parameters.length) {
    throw new ConfigError('(space)', `a point has ${space.parameters.length} coordinates, was ${u.length}`);
  }
  const params: Record<string, ParamValue> = {};
  for (const [d, p] of space.parameters.entries()) params[p.path] = decodeParameter(p, u[d]!);
  return Object.freeze(params);
}

/** Returns the unit coordinate of value v of parameter p: a bin centre for ints, steps and categoricals. */
export function encodeParameter(p: Parameter, v: ParamValue): number {
  const bad = (): never => {
    throw new ConfigError(`parameters["${p.path}"]`, `value outside the parameter's domain, was ${JSON.stringify(v)}`);
  };
  switch (p.kind) {
    case 'int': {
      if (typeof v !== 'number' || v < p.min || v > p.max) return bad();
      const k = Math.round((v - p.min) / p.step);
      return (k + 0.5) / intCount(p);
    }
    case 'float': {
      if (typeof v !== 'number' || v < p.min || v > p.max) return bad();
      if (p.step !== null) return (Math.round((v - p.min) / p.step) + 0.5) / steppedCount(p.min, p.max, p.step);
      if (p.log) return (Math.log(v) - Math.log(p.min)) / (Math.log(p.max) - Math.log(p.min));
      return (v - p.min) / (p.max - p.min);
    }
    case 'categorical': {
      const k = p.values.findIndex((x) => x === v);
      if (k < 0) return bad();
      return (k + 0.5) / p.values.length;
    }
  }
}

/** Returns the point of the unit hypercube that decodes to `params` (the inverse of {@link decode}). */
export function encode(space: SearchSpace, params: TrialParams): number[] {
  return space.parameters.map((p) => {
    const v = params[p.path];
    if (v === undefined) throw new ConfigError(`parameters["${p.path}"]`, 'missing from the point');
    return encodeParameter(p, v);
  });
}

/** Returns parameters drawn uniformly from the unit hypercube (uniform per value of ints/categoricals, log-uniform on log scales). */
export function sampleRandom(space: SearchSpace, rng: RandomStream): TrialParams {
  return decode(
    space,
    space.parameters.map(() => rng.next()),
  );
}

function compare(a: ParamValue, op: ConstraintOperator, b: ParamValue): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** Returns true when `params` satisfy every constraint of the space. */
export function satisfies(space: SearchSpace, params: TrialParams): boolean {
  for (const c of space.constraints) {
    const a = params[c.left];
    const b = c.right.kind === 'number' ? c.right.value : params[c.right.path];
    if (a === undefined || b === undefined) return false;
    if (!compare(a, c.op, b)) return false;
  }
  return true;
}

/**
 * Throws ConfigError naming the first parameter whose path does not address a field of any of `docs`
 * (e.g. the raw scenario and the qualified one, which carries the defaults). Array indexes must exist.
 */
export function checkParameterPaths(space: SearchSpace, docs: readonly unknown[], what = 'the scenario'): void {
  for (const p of space.parameters) {
    const keys = p.path.replace(/\[(\d+)\]/g, '.$1').split('.');
    const found = docs.some((doc) => {
      let cur: unknown = doc;
      for (const k of keys) {
        if (cur === null || typeof cur !== 'object') return false;
        if (Array.isArray(cur)) {
          if (!/^\d+$/.test(k) || Number(k) >= cur.length) return false;
          cur = cur[Number(k)];
        } else {
          if (!Object.hasOwn(cur, k)) return false;
          cur = (cur as Record<string, unknown>)[k];
        }
      }
      return cur === undefined || cur === null || typeof cur !== 'object';
    });
    if (!found) throw new ConfigError(`parameters["${p.path}"]`, `does not address a field of ${what}`);
  }
}
