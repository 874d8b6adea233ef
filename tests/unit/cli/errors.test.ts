import { describe, expect, it } from 'vitest';
import { describeError } from '../../../cli/errors.js';

describe('describeError', () => {
  it('D4: an error with an empty message still gives one line naming its class and where it was thrown', () => {
    const err = new Error('');
    const line = describeError(err, false);
    expect(line).toMatch(/^Error \(no message\) at .*errors\.test\.ts:\d+/);
    expect(line).not.toContain('\n');
  });

  it('D4: a blank or multi-line message gives its first non-blank line; a thrown non-Error is named', () => {
    class EchartsAssert extends Error {}
    expect(describeError(new EchartsAssert('\n  \n'), false)).toMatch(/^Error \(no message\) at /);
    expect(describeError(new Error('\nsecond line\nthird'), false)).toBe('second line');
    expect(describeError('', false)).toBe('a value that is not an error was thrown: ""');
    expect(describeError(undefined, false)).toBe('a value that is not an error was thrown: undefined');
    expect(describeError({ reason: 'x' }, false)).toBe('a value that is not an error was thrown: {"reason":"x"}');
  });

  it('keeps an ordinary message as it is', () => {
    expect(describeError(new Error('scenario.json: seed: expected an integer'), false)).toBe('scenario.json: seed: expected an integer');
  });
});
