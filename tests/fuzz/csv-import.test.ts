import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, TapedeckError } from '../../engine/core/index.js';
import { importTable, readAll, readManifest } from '../../datasets/index.js';
import { snapshotTree } from '../unit/datasets/helpers.js';

/**
 * Random and mutated CSV files through import: never an exception that is not Tapedeck's, never a
 * half-written dataset or a staging directory left, every refusal a one-line DataError naming a row or
 * a column (or the file, when the whole file is bad), and an accepted file reads back with its rows.
 *
 * Bounded for `npm test`; run longer with e.g.
 *   TAPEDECK_FUZZ_RUNS=2000 npx vitest run tests/fuzz/csv-import.test.ts
 * and another seed with TAPEDECK_FUZZ_SEED=<n> (a failure prints the seed and path to replay it).
 */
const RUNS = Number(process.env['TAPEDECK_FUZZ_RUNS'] ?? 40);
const SEED = Number(process.env['TAPEDECK_FUZZ_SEED'] ?? 20261103);
const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = resolve(ROOT, 'tests/fixtures/csv/daily-ohlcv.csv');

let work: string;
let fixtureLines: string[];
let prior: string;
let priorTree: Record<string, string>;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tapedeck-fuzz-csv-'));
  fixtureLines = (await readFile(FIXTURE, 'utf8')).trimEnd().split('\n').slice(0, 41);
  // A dataset that a refused import must leave byte-identical, and an accepted one must keep.
  prior = join(work, 'prior');
  await importTable({ input: FIXTURE, kind: 'bars', symbol: 'BASE', out: prior });
  priorTree = await snapshotTree(prior);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Values that must be refused, or accepted exactly, wherever they land. */
const NASTY = [
  'NaN', 'nan', 'Inf', '-inf', 'Infinity', '1e308', '-1e308', '1e13', '1e16', '-5', '0', '-0', '', ' ', '1e-320', 'abc', '0x10', '1,5',
  '"12"', '"1""2"', '"', '1969-12-31', '9999-01-01', '0050-01-01', '2024-02-30', '2200-01-01', '1970-01-01', '2024-01-02T25:00:00Z',
  '\u0000', '\u001b[31m', '\u2028', '\ufeff', 'x'.repeat(500), '١٢٣',
];

type Mutation =
  | { op: 'byte'; at: number; byte: number }
  | { op: 'field'; row: number; col: number; value: string }
  | { op: 'delete' | 'duplicate'; row: number }
  | { op: 'swap'; a: number; b: number }
  | { op: 'truncate'; at: number }
  | { op: 'binary'; at: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('byte' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('field' as const), row: fc.nat(), col: fc.nat({ max: 7 }), value: fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 12 }), fc.double().map(String)) }),
  fc.record({ op: fc.constantFrom('delete' as const, 'duplicate' as const), row: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('binary' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
);

interface Case {
  readonly rows: number;
  readonly header: boolean;
  readonly mutations: readonly Mutation[];
  readonly bom: boolean;
  readonly crlf: boolean;
  readonly trailingNewline: boolean;
  readonly intoPrior: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  rows: fc.integer({ min: 1, max: 40 }),
  header: fc.boolean(),
  mutations: fc.array(mutation, { maxLength: 4 }),
  bom: fc.boolean(),
  crlf: fc.boolean(),
  trailingNewline: fc.boolean(),
  intoPrior: fc.boolean(),
});

/** Builds the file's bytes: a prefix of the fixture (or a renamed header), mutated. */
function build(c: Case): Buffer {
  const lines = [c.header ? fixtureLines[0]! : 'Date,Open,High,Low,Close,Volume', ...fixtureLines.slice(1, 1 + c.rows)];
  const rowIndex = (n: number): number => 1 + (n % Math.max(1, lines.length - 1));
  const late: Mutation[] = [];
  for (const m of c.mutations) {
    if (m.op === 'field' && lines.length > 1) {
      const r = rowIndex(m.row);
      const fields = lines[r]!.split(',');
      fields[m.col % fields.length] = m.value;
      lines[r] = fields.join(',');
    } else if (m.op === 'delete' && lines.length > 1) lines.splice(rowIndex(m.row), 1);
    else if (m.op === 'duplicate' && lines.length > 1) lines.splice(rowIndex(m.row), 0, lines[rowIndex(m.row)]!);
    else if (m.op === 'swap' && lines.length > 2) {
      const a = rowIndex(m.a);
      const b = rowIndex(m.b);
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    } else late.push(m);
  }
  let bytes = Buffer.from((c.bom ? '\ufeff' : '') + lines.join(c.crlf ? '\r\n' : '\n') + (c.trailingNewline ? '\n' : ''), 'utf8');
  for (const m of late) {
    if (m.op === 'byte' && bytes.length > 0) bytes[m.at % bytes.length] = m.byte;
    else if (m.op === 'truncate') bytes = bytes.subarray(0, m.at % (bytes.length + 1));
    else if (m.op === 'binary') {
      const at = m.at % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
    }
  }
  return bytes;
}

/** A refusal that concerns the whole file rather than one row or column. */
const WHOLE_FILE = /: (not a text CSV file|empty file|no data rows|malformed CSV at line \d+|unreadable CSV file)/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

let seq = 0;
async function check(c: Case): Promise<void> {
  const dir = join(work, `case-${seq++}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  const input = join(dir, 'in.csv');
  await writeFile(input, build(c));
  const out = c.intoPrior ? prior : join(dir, 'ds');
  let err: unknown = null;
  let result: Awaited<ReturnType<typeof importTable>> | null = null;
  try {
    result = await importTable({ input, kind: 'bars', symbol: 'FUZZ', out, replace: true });
  } catch (e) {
    err = e;
  }
  const left = (await readdir(work)).filter((n) => n.startsWith('.'));
  expect(left, 'no staging or aside directory is left').toEqual([]);
  if (err !== null) {
    expect(err, String(err)).toBeInstanceOf(TapedeckError);
    expect(err, String(err)).toBeInstanceOf(DataError);
    const e = err as DataError;
    expect(e.message.includes('\n'), 'one line').toBe(false);
    expect(CONTROL.test(e.message), `no raw control character in ${JSON.stringify(e.message)}`).toBe(false);
    expect(e.message.length, 'a message of a sane length').toBeLessThan(1000);
    expect(e.file).toBe(input);
    if (e.row === undefined && e.column === undefined) expect(e.message).toMatch(WHOLE_FILE);
    if (c.intoPrior) expect(await snapshotTree(prior)).toEqual(priorTree);
    else expect(await readdir(dir)).toEqual(['in.csv']);
    return;
  }
  if (!c.intoPrior) expect(await readdir(dir)).toEqual(['ds', 'in.csv']);
  const back = await readAll(out, { kind: 'bars', symbols: ['FUZZ'] });
  expect(back.length).toBe(result!.rows);
  const m = await readManifest(out);
  expect(m.rows['bars']?.['FUZZ']).toBe(result!.rows);
  if (c.intoPrior) {
    const tree = await snapshotTree(prior);
    expect(tree['bars/BASE.parquet']).toBe(priorTree['bars/BASE.parquet']);
    // put the prior dataset back as it was for the next case
    await importTable({ input: FIXTURE, kind: 'bars', symbol: 'BASE', out: join(work, 'prior-again') });
    await rm(prior, { recursive: true });
    await rename(join(work, 'prior-again'), prior);
    priorTree = await snapshotTree(prior);
  }
}

describe('fuzz: mutated CSV files through import', () => {
  it(`never crashes, never leaves a half-written dataset, names a row or column for every refusal (${RUNS} runs, seed ${SEED})`, async () => {
    await fc.assert(fc.asyncProperty(caseArb, check), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  }, 60_000 + RUNS * 2_000);

  it('holds for a few cases through the CLI as well: one line on stderr, exit 0, 1 or 2, no leftovers', async () => {
    const cases = fc.sample(caseArb, { seed: SEED + 1, numRuns: 3 });
    for (const [i, c] of cases.entries()) {
      const dir = join(work, `cli-${i}`);
      await mkdir(dir);
      const input = join(dir, 'in.csv');
      await writeFile(input, build(c));
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'data', 'import', '--csv', input, '--symbol', 'FUZZ', '--out', join(dir, 'ds')], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect([0, 1], r.stderr).toContain(r.status);
      if (r.status === 0) expect(r.stderr).toBe('');
      else {
        expect(r.stderr).toMatch(/^tapedeck: [^\n]*\n$/);
        expect(CONTROL.test(r.stderr.slice(0, -1))).toBe(false);
        expect(await readdir(dir)).toEqual(['in.csv']);
      }
      expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
    }
  }, 400_000);
});
