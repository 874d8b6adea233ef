import fc from 'fast-check';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plainNumber, plainTime, scanPlainCsv } from '../../../datasets/csv-scan.js';
import { removeAll, tempDir } from './helpers.js';

const cleanup: string[] = [];
afterEach(() => removeAll(cleanup));

/** The forms the scan must accept, as regular expressions (import.ts DECIMAL, padded; csv-scan.ts's times). */
const NUMBER = /^[ \t]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t]*$/;
const TIME = /^\d{4}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?Z?)?)?$/;

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('csv-scan', () => {
  it('plainNumber accepts exactly the padded decimal form', () => {
    const chars = fc.constantFrom(...'0123456789.eE+- \t_,xZ'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 10 }).map((a) => a.join('')), (s) => {
        const b = bytes(`#${s}#`);
        expect(plainNumber(b, 1, b.length - 1)).toBe(NUMBER.test(s));
      }),
      { numRuns: 3000, seed: 14 },
    );
    for (const s of ['1', '1.', '.5', '-0', '+1e5', ' 12 ', '1.e5']) expect(plainNumber(bytes(s), 0, s.length), s).toBe(true);
    for (const s of ['', '.', '+', '1e', 'e5', '1_000', '+-1', '0x10', 'nan', '1,5']) expect(plainNumber(bytes(s), 0, s.length), s).toBe(false);
  });

  it('plainTime accepts exactly plain ISO dates and datetimes with valid clock fields', () => {
    const piece = fc.oneof(fc.constantFrom('2024-01-31', '1999-12-01', '2024-1-31'), fc.constantFrom('', 'T', ' ', 't'), fc.constantFrom('', '09:30', '23:59', '24:00', '9:30', '12:60'), fc.constantFrom('', ':00', ':59', ':60'), fc.constantFrom('', '.1', '.123456789', '.1234567890', '.'), fc.constantFrom('', 'Z', 'z', '+01:00'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }).map((a) => a.join('')), (s) => {
        expect(plainTime(bytes(s), 0, s.length)).toBe(TIME.test(s));
      }),
      { numRuns: 3000, seed: 14 },
    );
  });

  it('scanPlainCsv takes a plain file (BOM, CRLF, no final newline) and refuses quotes, blank lines, wrong field counts and bad cells', async () => {
    const root = await tempDir(cleanup);
    const check = async (text: string): Promise<boolean> => {
      const f = join(root, 'x.csv');
      await writeFile(f, text);
      return scanPlainCsv(f, ',', ['time', 'number', 'other']);
    };
    expect(await check('ts,price,note\n2024-01-31,1.5,any thing;\n2024-01-31 09:30:00Z, 2 ,\n')).toBe(true);
    expect(await check('\ufeffts,price,note\r\n2024-01-31,1.5,x\r\n2024-02-01,2,y')).toBe(true);
    expect(await check('"ts","price","note"\n2024-01-31,1.5,x\n')).toBe(true);
    for (const bad of [
      'ts,price,note\n2024-01-31,"1.5",x\n',
      'ts,price,note\n2024-01-31,1.5,x\n\n2024-02-01,2,y\n',
      'ts,price,note\n2024-01-31,1.5\n',
      'ts,price,note\n2024-01-31,1.5,x,y\n',
      'ts,price,note\n2024-01-31,,x\n',
      'ts,price,note\n2024-01-31,nan,x\n',
      'ts,price,note\n2024-01-31t09:30,1,x\n',
      'ts,price,note\r2024-01-31,1,x\r',
      'ts,price,note\n',
    ]) expect(await check(bad), JSON.stringify(bad)).toBe(false);
  });
});
