import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIsoUs } from '../../engine/core/index.js';
import { portfolioFileSchema, writePortfolioFile, type PortfolioFile } from '../../live/state/portfolio-file.js';
import { runCli } from '../support/cli.js';

/**
 * `tapedeck portfolio show|export|merge` as a user runs them (child processes), on portfolio files
 * written by the library: hand-computed figures, the never-overwrite rule, and one-line errors with
 * exit 1 (data) or 2 (usage).
 */
const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z

function portfolio(name: string, asOfUs: number, initialCash: number, cash: number, rows: [string, number, number, number, number][], extra: Partial<PortfolioFile> = {}): PortfolioFile {
  const positions = rows.map(([symbol, qty, averagePrice, mark, multiplier]) => ({
    symbol,
    qty,
    averagePrice,
    mark,
    multiplier,
    future: false,
    marketValue: qty * mark * multiplier,
    unrealizedPnl: (mark - averagePrice) * qty * multiplier,
  }));
  return portfolioFileSchema.parse({
    format: 'tapedeck-portfolio',
    version: 1,
    name,
    asOf: formatIsoUs(asOfUs),
    asOfUs,
    initialCash,
    cash,
    equity: cash + positions.reduce((v, p) => v + p.marketValue, 0),
    realizedPnl: 0,
    unrealizedPnl: positions.reduce((u, p) => u + p.unrealizedPnl, 0),
    positions,
    workingOrders: [],
    fills: [],
    strategies: {},
    ...extra,
  });
}

let dir: string;
let paper: string;
let lab: string;
const fill = (tsUs: number, orderId: string, side: 'buy' | 'sell', qty: number, price: number) => ({ ts: formatIsoUs(tsUs), tsUs, orderId, strategy: 'q1', symbol: 'AAA', side, qty, price, commission: 1 });
// paper: 10 AAA at 100 (mark 104), 2 ES at 5000 (x50, mark 5010); lab: -4 AAA at 110 (mark 106, later).
const PAPER = portfolio('paper', T0 + 3_600_000_000, 100_000, 78_998, [
  ['AAA', 10, 100, 104, 1],
  ['ES', 2, 5000, 5010, 50],
], {
  fills: [fill(T0 + 1_000_000, 'O-1', 'buy', 10, 100)],
  workingOrders: [{ orderId: 'O-2', strategy: 'q1', symbol: 'AAA', side: 'sell', qty: 10, filledQty: 0, type: 'limit', limitPrice: 120, timeInForce: 'GTC' }],
  strategies: { q1: { kind: 'q_learning_selector', table: [1, 2] } },
  feed: { stream: 'demo', lastSeq: 17 },
});
const LAB = portfolio('lab', T0 + 7_200_000_000, 50_000, 50_440, [['AAA', -4, 110, 106, 1]]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-pstate-'));
  paper = join(dir, 'paper');
  lab = join(dir, 'lab.json');
  await writePortfolioFile(join(paper, 'portfolio.json'), PAPER);
  await writePortfolioFile(lab, LAB);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The one line a failed command prints on stderr. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  return lines[0]!;
}

describe('tapedeck portfolio show', () => {
  it('prints an aligned summary of a state directory: totals, positions table, last fills', () => {
    const r = runCli(['portfolio', 'show', paper]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toContain('portfolio       paper  as of 2026-01-01T01:00:00.000Z');
    expect(out).toContain('feed            stream demo, last seq 17');
    // equity 78998 + 1040 + 501000 = 581038, +481.04% on 100000
    expect(out).toContain('equity          581,038.00 (481.04%)');
    expect(out).toContain('unrealized P&L  1,040.00'); // 40 + 1000
    expect(out).toContain('working orders  1');
    expect(out).toContain('strategy state  q1');
    const lines = out.split('\n');
    const header = lines.find((l) => l.startsWith('symbol'))!;
    const es = lines.find((l) => l.startsWith('ES'))!;
    const aaa = lines.find((l) => l.startsWith('AAA'))!;
    expect(header.split(/\s{2,}/)).toEqual(['symbol', 'qty', 'avg price', 'mark', 'multiplier', 'market value', 'unrealized P&L']);
    expect(aaa.split(/\s{2,}/)).toEqual(['AAA', '10', '100.00', '104.00', '1', '1,040.00', '40.00']);
    expect(es.split(/\s{2,}/)).toEqual(['ES', '2', '5000.00', '5010.00', '50', '501,000.00', '1,000.00']);
    // Right-aligned numbers: every row of the table ends at the header's width.
    expect(aaa.length).toBe(header.length);
    expect(es.length).toBe(header.length);
    expect(out).toContain('last fills (1 of 1)');
    expect(out).toMatch(/2026-01-01 00:00:01Z\s+O-1\s+q1\s+AAA\s+buy\s+10\s+100\.00\s+1\.00/);
  });
  it('--json prints the file itself, given the file', () => {
    const r = runCli(['portfolio', 'show', join(paper, 'portfolio.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(PAPER);
  });
  it('a missing path, a directory without portfolio.json, a bad file: one line naming it, exit 1', async () => {
    const missing = runCli(['portfolio', 'show', join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(oneLine(missing.stderr)).toBe(`tapedeck: ${join(dir, 'nope')}: no such file or directory (expected a state directory or its portfolio.json)`);
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const noFile = runCli(['portfolio', 'show', empty]);
    expect(noFile.code).toBe(1);
    expect(oneLine(noFile.stderr)).toBe(`tapedeck: ${empty}: no portfolio.json in this directory (a live session writes it in its --state directory once it saved its portfolio)`);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...PAPER, positions: [{ ...PAPER.positions[0], multiplier: -1 }, PAPER.positions[1]] }));
    const r = runCli(['portfolio', 'show', bad]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^tapedeck: ${bad}: positions\\[0\\]\\.multiplier: `));
    const other = join(dir, 'other.json');
    await writeFile(other, JSON.stringify({ schemaVersion: 1, generator: 'tapedeck', kind: 'portfolio' }));
    const search = runCli(['portfolio', 'show', other]);
    expect(search.code).toBe(1);
    expect(oneLine(search.stderr)).toBe(`tapedeck: ${other}: a 'portfolio search' result, not a portfolio state (expected "format": "tapedeck-portfolio")`);
  });
});

describe('tapedeck portfolio export', () => {
  it('json: the whole file; csv: the positions table, full precision', async () => {
    const json = join(dir, 'export.json');
    const r = runCli(['portfolio', 'export', paper, '--out', json]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(await readFile(json, 'utf8'))).toEqual(PAPER);
    const csv = join(dir, 'positions.csv');
    const c = runCli(['portfolio', 'export', paper, '--out', csv, '--format', 'csv']);
    expect(c.code, c.stderr).toBe(0);
    expect(await readFile(csv, 'utf8')).toBe(
      ['symbol,qty,averagePrice,mark,multiplier,future,marketValue,unrealizedPnl', 'AAA,10,100,104,1,false,1040,40', 'ES,2,5000,5010,50,false,501000,1000', ''].join('\n'),
    );
  });
  it('refuses an existing --out (exit 2, the file untouched) and an unknown --format (exit 2)', async () => {
    const out = join(dir, 'exists.csv');
    await writeFile(out, 'mine\n');
    const r = runCli(['portfolio', 'export', paper, '--out', out, '--format', 'csv']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`tapedeck: --out "${out}": already exists; give a new file name (an export never overwrites a file)`);
    expect(await readFile(out, 'utf8')).toBe('mine\n');
    const f = runCli(['portfolio', 'export', paper, '--out', join(dir, 'x.xml'), '--format', 'xml']);
    expect(f.code).toBe(2);
    expect(oneLine(f.stderr)).toBe(`tapedeck: --format: expected 'json' or 'csv', was "xml"`);
  });
});

describe('tapedeck portfolio merge', () => {
  it('writes the merged portfolio: netted positions, realized P&L of the netted quantity, later marks, prefixed ids', async () => {
    const out = join(dir, 'merged.json');
    const r = runCli(['portfolio', 'merge', paper, lab, '--out', out, '--name', 'combined']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('merged from     paper, lab');
    const m = portfolioFileSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    // AAA: +10 at 100 and -4 at 110 -> 4 netted, (110 - 100) x 4 = 40 realized; +6 remain at 100;
    // lab is later: mark 106 -> unrealized 36. ES from paper alone.
    expect(m.positions).toEqual([
      { symbol: 'AAA', qty: 6, averagePrice: 100, mark: 106, multiplier: 1, future: false, marketValue: 636, unrealizedPnl: 36 },
      { symbol: 'ES', qty: 2, averagePrice: 5000, mark: 5010, multiplier: 50, future: false, marketValue: 501_000, unrealizedPnl: 1000 },
    ]);
    expect(m).toMatchObject({ name: 'combined', initialCash: 150_000, cash: 129_438, realizedPnl: 40, unrealizedPnl: 1036, equity: 631_074, sources: ['paper', 'lab'], asOfUs: LAB.asOfUs });
    expect(m.workingOrders.map((o) => o.orderId)).toEqual(['paper/O-2']);
    expect(Object.keys(m.strategies)).toEqual(['paper/q1']);
    expect(m.feed).toBeUndefined();
    // The merged file is a portfolio the other commands read.
    expect(runCli(['portfolio', 'show', out]).code).toBe(0);
  });
  it('refuses two multipliers for one symbol (exit 1) and an existing --out (exit 2)', async () => {
    const mini = join(dir, 'mini.json');
    await writePortfolioFile(mini, portfolio('mini', T0, 10_000, 9_500, [['ES', 1, 5000, 5000, 5]]));
    const r = runCli(['portfolio', 'merge', paper, mini, '--out', join(dir, 'm2.json')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe('tapedeck: cannot merge ES: its multiplier is 50 in paper and 5 in mini (not the same contract)');
    const e = runCli(['portfolio', 'merge', paper, lab, '--out', lab]);
    expect(e.code).toBe(2);
    expect(oneLine(e.stderr)).toContain('already exists');
  });
});
