import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvariantError, TapedeckError } from '../../../../engine/core/index.js';

/**
 * A second copy of the error classes, as another copy of Tapedeck in the same process defines them (the
 * library a user's strategy module imports, while the CLI runs from its bundle): same names, marked
 * the same way, different class objects.
 */
function otherCopy(): { TapedeckError: new (code: string, message: string) => Error; InvalidArgumentError: new (message: string) => Error } {
  const Base = class TapedeckError extends Error {
    constructor(
      readonly code: string,
      message: string,
    ) {
      super(message);
      this.name = new.target.name;
    }
  };
  Object.defineProperty(Base.prototype, Symbol.for('tapedeck.error'), { value: true });
  const Invalid = class InvalidArgumentError extends Base {
    constructor(message: string) {
      super('invalid_argument', message);
    }
  };
  return { TapedeckError: Base, InvalidArgumentError: Invalid };
}

describe('TapedeckError instanceof', () => {
  it('holds for errors of the same copy by class, as usual', () => {
    const e = new InvalidArgumentError("invalid 'x': was 1");
    expect(e instanceof InvalidArgumentError).toBe(true);
    expect(e instanceof TapedeckError).toBe(true);
    expect(e instanceof Error).toBe(true);
    expect(e instanceof InvariantError).toBe(false);
    expect(new Error('x') instanceof TapedeckError).toBe(false);
  });

  it('holds for an error of another copy of the same class and of its base, and not of a sibling class', () => {
    const other = otherCopy();
    const e = new other.InvalidArgumentError("invalid 'period': was 1");
    expect(e instanceof InvalidArgumentError).toBe(true);
    expect(e instanceof TapedeckError).toBe(true);
    expect(e instanceof InvariantError).toBe(false);
    expect(new other.TapedeckError('x', 'y') instanceof InvalidArgumentError).toBe(false);
  });

  it('does not hold for an unmarked error that only shares a class name, nor for non-objects', () => {
    const Lookalike = class InvalidArgumentError extends Error {};
    expect(new Lookalike('x') instanceof InvalidArgumentError).toBe(false);
    expect(new Lookalike('x') instanceof TapedeckError).toBe(false);
    for (const v of [null, undefined, 'InvalidArgumentError', 1] as unknown[]) expect((v as object) instanceof TapedeckError).toBe(false);
  });
});
