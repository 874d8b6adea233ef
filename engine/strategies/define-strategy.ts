import type { z } from 'zod';
import { InvalidArgumentError, strategyId, type StrategyId } from '../core/index.js';
import type { Strategy } from './context.js';
import { withDefaults } from './strategy-params.js';

/**
 * A strategy as a scenario names it: what it does, its default parameters and how to build one.
 * {@link defineStrategy} makes one (every built-in is made by it, as a user module's is).
 */
export interface StrategyDefinition<P extends object> {
  readonly description: string;
  readonly defaults: Readonly<P>;
  /**
   * Data beyond bars the strategy needs to trade (`book`, `trades`, `quotes`, `chains`, `sentiment`); absent for
   * bar strategies. The bar-only contract suite skips strategies that need other data.
   */
  readonly needs?: readonly ('book' | 'trades' | 'quotes' | 'chains' | 'sentiment')[];
  /**
   * For a strategy with a learning phase: the name of its parameter holding the ISO time at which
   * training stops (its model freezes and it acts on what it learned). A walk-forward with warm
   * start sets it, by dotted path, to each fold's train end. Absent for strategies that do not learn.
   */
  readonly trainUntilParam?: string;
  /**
   * For a strategy that decides on bars: the bars of a symbol it must see before it can first act
   * (its indicators ready, plus any previous value a rule compares with), and the parameter setting
   * that makes it so (`slow=20`). A run refuses data with fewer bars. Absent for strategies that
   * act from the first bar or decide on ticks, book updates or chains (their warm-up is not in bars).
   */
  warmup?(params: Partial<P>): StrategyWarmup;
  /** Returns a new instance; `params` override the defaults and are validated (errors name the parameter). */
  create(id: StrategyId | string, symbols: readonly string[], params?: Partial<P>): Strategy;
}

/** How many bars a strategy needs before it can act, and why (see StrategyDefinition.warmup). */
export interface StrategyWarmup {
  readonly bars: number;
  /** The parameter setting behind it, as a user writes it: `slow=20`. */
  readonly because: string;
}

/**
 * A parameter check written as code rather than a zod schema: given every parameter (the defaults
 * overlaid with the scenario's), returns them validated (it may normalise or freeze them) and throws
 * InvalidArgumentError `invalid 'NAME': what, was VALUE` naming the parameter, the form the check
 * helpers (checkPositive, checkPeriod, checkOneOf, failParam, checkSizing, ...) throw in. The
 * scenario loader turns that into `strategies[0].params.NAME: what, was VALUE`.
 */
export type ParamsCheck<P> = (params: P) => P;

/**
 * What a strategy's `create` returns: the callbacks of a {@link Strategy}. `id` and `symbols` may be
 * left out (they are the ones `create` was given); a class instance implementing Strategy is fine too.
 */
export type StrategyHandlers = Omit<Strategy, 'id' | 'symbols'> & Partial<Pick<Strategy, 'id' | 'symbols'>>;

/** What `create` is given: the instance's id, the symbols it trades and its validated parameters. */
export interface StrategyInit<P> {
  readonly id: StrategyId;
  readonly symbols: readonly string[];
  readonly params: P;
}

/** The argument of {@link defineStrategy}. */
export interface StrategySpec<P extends object> {
  /** The strategy's name, as reports and messages show it (a built-in's is its scenario `type`). */
  readonly name: string;
  /** One or two sentences: what it trades on and how. */
  readonly description: string;
  /** Every parameter with its default; a scenario's `params` override them, and no other key is accepted. */
  readonly defaults: P;
  /**
   * A zod schema of the whole parameter object, checked after the defaults are applied: its errors
   * name the parameter (`strategies[0].params.lookback: ...`). It may transform (e.g. freeze) values.
   * Or a {@link ParamsCheck} function doing the same in code (the built-ins use the check helpers).
   * Without it, only the keys are checked.
   */
  readonly params?: z.ZodType<P, unknown> | ParamsCheck<P>;
  /** Data beyond bars the strategy needs (see StrategyDefinition.needs). */
  readonly needs?: readonly ('book' | 'trades' | 'quotes' | 'chains' | 'sentiment')[];
  /** Bars of a symbol it needs before it can first act (see StrategyDefinition.warmup); a run refuses shorter data. */
  readonly warmup?: (params: P) => StrategyWarmup;
  /** For a learning strategy: its ISO train-until parameter (see StrategyDefinition.trainUntilParam). */
  readonly trainUntilParam?: string & keyof P;
  /** Returns a new instance (one per run, or per symbol with per-instrument parameters). */
  create(init: StrategyInit<P>): StrategyHandlers;
}

/** A strategy made by {@link defineStrategy}: a registry definition plus its name and parameter qualifier. */
export interface DefinedStrategy<P extends object = Record<string, unknown>> extends StrategyDefinition<P> {
  readonly name: string;
  /** Returns the parameters with defaults applied and validated; throws `invalid 'name': ...` naming the parameter. */
  qualifyParams(params?: Readonly<Record<string, unknown>>): P;
  /** Brand that tells a strategy module's default export from anything else. */
  readonly [DEFINED_STRATEGY]: true;
}

/** The brand of a {@link DefinedStrategy} (a registered symbol, so it survives duplicated module instances). */
export const DEFINED_STRATEGY: unique symbol = Symbol.for('tapedeck.strategy') as never;

/** Returns true when `value` was made by {@link defineStrategy}. */
export function isDefinedStrategy(value: unknown): value is DefinedStrategy<object> {
  return value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[DEFINED_STRATEGY] === true;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Defines a strategy, built-in or the user's own: a module default-exports the result and a scenario
 * names it by `type` (a built-in's name, or the module's path relative to the scenario file).
 *
 * ```ts
 * import { defineStrategy, indicators } from 'tapedeck';
 * import { z } from 'zod';
 * export default defineStrategy({
 *   name: 'breakout',
 *   description: 'Long above the highest close of the last `lookback` bars, flat below the lowest.',
 *   defaults: { lookback: 20, units: 100 },
 *   params: z.object({ lookback: z.number().int().min(2), units: z.number().positive() }),
 *   warmup: (p) => ({ bars: p.lookback + 1, because: `lookback=${p.lookback}` }),
 *   create: ({ symbols, params }) => { ... return { onBar(ctx, bars) { ... } }; },
 * });
 * ```
 *
 * Parameters are the defaults overlaid with the scenario's; an unknown key is refused, then the
 * `params` schema is applied. Throws InvalidArgumentError when the spec itself is malformed.
 */
export function defineStrategy<P extends object>(spec: StrategySpec<P>): DefinedStrategy<P> {
  if (spec === null || typeof spec !== 'object') throw new InvalidArgumentError('defineStrategy: expected an object { name, description, defaults, create }');
  if (typeof spec.name !== 'string' || !NAME.test(spec.name)) {
    throw new InvalidArgumentError(`defineStrategy: invalid 'name': expected 1-64 letters, digits, '_', '.' or '-' starting with a letter or '_', was ${JSON.stringify(spec.name)}`);
  }
  if (typeof spec.description !== 'string') throw new InvalidArgumentError(`defineStrategy(${spec.name}): invalid 'description': expected a string`);
  if (spec.defaults === null || typeof spec.defaults !== 'object' || Array.isArray(spec.defaults)) {
    throw new InvalidArgumentError(`defineStrategy(${spec.name}): invalid 'defaults': expected an object of every parameter with its default`);
  }
  if (typeof spec.create !== 'function') throw new InvalidArgumentError(`defineStrategy(${spec.name}): invalid 'create': expected a function ({ id, symbols, params }) => handlers`);
  const schema = spec.params;
  if (schema !== undefined && typeof schema !== 'function' && (schema === null || typeof (schema as { safeParse?: unknown }).safeParse !== 'function')) {
    throw new InvalidArgumentError(`defineStrategy(${spec.name}): invalid 'params': expected a zod schema or a function (params) => params`);
  }
  const qualifyParams = (params?: Readonly<Record<string, unknown>>): P => {
    const merged = withDefaults(spec.name, spec.defaults, params as Partial<P> | undefined);
    if (schema === undefined) return merged;
    if (typeof schema === 'function') return schema(merged);
    const parsed = schema.safeParse(merged);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const name = issue.path.length > 0 ? issue.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`)).join('') : 'params';
    let value: unknown = merged;
    for (const k of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
    throw new InvalidArgumentError(`invalid '${name}': ${issue.message}, was ${shown(value)}`);
  };
  const definition: DefinedStrategy<P> = {
    name: spec.name,
    description: spec.description,
    defaults: Object.freeze({ ...spec.defaults }),
    ...(spec.needs !== undefined ? { needs: Object.freeze([...spec.needs]) } : {}),
    ...(spec.trainUntilParam !== undefined ? { trainUntilParam: spec.trainUntilParam } : {}),
    ...(spec.warmup !== undefined ? { warmup: (params: Partial<P>) => spec.warmup!(qualifyParams(params as Record<string, unknown>)) } : {}),
    qualifyParams,
    create(id: StrategyId | string, symbols: readonly string[], params?: Partial<P>): Strategy {
      const sid = strategyId(String(id));
      const p = qualifyParams(params as Record<string, unknown> | undefined);
      const handlers = spec.create({ id: sid, symbols: Object.freeze([...symbols]), params: p });
      if (handlers === null || typeof handlers !== 'object') {
        throw new InvalidArgumentError(`strategy ${spec.name}: create() must return an object of callbacks (onBar, onTrade, ...), returned ${shown(handlers)}`);
      }
      return asStrategy(handlers, sid, symbols);
    },
    [DEFINED_STRATEGY]: true,
  };
  return Object.freeze(definition);
}

/** Every method of a {@link Strategy}: what a wrapper of a frozen instance binds and passes on. */
export const STRATEGY_METHODS = Object.freeze(['onStart', 'onBar', 'onTrade', 'onQuote', 'onSentiment', 'onTimer', 'onOrderEvent', 'onStop', 'snapshot', 'restore'] as const);

/** Gives `handlers` the id and symbols of the instance (a Strategy already carrying them is returned as is). */
function asStrategy(handlers: StrategyHandlers, id: StrategyId, symbols: readonly string[]): Strategy {
  if (handlers.id !== undefined && handlers.symbols !== undefined) return handlers as Strategy;
  const s = handlers as Strategy & { id: StrategyId; symbols: readonly string[] };
  try {
    if (handlers.id === undefined) Object.defineProperty(s, 'id', { value: id, enumerable: true });
    if (handlers.symbols === undefined) Object.defineProperty(s, 'symbols', { value: Object.freeze([...symbols]), enumerable: true });
    return s;
  } catch {
    // A frozen handler object: wrap it, keeping `this` bound to the user's object.
    const wrapped: Record<string, unknown> = { id, symbols: Object.freeze([...symbols]) };
    for (const key of STRATEGY_METHODS) {
      const fn = handlers[key] as ((...args: unknown[]) => void) | undefined;
      if (typeof fn === 'function') wrapped[key] = fn.bind(handlers);
    }
    return wrapped as unknown as Strategy;
  }
}

function shown(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
