/**
 * Error classes. Broken invariants (NaN price, time going backwards, corrupt data) throw and stop
 * the run; expected outcomes (a risk denial, not enough data) are values or events, never errors.
 */

/** Marks the prototype of TapedeckError in every copy of Tapedeck loaded in a process. */
const TAPEDECK_ERROR: unique symbol = Symbol.for('tapedeck.error') as never;

/** Base class: every error Tapedeck raises on purpose is a TapedeckError with a stable `code`. */
export class TapedeckError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  /**
   * Returns whether `value` is an error of this class, made by this copy of Tapedeck or by another one
   * in the same process: the `tapedeck` bin is a bundle, and a user's strategy module imports the
   * library (dist/index.js), so the errors its `defineStrategy` throws (a bad parameter) come from the
   * library's classes. Another copy's class is matched by name along the error's prototype chain, as
   * the strategy markers are (Symbol.for).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (value === null || typeof value !== 'object' || !(TAPEDECK_ERROR in value)) return false;
    for (let p: unknown = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
      if (Object.hasOwn(p as object, 'constructor') && (p as { constructor: unknown }).constructor !== undefined && ((p as { constructor: { name?: unknown } }).constructor.name === this.name)) return true;
    }
    return false;
  }
}
Object.defineProperty(TapedeckError.prototype, TAPEDECK_ERROR, { value: true });

/** A parameter or configuration value is invalid. The message names the parameter and the value. */
export class InvalidArgumentError extends TapedeckError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_argument', message, options);
  }
}

/** An invariant of the engine or the simulation was broken; results past this point would be corrupt. */
export class InvariantError extends TapedeckError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invariant', message, options);
  }
}

/** Time would go backwards: an event or timer older than the clock's current time. */
export class TimeTravelError extends InvariantError {}

/** Input data is corrupt; names the file, row and column where known. */
export class DataError extends TapedeckError {
  readonly file: string | undefined;
  readonly row: number | undefined;
  readonly column: string | undefined;
  constructor(message: string, where: { file?: string; row?: number; column?: string } = {}, options?: { cause?: unknown }) {
    const loc = [
      where.file !== undefined ? where.file : null,
      where.row !== undefined ? `row ${where.row}` : null,
      where.column !== undefined ? `column '${where.column}'` : null,
    ]
      .filter((x) => x !== null)
      .join(', ');
    super('data', loc ? `${loc}: ${message}` : message, options);
    this.file = where.file;
    this.row = where.row;
    this.column = where.column;
  }
}

/** A scenario or configuration file is invalid; `path` is the dotted path of the offending field. */
export class ConfigError extends TapedeckError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('config', path ? `${path}: ${message}` : message, options);
    this.path = path;
  }
}

/** Returns never; makes a `switch` over a discriminated union exhaustive at compile time. */
export function assertNever(value: never, what = 'value'): never {
  throw new InvariantError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/**
 * A strategy's own code failed: its `create`, a callback (onBar, onTrade, ...) threw, or it asked for
 * something the engine refuses (a NaN or infinite target). The message names the strategy id, the
 * module it came from (when it is a user module), the callback and the time, and where in the user's
 * code it was thrown (file:line); `cause` is what was thrown.
 */
export class StrategyError extends TapedeckError {
  readonly strategyId: string;
  /** Replay time in epoch microseconds, or null when it failed before the replay (create). */
  readonly ts: number | null;
  /** The module path of a user strategy, or null for a built-in. */
  readonly module: string | null;
  constructor(message: string, where: { strategyId: string; ts: number | null; module: string | null }, options?: { cause?: unknown }) {
    super('strategy', message, options);
    this.strategyId = where.strategyId;
    this.ts = where.ts;
    this.module = where.module;
  }
}
