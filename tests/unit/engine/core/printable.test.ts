import { describe, expect, it } from 'vitest';
import { printable } from '../../../../engine/core/index.js';

describe('printable', () => {
  it('quotes a plain value unchanged', () => {
    expect(printable('SPY.csv')).toBe('"SPY.csv"');
  });

  it('escapes NUL, control bytes, newlines and the replacement character from binary input', () => {
    expect(printable('a\u0000b\u0007\n\r\t\u007f\ufffd')).toBe('"a\\x00b\\x07\\n\\r\\t\\x7f\\ufffd"');
  });

  it('cuts a long value and says how much was left out', () => {
    const s = printable('\u0000'.repeat(1000), 10);
    expect(s).toBe(`"${'\\x00'.repeat(10)}"... (990 more characters)`);
  });

  it('escapes quotes and backslashes so the value reads back', () => {
    expect(printable('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});
