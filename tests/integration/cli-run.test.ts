import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReport } from '../../cli/actions/report.js';
import { REPO, runCli } from '../support/cli.js';

let dir: string;
const csv = resolve(REPO, 'tests/fixtures/csv/daily-ohlcv.csv');
const smaCross = resolve(REPO, 'scenarios/sma-cross.json');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-cli-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a scenario (sma-cross on the CSV fixture, with `patch` merged in) and returns its path. */
async function scenario(name: string, patch: (s: Record<string, unknown>) => void): Promise<string> {
  const s = JSON.parse(await readFile(smaCross, 'utf8')) as Record<string, unknown>;
  s.data = { bars: csv, symbols: ['SPY'] };
  patch(s);
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(s));
  return file;
}

describe('tapedeck run', () => {
  it('runs sma-cross on a real daily OHLCV CSV in the ,Open,High,Low,Close,Volume layout', async () => {
    const out = join(dir, 'spy');
    const r = runCli(['run', smaCross, '--set', `data.bars=${csv}`, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/runHash\s+[0-9a-f]{64}/);
    expect(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')).schemaVersion).toBe(2);
    // The whole report: report.json and its Parquet tables (the fills are in fills.parquet).
    const { report } = await loadReport(out);
    const scenario = report.scenario as { strategies: { params: { fast: number } }[]; venue: { fees: unknown } };
    expect(scenario.strategies[0]!.params.fast).toBe(10);
    expect(scenario.venue.fees).toEqual({ kind: 'fraction', rate: 0.002 });
    expect(report.data.barInterval).toBe('1d');
    expect(report.fills.length).toBeGreaterThan(0);
    for (const f of report.fills) {
      expect(f.time).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/);
      expect(['buy', 'sell']).toContain(f.side);
      expect(f.qty === 100 || f.qty === 200).toBe(true);
    }
  });

  it('applies --seed and --set overrides and embeds the qualified scenario', async () => {
    const out = join(dir, 'override');
    const r = runCli(['run', smaCross, '--set', `data.bars=${csv}`, '--set', 'strategies.0.params.fast=5', '--seed', '9', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.seed).toBe(9);
    expect(report.scenario.strategies[0].params.fast).toBe(5);
    expect(report.scenario.engine).toEqual({ lookback: 1024, equityEvery: '1m' });
    expect(report.scenario.venue.intrabarPath).toBe('ohlc');
  });

  const bad: [string, (s: Record<string, unknown>) => void, RegExp][] = [
    ['unknown top-level key', (s) => (s.initalCash = 5), /initalCash: unknown key 'initalCash'/],
    ['unknown nested key', (s) => ((s.data as Record<string, unknown>).bar = 'x'), /data\.bar: unknown key 'bar'/],
    ['wrong type', (s) => (s.initialCash = 'lots'), /initialCash: .*number/i],
    ['missing data file', (s) => ((s.data as Record<string, unknown>).bars = '/nonexistent/prices.csv'), /data\.bars: no such file or directory: \/nonexistent\/prices\.csv/],
    ['unknown strategy', (s) => ((s.strategies as Record<string, unknown>[])[0]!.type = 'moon_phase'), /strategies\[0\]\.type: unknown strategy 'moon_phase' \(known: sma_cross/],
    ['bad strategy parameter', (s) => ((s.strategies as Record<string, unknown>[])[0]!.params = { fast: -3 }), /strategies\[0\]\.params.*fast.*-3/],
    ['inconsistent risk limits', (s) => (s.risk = { maxDrawdown: 1.5 }), /risk\.maxDrawdown: must be a fraction in \(0, 1\), was 1\.5/],
    ['unknown risk limit', (s) => (s.risk = { maxLeverage: 2 }), /risk\.maxLeverage: unknown risk limit/],
    ['bad venue setting', (s) => (s.venue = { marketFill: 'tomorrow' }), /venue\.marketFill.*tomorrow/],
    ['unknown symbol', (s) => ((s.strategies as Record<string, unknown>[])[0]!.symbols = ['QQQ']), /strategies\[0\]\.symbols\[0\]: symbol 'QQQ' is not replayed/],
  ];
  for (const [what, patch, message] of bad) {
    it(`rejects a scenario with a ${what}, naming the path, exit non-zero, no output`, async () => {
      const file = await scenario(what.replace(/\W+/g, '-'), patch);
      const out = join(dir, `out-${what.replace(/\W+/g, '-')}`);
      const r = runCli(['run', file, '--out', out]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('rejects a malformed --set and a missing scenario file in one line', () => {
    const a = runCli(['run', smaCross, '--set', 'no-equals-sign']);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/--set: expected dotted\.path=value/);
    const b = runCli(['run', join(dir, 'nope.json')]);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/cannot read scenario .*nope\.json: no such file/);
  });

  it('rejects a non-integer --seed as a usage error', () => {
    const r = runCli(['run', smaCross, '--seed', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed: expected an integer from 0 to \d+, was "abc"/);
  });

  /** 66,000 plain 30-minute bars (more than one 65,536-row batch); `bad` gets high 0.5 below low 0.9. */
  async function plainCsv(name: string, bad = -1): Promise<string> {
    const rows: string[] = ['Date,Open,High,Low,Close,Volume'];
    let p = 1;
    for (let i = 1; i <= 66_000; i++) {
      const ts = new Date(Date.UTC(2020, 0, 1) + (i - 1) * 1_800_000).toISOString().slice(0, 19).replace('T', ' ');
      const next = p * (1 + (((i * 7919) % 13) - 6) / 1000);
      rows.push(i === bad ? `${ts},1,0.5,0.9,1,10` : `${ts},${p},${Math.max(p, next) * 1.001},${Math.min(p, next) * 0.999},${next},${i % 997}`);
      p = next;
    }
    const file = join(dir, name);
    await writeFile(file, `${rows.join('\n')}\n`);
    return file;
  }

  it('a CSV run replays the bars the imported dataset holds (same runHash), and a bad row in its second batch fails as data import does', async () => {
    const good = await plainCsv('plain.csv');
    const direct = runCli(['run', smaCross, '--set', `data.bars=${good}`, '--set', 'data.symbols=["P"]', '--out', join(dir, 'direct'), '--json', '--quiet']);
    expect(direct.stderr).toBe('');
    const ds = join(dir, 'plain-ds');
    expect(runCli(['data', 'import', '--csv', good, '--symbol', 'P', '--out', ds]).code).toBe(0);
    const viaDataset = runCli(['run', smaCross, '--set', `data.bars=${ds}`, '--set', 'data.symbols=["P"]', '--out', join(dir, 'via-ds'), '--json', '--quiet']);
    expect(viaDataset.stderr).toBe('');
    const hash = (out: string): string => (JSON.parse(out) as { runHash: string }).runHash;
    expect(hash(direct.stdout)).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(direct.stdout)).toBe(hash(viaDataset.stdout));

    const bad = await plainCsv('bad-row.csv', 65_800);
    const run = runCli(['run', smaCross, '--set', `data.bars=${bad}`, '--set', 'data.symbols=["P"]', '--out', join(dir, 'bad-run'), '--quiet']);
    const imported = runCli(['data', 'import', '--csv', bad, '--symbol', 'P', '--out', join(dir, 'bad-ds')]);
    const line = /^tapedeck: .*bad-row\.csv, row 65800, column 'High': high 0\.5 is below low 0\.9 \(rows are 1-based data rows in file order, header not counted\)\n$/;
    expect(run.stderr).toMatch(line);
    expect(imported.stderr).toBe(run.stderr);
    expect([run.code, imported.code]).toEqual([1, 1]);
    expect(existsSync(join(dir, 'bad-ds'))).toBe(false);
  }, 180_000); // five CLI processes over 66,000 bars
});
