import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, CsvSyntaxError } from '../../../datasets/index.js';

function parse(pieces: string[]): Array<{ fields: string[]; line: number }> {
  const p = new CsvParser();
  const out = pieces.flatMap((x) => p.push(x));
  return [...out, ...p.end()];
}

describe('CsvParser', () => {
  it('reads quoted fields, escaped quotes, CRLF, a BOM and skips blank lines, keeping line numbers', () => {
    const text = '\uFEFFa,b\r\n"x,1","say ""hi"""\r\n\r\n"multi\nline",2\n3,';
    expect(parse([text])).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x,1', 'say "hi"'], line: 2 },
      { fields: ['multi\nline', '2'], line: 4 },
      { fields: ['3', ''], line: 6 },
    ]);
  });

  it('gives the same records however the input is split into pieces (property)', () => {
    const field = fc.oneof(fc.stringMatching(/^[a-z0-9.]{0,4}$/), fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ') }).map((s) => `"${s.replaceAll('"', '""')}"`));
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 6 }),
        (rows, eol, cuts) => {
          const text = rows.map((r) => r.join(',')).join(eol) + eol;
          const whole = parse([text]);
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const pieces: string[] = [];
          let last = 0;
          for (const c of points) {
            pieces.push(text.slice(last, c));
            last = c;
          }
          pieces.push(text.slice(last));
          expect(parse(pieces)).toEqual(whole);
        },
      ),
    );
  });

  it('reports an unterminated quote with its line', () => {
    expect(() => parse(['a,b\n1,"open\n'])).toThrow(CsvSyntaxError);
    try {
      parse(['a,b\n1,"open\n']);
    } catch (e) {
      expect((e as CsvSyntaxError).line).toBe(2);
    }
  });
});
