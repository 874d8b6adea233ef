import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../engine/core/index.js';
import { TrialStore, bytesToReturns, returnsToBytes } from '../../../../sim/research/index.js';
import type { TrialMetrics, TrialResult } from '../../../../sim/research/index.js';

const metrics: TrialMetrics = {
  finalEquity: 101.25,
  totalReturn: 0.0125,
  sharpe: 0.1 + 0.2,
  sortino: null,
  maxDrawdown: 0.05,
  tradeCount: 3,
  winRate: 2 / 3,
  profitFactor: 1.5,
  cagr: null,
  observations: 3,
  periodSharpe: 0.3,
  skewness: -0.25,
  kurtosis: 2.5,
};

const ok = (key: string, runHash = `hash-${key}`): TrialResult => ({
  status: 'ok',
  key,
  params: { 'strategies.0.params.fast': 5, mode: 'long_only' },
  seed: 123456789,
  metrics,
  runHash,
  returns: new Float64Array([0.01, -0.02, Math.PI / 100]),
});

describe('TrialStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tapedeck-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips ok and failed trials exactly, returns included, sorted by key', async () => {
    const file = join(dir, 'trials.duckdb');
    const store = await TrialStore.open(file, { configHash: 'c1' });
    await store.put(ok('b'));
    await store.put({ status: 'failed', key: 'a', params: { x: 1 }, seed: 5, error: "invalid 'fast': not smaller than 'slow'" });
    await store.close();
    const again = await TrialStore.open(file, { configHash: 'c1' });
    const rows = await again.read();
    await again.close();
    expect(rows.map((r) => r.key)).toEqual(['a', 'b']);
    expect(rows[0]).toEqual({ status: 'failed', key: 'a', params: { x: 1 }, seed: 5, error: "invalid 'fast': not smaller than 'slow'" });
    expect(rows[1]).toEqual(ok('b'));
  });

  it('keeps a trial stored twice once, the first version', async () => {
    const store = await TrialStore.open(join(dir, 't.duckdb'), { configHash: 'c1' });
    await Promise.all([store.put(ok('k', 'first')), store.put(ok('k', 'second'))]);
    const rows = await store.read();
    await store.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status === 'ok' && rows[0]!.runHash).toBe('first');
  });

  it('refuses a store of another sweep configuration unless fresh', async () => {
    const file = join(dir, 't.duckdb');
    const store = await TrialStore.open(file, { configHash: 'aaaa' });
    await store.put(ok('k'));
    await store.close();
    await expect(TrialStore.open(file, { configHash: 'bbbb' })).rejects.toThrow(ConfigError);
    await expect(TrialStore.open(file, { configHash: 'bbbb' })).rejects.toThrow(/different sweep.*--fresh/);
    const fresh = await TrialStore.open(file, { configHash: 'bbbb', fresh: true });
    expect(fresh.size).toBe(0);
    await fresh.close();
  });

  it('reads only the requested keys', async () => {
    const store = await TrialStore.open(join(dir, 't.duckdb'), { configHash: 'c' });
    for (const k of ['x', 'y', 'z']) await store.put(ok(k));
    expect((await store.read(['z', 'x'])).map((r) => r.key)).toEqual(['x', 'z']);
    expect([...store.keys].sort()).toEqual(['x', 'y', 'z']);
    await store.close();
  });

  it('writes the trials put within one batch window together, and flush writes them at once', async () => {
    const file = join(dir, 'batch.duckdb');
    const store = await TrialStore.open(file, { configHash: 'c' });
    const puts = ['p', 'q', 'r'].map((k) => store.put(ok(k)));
    // Nothing is committed while the batch collects trials.
    expect(store.size).toBe(0);
    await store.flush();
    expect(store.size).toBe(3);
    await Promise.all(puts);
    await store.close();
    // Committed, not only counted: a new handle reads them back.
    const again = await TrialStore.open(file, { configHash: 'c' });
    expect((await again.read()).map((t) => t.key)).toEqual(['p', 'q', 'r']);
    await again.close();
  });

  it('commits a lone trial after the batch window without a flush', async () => {
    const store = await TrialStore.open(join(dir, 'lone.duckdb'), { configHash: 'c' });
    await store.put(ok('solo'));
    expect(store.size).toBe(1);
    await store.close();
  });

  it('encodes returns as little-endian doubles', () => {
    const r = new Float64Array([1, -0.5]);
    const bytes = returnsToBytes(r);
    expect(bytes.byteLength).toBe(16);
    expect([...bytes.slice(0, 8)]).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    expect([...bytesToReturns(bytes)]).toEqual([1, -0.5]);
  });
});
