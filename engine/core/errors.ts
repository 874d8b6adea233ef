/**
 * Error classes. Broken invariants (NaN price, time going backwards, corrupt data) throw and stop
 * the run; expected outcomes (a risk denial, not enough data) are values or events, never errors.
 */

/** Base class: every error Tapedeck raises on purpose is a TapedeckError with a stable `code`. */
export class TapedeckError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

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
