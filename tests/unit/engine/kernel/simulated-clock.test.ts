import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, TimeTravelError } from '../../../../engine/core/index.js';
import type { TimestampUs } from '../../../../engine/core/index.js';
import { SimulatedClock } from '../../../../engine/kernel/index.js';

describe('SimulatedClock', () => {
  it('starts where it is told and moves forward or stays', () => {
    const c = new SimulatedClock(5 as TimestampUs);
    expect(c.now()).toBe(5);
    c.advanceTo(5);
    c.advanceTo(8);
    expect(c.now()).toBe(8);
    expect(new SimulatedClock().now()).toBe(0);
  });

  it('throws TimeTravelError naming both timestamps if time would go backwards', () => {
    const c = new SimulatedClock(1_700_000_000_000_000 as TimestampUs);
    expect(() => c.advanceTo(1_699_999_999_999_999)).toThrow(TimeTravelError);
    expect(() => c.advanceTo(1_699_999_999_999_999)).toThrow(
      'time would go backwards: clock is at 1700000000000000 (2023-11-14T22:13:20.000Z), asked to move to 1699999999999999 (2023-11-14T22:13:19.999999Z)',
    );
    expect(c.now()).toBe(1_700_000_000_000_000);
  });

  it('refuses NaN and a fractional start', () => {
    const c = new SimulatedClock();
    expect(() => c.advanceTo(NaN)).toThrow(/asked to move to NaN/);
    expect(() => new SimulatedClock(1.5 as TimestampUs)).toThrow(InvalidArgumentError);
  });
});
