import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';

let dir: string;
const csv = resolve(REPO, 'tests/fixtures/csv/daily-ohlcv.csv');
const smaCross = resolve(REPO, 'scenarios/sma-cross.json');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-cli-qualify-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tapedeck run: qualification at the CLI', () => {
  it('D21: a 2-row file exits 1 before running, naming the strategy, the parameter and the bar count, and writes nothing', async () => {
    const two = join(dir, 'spy.csv');
    const lines = (await readFile(csv, 'utf8')).split('\n');
    await writeFile(two, `${lines.slice(0, 3).join('\n')}\n`);
    const out = join(dir, 'short');
    const r = runCli(['run', smaCross, '--set', `data.bars=${two}`, '--set', 'data.symbols=["SPY"]', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('tapedeck: strategies[0] (sma-10-20): needs 21 bars to warm up (slow=20), data has 2 bars of SPY');
    expect(existsSync(out)).toBe(false);
  });

  it('D21: a run that makes no trade exits 0 with "warning: no trades" on stderr', async () => {
    const rows = ['date,open,high,low,close,volume'];
    for (let i = 0; i < 40; i++) rows.push(`${new Date(Date.UTC(2021, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},${100 + i},${101 + i},${99 + i},${100.5 + i},1000`);
    const rising = join(dir, 'rising.csv');
    await writeFile(rising, `${rows.join('\n')}\n`);
    const r = runCli(['run', smaCross, '--set', `data.bars=${rising}`, '--set', 'data.symbols=["UP"]', '--out', join(dir, 'rising-out'), '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: no trades: no order filled in 40 bars of UP\n');
  });

  it('D8: slow=1e12 exits 1 naming strategies[0].params.slow and the value', () => {
    const r = runCli(['run', smaCross, '--set', `data.bars=${csv}`, '--set', 'strategies.0.params.slow=1e12']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tapedeck: strategies\[0\]\.params\.slow: above the longest period Tapedeck accepts \(at most 10000000\), was 1000000000000 \(in .*sma-cross\.json\)\n$/);
  });

  it('D10: --set __proto__.x=1 exits 2 naming the flag', () => {
    const r = runCli(['run', smaCross, '--set', '__proto__.x=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("tapedeck: --set __proto__.x=1: '__proto__' is not allowed in a path (it is not a scenario field)\n");
  });

  it('D14: --set strategies.5.params.fast=3 exits 2 naming the path the user wrote', () => {
    const r = runCli(['run', smaCross, '--set', 'strategies.5.params.fast=3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tapedeck: --set strategies.5.params.fast=3: strategies has 1 entry\n');
  });
});
