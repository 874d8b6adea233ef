import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, sqlString } from '../../datasets/duckdb.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * Issue 16 point 2: the direction filter (a logistic regression or seeded random forest trained
 * online on trailing bars) through `tapedeck run` on real daily bars (R timeSeries' MSFT,
 * tests/fixtures/csv/msft.csv): it changes an SMA crossover's trades, every block is in the audit
 * table with the P(up) it was judged by, the forecasts are in the signals' metadata, a rerun gives
 * the same runHash, and bad settings are refused naming the field.
 */

const CSV = resolve(REPO, 'tests/fixtures/csv/msft.csv');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-direction16-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function scenario(filters: unknown[] | undefined): Record<string, unknown> {
  return {
    name: 'msft-direction',
    seed: 1,
    initialCash: 100000,
    account: { type: 'margin', leverage: 1 },
    data: { bars: CSV, symbols: ['MSFT'] },
    strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, mode: 'long_short' }, ...(filters !== undefined ? { filters } : {}) }],
    venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
  };
}

const FEATURES = ['ret1', 'ret5', 'ibs', 'rsi14'];
const LOGIT = { kind: 'direction', model: 'logit', features: FEATURES, horizon: 1, window: 80, refitEvery: 10, minProbability: 0.5 };
const RF = { ...LOGIT, model: 'rf', trees: 10, maxDepth: 3 };

async function query(sql: string): Promise<unknown[][]> {
  const s = await DuckSession.open({ threads: 1 });
  try {
    return (await s.conn.runAndReadAll(sql)).getRows() as unknown[][];
  } finally {
    s.close();
  }
}

async function run(name: string, filters: unknown[] | undefined, out = name): Promise<{ runHash: string; tradeCount: number; dir: string }> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(scenario(filters)));
  const r = runCli(['run', file, '--out', join(dir, out), '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout) as { runHash: string; metrics: { tradeCount: number } };
  return { runHash: json.runHash, tradeCount: json.metrics.tradeCount, dir: join(dir, out) };
}

describe('the direction filter through tapedeck run', () => {
  it('logit and rf change the trades, write each block with its P(up) to the audit, put the forecasts in the signals, and rerun to the same runHash', async () => {
    const plain = await run('plain', undefined);
    for (const filter of [LOGIT, RF]) {
      const name = `filtered-${filter.model}`;
      const filtered = await run(name, [filter]);
      expect(filtered.runHash).not.toBe(plain.runHash);
      expect(filtered.tradeCount).toBeLessThan(plain.tradeCount);
      expect((await run(name, [filter], `${name}-again`)).runHash).toBe(filtered.runHash);

      const report = JSON.parse(await readFile(join(filtered.dir, 'report.json'), 'utf8')) as { assumptions: string[]; scenario: { strategies: { filters?: unknown[] }[] } };
      // The forest's seed, not written, is the scenario's (shown in the scenario as run).
      expect(report.scenario.strategies[0]!.filters).toEqual([filter.model === 'rf' ? { ...filter, seed: 1 } : filter]);
      const said = report.assumptions.find((a) => a.startsWith('Predictive filters of strategy sma'))!;
      expect(said).toContain('trained online on the last 80 bars whose 1-bar up/down label is known at the decision');
      const count = Number(/: (\d+) blocked/.exec(said)![1]);
      expect(count).toBeGreaterThan(0);

      const blocks = await query(`select ts, details from read_parquet(${sqlString(join(filtered.dir, 'audit.parquet'))}) where kind = 'filter.blocked' order by ts`);
      expect(blocks.length).toBeGreaterThan(0);
      expect(blocks.length).toBeLessThanOrEqual(count);
      for (const b of blocks) {
        const d = JSON.parse(String(b[1])) as { filter: string; side: number; predictions: Record<string, unknown> };
        expect(d.filter).toBe('direction');
        expect(d.predictions['directionModel']).toBe(filter.model);
        expect(d.predictions['directionTrainedRows']).toBe(80);
        const up = d.predictions['probabilityUp'] as number;
        // A buy is blocked only below 0.5, a sell only above.
        if (d.side > 0) expect(up).toBeLessThan(0.5);
        else expect(up).toBeGreaterThan(0.5);
      }

      const signals = await query(`select direction, metadata from read_parquet(${sqlString(join(filtered.dir, 'signals.parquet'))}) order by ts`);
      const meta = signals.map((s) => JSON.parse(String(s[1])) as Record<string, unknown>);
      expect(meta.every((m) => 'probabilityUp' in m && m['directionModel'] === filter.model)).toBe(true);
      // Before the first fit (80 labelled rows: ret5 and rsi14 start at bar 14) signals pass without a forecast.
      expect(meta.some((m) => m['probabilityUp'] === null && m['directionTrainedRows'] === 0 && m['filter'] === 'pass')).toBe(true);
      expect(meta.some((m) => typeof m['probabilityUp'] === 'number' && m['directionTrainedRows'] === 80)).toBe(true);
      const blocked = signals.filter((_, k) => meta[k]!['filter'] === 'blocked:direction');
      expect(blocked.length).toBeGreaterThan(0);
      expect(blocked.every((s) => Number(s[0]) === 0)).toBe(true);
    }
  }, 240_000);

  it('refuses an unknown feature, horizon >= window and a setting the model does not read, naming the field', async () => {
    const refused = async (filter: Record<string, unknown>, message: RegExp): Promise<void> => {
      const file = join(dir, 'refused.json');
      await writeFile(file, JSON.stringify(scenario([filter])));
      const r = runCli(['run', file, '--out', join(dir, 'refused')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    };
    await refused({ ...LOGIT, features: ['ret1', 'ret2'] }, /strategies\[0\]\.filters\[0\]\.features\[1\]: Invalid option/);
    await refused({ ...LOGIT, horizon: 80 }, /strategies\[0\]\.filters\[0\]\.horizon: horizon 80 must be below window 80/);
    await refused({ ...LOGIT, trees: 50 }, /strategies\[0\]\.filters\[0\]\.trees: only model 'rf' reads trees; this filter's model is 'logit'/);
  }, 120_000);
});
