import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../engine/core/index.js';
import { detectDelimiter, planCsv, readCsvDuckDb, readCsvJs, type EpochUnit } from '../../datasets/import.js';
import type { DataKind } from '../../datasets/schema.js';
import { scanPlainCsv } from '../../datasets/csv-scan.js';

/**
 * The DuckDB CSV reader (the fast path of import) against the streaming JS reader (the reference, and
 * the reporter of every error): on generated valid and invalid cells, DuckDB either declines the file
 * (null; the JS reader then decides) or gives exactly the JS reader's values, bit for bit (Object.is:
 * -0 and NaN included). It must never accept a file the JS reader refuses. And on plain cells it must
 * not decline (else the fast path would silently never run).
 *
 * Bounded for `npm test`; run longer with TAPEDECK_FUZZ_RUNS=2000 and another seed with TAPEDECK_FUZZ_SEED.
 */
const RUNS = Number(process.env['TAPEDECK_FUZZ_RUNS'] ?? 60);
const SEED = Number(process.env['TAPEDECK_FUZZ_SEED'] ?? 20261204);

let work: string;
let seq = 0;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tapedeck-fuzz-csvduck-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

type Columns = Record<string, Array<number | string>>;

async function fileOf(text: string): Promise<string> {
  const f = join(work, `s${seq++}.csv`);
  await writeFile(f, text);
  return f;
}

/** Runs both readers on `text`; returns the JS result (or its DataError) and DuckDB's (or null). */
async function both(text: string, kind: DataKind, epochUnit?: EpochUnit): Promise<{ js: Columns | DataError; duck: Columns | null }> {
  const input = join(work, `f${seq++}.csv`);
  await writeFile(input, text);
  const options = { input, kind, symbol: 'SYM', ...(epochUnit !== undefined ? { epochUnit } : {}) };
  const collect = (into: Columns) => async (cols: Record<string, Float64Array | string[]>): Promise<void> => {
    for (const [k, v] of Object.entries(cols)) (into[k] ??= []).push(...v);
  };
  const jsCols: Columns = {};
  const delimiter = detectDelimiter(text);
  let js: Columns | DataError = jsCols;
  try {
    await readCsvJs(options, delimiter, collect(jsCols));
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    js = err;
  }
  let duck: Columns | null = null;
  let plan = null;
  try {
    plan = planCsv(options, text, delimiter);
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
  }
  if (plan !== null) {
    const duckCols: Columns = {};
    duck = (await readCsvDuckDb(plan, collect(duckCols))) === null ? null : duckCols;
  }
  return { js, duck };
}

function expectSame(js: Columns, duck: Columns, text: string): void {
  expect(Object.keys(duck).sort()).toEqual(Object.keys(js).sort());
  for (const [k, want] of Object.entries(js)) {
    const got = duck[k]!;
    expect(got.length, `${k} length`).toBe(want.length);
    for (let i = 0; i < want.length; i++) {
      if (!Object.is(got[i], want[i])) throw new Error(`${k}[${i}]: DuckDB ${String(got[i])}, JS ${String(want[i])} in ${JSON.stringify(text)}`);
    }
  }
}

/** A CSV field: quoted when it must be (delimiter, quote, line break), sometimes when it need not be. */
function field(value: string, delimiter: string, quote: boolean): string {
  return quote || value.includes(delimiter) || value.includes('"') || /[\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const pad = fc.constantFrom('', '', '', ' ', '\t', '  ');
const decimal = fc.stringMatching(/^[+-]?(\d{1,22}\.?\d{0,22}|\.\d{1,20})([eE][+-]?\d{1,3})?$/);
const NUMBER_NASTY = [
  '1e5', ' 12 ', 'nan', 'NaN', '-nan', '+nan', 'inf', '+inf', '-inf', 'Infinity', '-infinity', '+infinity', '0x10', '1_000', '+-1', '-+1', '++1', '--1',
  '1,5', ',5', '1,', '1.234,5', '1,2,3', '1.', '.5', '+.5', '-0', '-0.0', '-0e5', '0', '1e400', '-1e400', '1e-400', '2.5e-324', '１２', '\u00a012', '12\u00a0', '\u200b1',
  '', ' ', '\t', '1e', 'e5', '1.5.3', '1 000', '12abc', 'nan(1)', '1d', '1f', '0b1', '9007199254740993', '0.1000000000000000055511151231257827', '\u2028', '\ufeff1',
  'buy', 'SELL', 'b', 's', 'n', 'u', 'unknown', 'Unknown ', 'x', 'bu y', '\u212Aa',
];
const numberCell = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(pad, decimal, pad).map(([a, d, b]) => a + d + b) },
  { weight: 2, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 3, arbitrary: fc.constantFrom(...NUMBER_NASTY) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

const two = (lo: number, hi: number): fc.Arbitrary<string> => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, '0'));
const isoCell = fc
  .record({
    year: fc.oneof(fc.integer({ min: 1968, max: 2201 }), fc.constantFrom(50, 99, 9999)).map((y) => String(y).padStart(4, '0')),
    month: two(0, 13),
    day: fc.oneof(two(1, 28), two(0, 32)),
    shape: fc.constantFrom('date', 'hm', 'hms', 'hms', 'frac'),
    sep: fc.constantFrom('T', ' ', ' ', 't'),
    hour: fc.oneof(two(0, 23), two(0, 25)),
    minute: fc.oneof(two(0, 59), two(58, 61)),
    second: fc.oneof(two(0, 59), two(58, 61)),
    frac: fc.stringMatching(/^\d{1,10}$/),
    zone: fc.constantFrom('', '', '', 'Z', 'z', '+01:00', '-0530', ' Z', '+99:99', '+1'),
    lead: pad,
    trail: pad,
  })
  .map((p) => {
    const date = `${p.year}-${p.month}-${p.day}`;
    const time = p.shape === 'date' ? '' : p.shape === 'hm' ? `${p.sep}${p.hour}:${p.minute}` : `${p.sep}${p.hour}:${p.minute}:${p.second}${p.shape === 'frac' ? `.${p.frac}` : ''}`;
    return `${p.lead}${date}${time}${p.zone}${p.trail}`;
  });
const TIME_NASTY = ['2024-01-31 24:00:00', '2024-1-31', '2024-01-31 9:30:00', '2024-02-30', '1969-12-31T23:59:59Z', '1970-01-01', '2199-12-31T23:59:59.999999999', '2200-01-01', '', ' ', 'x', '1700000000', '-1', '+1700000000'];
const epochCell = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 19n }).map(String),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 13n }), fc.stringMatching(/^\d{1,9}$/)).map(([i, f]) => `${i}.${f}`),
  fc.constantFrom('-0', '-1', '0', '00', '1e9', '+5', ' 5 ', '1.', '.5'),
);
const timeCell = fc.oneof({ weight: 5, arbitrary: isoCell }, { weight: 1, arbitrary: fc.constantFrom(...TIME_NASTY) }, { weight: 1, arbitrary: epochCell });

const trade = fc.tuple(timeCell, numberCell, numberCell, numberCell, fc.boolean());

describe('the DuckDB CSV reader gives what the JS reader gives, or declines', () => {
  it('on generated trades cells (times, numbers, code words), comma and semicolon files', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(trade, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(',', ';'),
        fc.constantFrom(undefined, 's', 'ms', 'us', 'ns'),
        fc.boolean(),
        async (rows, delimiter, epochUnit, bom) => {
          const lines = [['ts', 'price', 'size', 'side'].join(delimiter), ...rows.map((r) => r.slice(0, 4).map((v) => field(String(v), delimiter, r[4] && v === r[1])).join(delimiter))];
          const text = `${bom ? '\ufeff' : ''}${lines.join('\n')}\n`;
          const { js, duck } = await both(text, 'trades', epochUnit as EpochUnit | undefined);
          if (js instanceof DataError) {
            if (duck !== null) throw new Error(`DuckDB accepted what JS refuses (${js.message}): ${JSON.stringify(text)}`);
            return;
          }
          if (duck !== null) expectSame(js, duck, text);
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  }, 300_000);

  it('on generated plain files (the byte scan passes, DuckDB types the columns): the same values bit for bit', async () => {
    const plainTime = fc
      .record({ day: fc.integer({ min: 0, max: 80_000 }), second: fc.integer({ min: 0, max: 86_399 }), frac: fc.stringMatching(/^\d{1,9}$/), shape: fc.constantFrom('date', 'hm', 'hms', 'frac'), sep: fc.constantFrom('T', ' '), z: fc.boolean() })
      .map((p) => {
        const iso = new Date((p.day * 86_400 + p.second) * 1000).toISOString(); // 1970-01-01 .. 2189
        const date = iso.slice(0, 10);
        if (p.shape === 'date') return date;
        const hm = `${date}${p.sep}${iso.slice(11, 16)}`;
        const t = p.shape === 'hm' ? hm : p.shape === 'hms' ? `${hm}${iso.slice(16, 19)}` : `${hm}${iso.slice(16, 19)}.${p.frac}`;
        return p.z && p.shape !== 'hm' ? `${t}Z` : t; // `09:30Z` is left to the JS reader (DuckDB's cast refuses it)
      });
    const plainNumber = fc.oneof(fc.tuple(pad, decimal, pad).map(([a, d, b]) => a + d + b), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(plainTime, plainNumber, plainNumber, plainNumber), { minLength: 1, maxLength: 6 }), fc.constantFrom(',', ';', '\t'), async (rows, delimiter) => {
        const cells = rows.map((r) => r.map((c) => (delimiter === '\t' ? c.replaceAll('\t', ' ') : c))); // a tab pads only where it does not separate
        const text = `${['ts', 'price', 'size', 'side'].join(delimiter)}\n${cells.map((r) => r.join(delimiter)).join('\n')}\n`;
        expect(await scanPlainCsv(await fileOf(text), delimiter, ['time', 'number', 'number', 'number'])).toBe(true);
        const { js, duck } = await both(text, 'trades');
        if (js instanceof DataError) throw js;
        expect(duck, text).not.toBeNull();
        expectSame(js, duck!, text);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 300_000);

  it('takes plain cells itself, with the same values: ISO times with T, space and Z, decimals, exponents, code words, decimal commas', async () => {
    const cases: Array<{ text: string; kind: DataKind; epochUnit?: EpochUnit }> = [
      { text: 'ts,price,size,side\n2024-01-31,1.5,10,buy\n2024-01-31T09:30,2e3,0.5,SELL\n2024-01-31 09:30:05.1234567Z, 12 ,-0,0\n', kind: 'trades' },
      { text: '\ufeffts;price;size;side\n2024-01-31;1,5;10;b\n2024-02-29 23:59:59;,25;1e-3;s\n', kind: 'trades' },
      { text: 'ts,price,size,side\n1700000000.5,1,1,1\n1700000001,2,2,-1\n', kind: 'trades', epochUnit: 's' },
      { text: 'ts,price,size,side\n1700000000123456789,1,1,u\n', kind: 'trades', epochUnit: 'ns' },
      { text: 'Date\tOpen\tHigh\tLow\tClose\n2024-01-02\t10\t11\t9\t10.5\n', kind: 'bars' },
      { text: 'ts,underlying,expiry,strike,right,bid,ask,last,volume,openInterest,iv\n2024-01-02,SPY,2024-02-16,400,call,1,1.1,1.05,10,100,\n2024-01-02,SPY,2024-02-16,400,P,1,1.1,1.05,10,100,nan\n', kind: 'options' },
    ];
    for (const c of cases) {
      const { js, duck } = await both(c.text, c.kind, c.epochUnit);
      if (js instanceof DataError) throw js;
      expect(duck, c.text).not.toBeNull();
      expectSame(js, duck!, c.text);
    }
  });
});
