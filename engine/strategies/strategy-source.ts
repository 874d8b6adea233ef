import { StrategyError, TapedeckError } from '../core/errors.js';
import { formatIsoUs } from '../core/time.js';
import type { Strategy } from './context.js';
import { STRATEGY_METHODS } from './define-strategy.js';

/**
 * Where a strategy instance's code came from, when it is not a built-in: the module path as the
 * scenario names it and the SHA-256 of its source (or, for a definition handed to `backtest()` as an
 * object, of its name and create function). The runHash folds these in, so a changed strategy never
 * shares a runHash with the old one; a failure names the module.
 */
export interface StrategySource {
  readonly module: string;
  readonly sourceHash: string;
  /** The file the code runs from (the module, or its copy in a worker's cache), to find the user's stack frame. */
  readonly file?: string;
}

/** The property a user strategy instance carries its {@link StrategySource} under (a registered symbol). */
export const STRATEGY_SOURCE: unique symbol = Symbol.for('tapedeck.strategy.source') as never;

/**
 * Returns `strategy` marked as coming from `source`. The mark is a non-enumerable symbol property; a
 * frozen or sealed instance is wrapped instead (its callbacks keep `this` bound to it).
 */
export function withStrategySource(strategy: Strategy, source: StrategySource): Strategy {
  if (Object.isExtensible(strategy)) {
    Object.defineProperty(strategy, STRATEGY_SOURCE, { value: Object.freeze({ ...source }), enumerable: false });
    return strategy;
  }
  const wrapped: Record<string | symbol, unknown> = { id: strategy.id, symbols: strategy.symbols };
  for (const key of STRATEGY_METHODS) {
    const fn = strategy[key] as ((...args: unknown[]) => void) | undefined;
    if (typeof fn === 'function') wrapped[key] = fn.bind(strategy);
  }
  Object.defineProperty(wrapped, STRATEGY_SOURCE, { value: Object.freeze({ ...source }), enumerable: false });
  return wrapped as unknown as Strategy;
}

/** Returns the {@link StrategySource} of a user strategy instance, or undefined for a built-in. */
export function strategySourceOf(strategy: Strategy): StrategySource | undefined {
  return (strategy as unknown as Record<symbol, StrategySource | undefined>)[STRATEGY_SOURCE];
}

/**
 * The run identity lines of the user strategies among `strategies` (`id sourceHash`, in run
 * order; not the path, so the same code hashes the same from any folder), or an empty list when
 * every strategy is a built-in (so built-in runHashes do not change).
 */
export function strategySourceLines(strategies: readonly Strategy[]): string[] {
  const out: string[] = [];
  for (const s of strategies) {
    const src = strategySourceOf(s);
    if (src !== undefined) out.push(`${String(s.id)} ${src.sourceHash}`);
  }
  return out;
}

/**
 * Returns the first frame of `err`'s stack inside `file` (the user's module), as `file:line:col`, or
 * null when there is none (the stack is cut off, or the error came from elsewhere).
 */
export function userFrame(err: unknown, file: string | undefined): string | null {
  if (!(err instanceof Error) || typeof err.stack !== 'string') return null;
  const frames = err.stack.split('\n').filter((l) => /^\s+at /.test(l));
  const pick = (l: string): string | null => {
    const m = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(l);
    if (m === null) return null;
    // A module imported as `file:///...ts?sourceHash=...` (one instance per content): drop the query.
    const url = m[1]!.replace(/\?[^/]*$/, '');
    const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
    return `${path}:${m[2]}:${m[3]}`;
  };
  if (file !== undefined) {
    for (const l of frames) {
      const f = pick(l);
      if (f !== null && f.startsWith(`${file}:`)) return f;
    }
  }
  return null;
}

/**
 * Wraps what a strategy's code threw in a {@link StrategyError} naming the strategy id, its module, the
 * callback, the replay time (ISO) and the user's own stack frame. An error that already is one is
 * returned as is (a nested strategy's failure keeps its own words).
 */
export function strategyFailure(strategy: Pick<Strategy, 'id'>, source: StrategySource | undefined, callback: string, ts: number | null, err: unknown): StrategyError {
  if (err instanceof StrategyError) return err;
  const reason = err instanceof TapedeckError ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : `threw ${safeString(err)}`;
  const first = reason.split('\n').find((l) => l.trim() !== '') ?? reason;
  const frame = userFrame(err, source?.file);
  const where = source !== undefined ? ` (${source.module})` : '';
  const at = ts !== null && Number.isFinite(ts) ? ` at ${formatIsoUs(ts)}` : '';
  const message = `strategy '${String(strategy.id)}'${where} failed in ${callback}${at}: ${first}${frame !== null ? ` [${frame}]` : ''}`;
  return new StrategyError(message, { strategyId: String(strategy.id), ts, module: source?.module ?? null }, { cause: err });
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
