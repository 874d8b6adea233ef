import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../cli/compose/load-scenario.js';
import { DuckSession, sqlString } from '../../datasets/duckdb.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * Issue 16: predictive filters through `tapedeck run` and `tapedeck sweep` on real daily bars (R
 * timeSeries' MSFT, tests/fixtures/csv/msft.csv): a GARCH volatility filter and a volume-surge filter
 * on an SMA crossover change its trades, every block is in the audit table, the predictions are in
 * the signals' metadata, a rerun gives the same runHash, and a sweep over the filter's threshold
 * (the sweep's own trial path) gives two different runs.
 */

const CSV = resolve(REPO, 'tests/fixtures/csv/msft.csv');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-filters16-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function scenario(filters: unknown[] | undefined): Record<string, unknown> {
  return {
    name: 'msft-filters',
    seed: 1,
    initialCash: 100000,
    account: { type: 'margin', leverage: 1 },
    data: { bars: CSV, symbols: ['MSFT'] },
    strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, mode: 'long_short' }, ...(filters !== undefined ? { filters } : {}) }],
    venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
  };
}

const FILTERS = [
  { kind: 'garch_volatility', window: 60, refitEvery: 10, maxVolatility: 0.55, annualization: 252 },
  { kind: 'volume_surge', window: 20, minZScore: -0.5 },
];

async function query(sql: string): Promise<unknown[][]> {
  const s = await DuckSession.open({ threads: 1 });
  try {
    return (await s.conn.runAndReadAll(sql)).getRows() as unknown[][];
  } finally {
    s.close();
  }
}

function run(file: string, out: string): { runHash: string; tradeCount: number } {
  const r = runCli(['run', file, '--out', out, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout) as { runHash: string; metrics: { tradeCount: number } };
  return { runHash: json.runHash, tradeCount: json.metrics.tradeCount };
}

describe('predictive filters through tapedeck run', () => {
  it('change the trades, write each block to the audit, put predictions in the signals, and rerun to the same runHash', async () => {
    const plainFile = join(dir, 'plain.json');
    const filteredFile = join(dir, 'filtered.json');
    await writeFile(plainFile, JSON.stringify(scenario(undefined)));
    await writeFile(filteredFile, JSON.stringify(scenario(FILTERS)));
    const plain = run(plainFile, join(dir, 'plain'));
    const filtered = run(filteredFile, join(dir, 'filtered'));
    expect(filtered.runHash).not.toBe(plain.runHash);
    expect(filtered.tradeCount).toBeLessThan(plain.tradeCount);
    expect(run(filteredFile, join(dir, 'again')).runHash).toBe(filtered.runHash);

    const out = join(dir, 'filtered');
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { assumptions: string[]; scenario: { strategies: { filters?: unknown[] }[] } };
    expect(report.scenario.strategies[0]!.filters).toEqual([FILTERS[0], FILTERS[1]]);
    const said = report.assumptions.find((a) => a.startsWith('Predictive filters of strategy sma'));
    const counts = [...said!.matchAll(/: (\d+) blocked/g)].map((m) => Number(m[1]));
    expect(counts).toHaveLength(2);
    expect(counts.every((n) => n > 0)).toBe(true);

    const blocks = await query(`select kind, strategyId, symbol, details from read_parquet(${sqlString(join(out, 'audit.parquet'))}) where kind = 'filter.blocked' order by ts`);
    expect(blocks.length).toBe(counts[0]! + counts[1]!);
    const details = blocks.map((b) => JSON.parse(String(b[3])) as { filter: string; predictions: Record<string, number | null> });
    expect(new Set(details.map((d) => d.filter))).toEqual(new Set(['garch_volatility', 'volume_surge']));
    for (const d of details.filter((x) => x.filter === 'garch_volatility')) expect(d.predictions['garchVolatility']).toBeGreaterThan(0.55);
    for (const d of details.filter((x) => x.filter === 'volume_surge')) expect(d.predictions['volumeZScore']).toBeLessThan(-0.5);

    const signals = await query(`select direction, metadata from read_parquet(${sqlString(join(out, 'signals.parquet'))}) order by ts`);
    expect(signals.length).toBeGreaterThan(0);
    const meta = signals.map((s) => JSON.parse(String(s[1])) as Record<string, unknown>);
    expect(meta.every((m) => 'garchVolatility' in m && 'volumeZScore' in m && typeof m['filter'] === 'string')).toBe(true);
    const blockedSignals = signals.filter((_, k) => String(meta[k]!['filter']).startsWith('blocked:'));
    expect(blockedSignals.length).toBeGreaterThan(0);
    expect(blockedSignals.every((s) => Number(s[0]) === 0)).toBe(true);
  }, 240_000);

  it('a sweep over the GARCH threshold runs each trial through the filters: two values, two runs', async () => {
    const file = join(dir, 'sweep.json');
    await writeFile(file, JSON.stringify(scenario(FILTERS)));
    const space = join(dir, 'space.json');
    await writeFile(space, JSON.stringify({ parameters: { 'strategies.0.filters.0.maxVolatility': { type: 'categorical', values: [0.3, 5] } } }));
    const sweep = runCli(['sweep', file, '--space', space, '--out', join(dir, 'sweep'), '--workers', '1', '--quiet']);
    expect(sweep.code, sweep.stderr).toBe(0);
    const result = JSON.parse(await readFile(join(dir, 'sweep', 'sweep.json'), 'utf8')) as { trialCount: number; failedCount: number; trials: { runHash: string }[] };
    expect(result.trialCount).toBe(2);
    expect(result.failedCount).toBe(0);
    expect(new Set(result.trials.map((t) => t.runHash)).size).toBe(2);
  }, 240_000);

  it('refuses filters on a run without bars and a confidence filter on the ensemble account, naming the path', async () => {
    const file = join(dir, 'ensemble.json');
    const s = scenario(undefined);
    await writeFile(file, JSON.stringify({ ...s, strategies: [...(s['strategies'] as unknown[]), { id: 'ema', type: 'ema_cross' }], ensemble: { filters: [{ kind: 'confidence', minConfidence: 0.5 }] } }));
    const r = runCli(['run', file, '--out', join(dir, 'refused')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ensemble\.filters\[0\]: a confidence filter judges the deciding strategy's latest signal/);
    const ticks = { name: 'ticks', data: { quotes: dir, trades: dir }, strategies: [{ type: 'microstructure', filters: [{ kind: 'volume_surge' }] }] };
    await expect(qualify(ticks, join(dir, 'ticks.json'))).rejects.toThrow(/^strategies\[0\]\.filters: predictive filters read the bars as they close/);
  });
});
