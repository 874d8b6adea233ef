import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plainCsvRows, plainNumber, plainTime, scanPlainCsv } from '../../../datasets/csv-scan.js';
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

  /** What scanPlainCsv must answer, line by line with the regular expressions (the scan reads bytes in one pass). */
  function reference(text: string, delimiter: string, classes: readonly string[]): boolean {
    const body = text.startsWith('\ufeff') ? text.slice(1) : text;
    const lines = body.split('\n');
    if (lines.length < 2) return false; // no line end after the header
    const data = lines.slice(1);
    const unterminated = data.pop()!; // '' when the file ends with a line end
    const all = data.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (unterminated !== '') all.push(unterminated);
    if (all.length === 0) return false;
    return all.every((line) => {
      if (line === '' || line.includes('"') || line.includes('\r')) return false;
      const fields = line.split(delimiter);
      return fields.length === classes.length && fields.every((f, i) => (classes[i] === 'number' ? NUMBER.test(f) : classes[i] === 'time' ? TIME.test(f) : true));
    });
  }

  it('scanPlainCsv answers as the line-by-line reference on generated files (line ends, quotes, CRs, field counts, cells)', async () => {
    const root = await tempDir(cleanup);
    const classes = ['time', 'number', 'other', 'number'] as const;
    const cell = fc.constantFrom('2024-01-31', '2024-01-31 09:30:00', '1.5', ' 2 ', '-1e5', '', 'x', 'a b', '"q"', '1\r', 'nan', '.', '2024-01-31T24:00');
    const line = fc.oneof(
      fc.tuple(fc.constantFrom('2024-01-31', '2024-02-01T10:00:00.5Z'), fc.constantFrom('1', '0.25', ' 3 '), fc.constantFrom('x', '', 'y z'), fc.constantFrom('7', '1e-3')).map((f) => f.join(',')),
      fc.array(cell, { minLength: 1, maxLength: 5 }).map((f) => f.join(',')),
    );
    let k = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n', '\r', '')), { maxLength: 6 }), async (bom, rows) => {
        const text = `${bom ? '\ufeff' : ''}ts,price,note,size\n${rows.map(([l, end]) => l + end).join('')}`;
        const f = join(root, `g${k++}.csv`);
        await writeFile(f, text);
        expect(await scanPlainCsv(f, ',', classes), JSON.stringify(text)).toBe(reference(text, ',', classes));
      }),
      { numRuns: 400, seed: 14 },
    );
  });

  it('scanPlainCsv reads past its pieces (256 KB): a line split between pieces, and a bad line after the first piece', async () => {
    const root = await tempDir(cleanup);
    const good = Array.from({ length: 200_000 }, (_, i) => `2024-01-31 09:30:${String(i % 60).padStart(2, '0')},${i}.25,n${i}\n`).join('');
    expect(good.length).toBeGreaterThan(5 << 20);
    const f = join(root, 'big.csv');
    await writeFile(f, `ts,price,note\n${good}`);
    expect(await scanPlainCsv(f, ',', ['time', 'number', 'other'])).toBe(true);
    await writeFile(f, `ts,price,note\n${good}2024-01-31,1.5.5,x\n${good}`);
    expect(await scanPlainCsv(f, ',', ['time', 'number', 'other'])).toBe(false);
  });

  it('plainCsvRows counts lines longer than the room kept for a line split between pieces, and longer than a piece', async () => {
    const root = await tempDir(cleanup);
    const f = join(root, 'long-lines.csv');
    // Lines of 100 KB (more than the 64 KB kept in front of a piece) and one of 9 MB (more than two
    // 256 KB pieces, no line end in most of them), a long header too; the last line without its LF.
    const wide = (i: number, n: number): string => `2024-01-31 09:30:${String(i % 60).padStart(2, '0')},${i}.5,${'x'.repeat(n)}`;
    const body = Array.from({ length: 120 }, (_, i) => wide(i, i === 60 ? 9 << 20 : 100_000));
    const text = `ts,price,${'n'.repeat(5 << 20)}\n${body.join('\n')}`;
    await writeFile(f, text);
    expect(await plainCsvRows(f, ',', ['time', 'number', 'other'])).toBe(120);
    const hash = createHash('sha256');
    await plainCsvRows(f, ',', ['time', 'number', 'other'], hash);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(text).digest('hex'));
    // a bad cell after the longest line, and a hash that still covers the whole file
    const bad = `ts,price,note\n${body.slice(0, 70).join('\n')}\n2024-01-31,1.5.5,x\n${body.slice(70).join('\n')}\n`;
    await writeFile(f, bad);
    const hashBad = createHash('sha256');
    expect(await plainCsvRows(f, ',', ['time', 'number', 'other'], hashBad)).toBe(null);
    expect(hashBad.digest('hex')).toBe(createHash('sha256').update(bad).digest('hex'));
  });
});
