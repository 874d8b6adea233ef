import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrialRunner } from '../../../../cli/compose/sweep-trial.js';
import { ImportedFiles, isSharedTrialData, prepareSharedData, sharedRunData } from '../../../../cli/compose/sweep-shared-data.js';
import type { SharedTrialData } from '../../../../cli/compose/sweep-shared-data.js';
import { generateDataset } from '../../../../datasets/synthetic/index.js';
import type { TrialOutput } from '../../../../sim/research/index.js';

const CSV = resolve(import.meta.dirname, '..', '..', '..', 'fixtures', 'csv', 'daily-ohlcv.csv');
const PARAMS = { 'strategies.0.params.fast': 3, 'strategies.0.params.slow': 8 };

const scenario = (data: Record<string, unknown>) => ({
  name: 'shared',
  seed: 1,
  initialCash: 100000,
  data,
  strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 20, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
  venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
});

const same = (a: TrialOutput, b: TrialOutput) => {
  expect(a.runHash).toBe(b.runHash);
  expect(a.metrics).toEqual(b.metrics);
  expect([...a.returns]).toEqual([...b.returns]);
};

describe('data shared with a sweep pool', () => {
  let dir: string;
  let dataset: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tapedeck-shared-'));
    dataset = join(dir, 'daily');
    await generateDataset({ seed: 3, symbols: ['AAA', 'BBB'], days: 400, kinds: ['bars'], out: dataset });
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('puts every column on a SharedArrayBuffer and survives structured cloning', async () => {
    const shared = (await prepareSharedData(scenario({ bars: dataset })))!;
    expect(isSharedTrialData(shared)).toBe(true);
    const bars = shared.feeds.bars!;
    expect(Object.keys(bars.columns).sort()).toEqual(['barTs', 'close', 'high', 'low', 'open', 'symbol', 'ts', 'volume']);
    for (const col of Object.values(bars.columns)) expect(col.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(bars.lengths.reduce((s, n) => s + n, 0)).toBe(800);
    const copy = structuredClone(shared) as SharedTrialData;
    // The clone shares the memory: a write through one is seen through the other.
    const close = shared.feeds.bars!.columns.close!;
    const before = close[0]!;
    close[0] = -1;
    expect(copy.feeds.bars!.columns.close![0]).toBe(-1);
    close[0] = before;
    const data = sharedRunData(copy);
    expect(data.symbols).toEqual(['AAA', 'BBB']);
    expect(data.rows('bars', 'BBB')).toBe(400);
    expect(await data.barsInRange('AAA', 1)).toBe(400);
  });

  it('gives a trial the runHash, metrics and returns of the worker reading the data itself', async () => {
    const doc = scenario({ bars: dataset, symbols: ['AAA', 'BBB'] });
    const shared = await prepareSharedData(doc);
    same(await createTrialRunner().runTrial(doc, PARAMS, 7, { shared: structuredClone(shared) }), await createTrialRunner().runTrial(doc, PARAMS, 7));
  });

  it('reads a CSV file once for windows of it and names the file as the source', async () => {
    const files = new ImportedFiles();
    try {
      const whole = scenario({ bars: CSV, symbols: ['ACME'] });
      const window = scenario({ bars: CSV, symbols: ['ACME'], start: '2019-01-10', end: '2019-02-20' });
      const a = (await prepareSharedData(whole, files))!;
      const b = (await prepareSharedData(window, files))!;
      expect(sharedRunData(a).provenance.source).toBe(CSV);
      expect(sharedRunData(b).provenance.source).toBe(CSV);
      expect(b.feeds.bars!.lengths.reduce((s, n) => s + n, 0)).toBeLessThan(a.feeds.bars!.lengths.reduce((s, n) => s + n, 0));
      same(await createTrialRunner().runTrial(window, PARAMS, 7, { shared: b }), await createTrialRunner().runTrial(window, PARAMS, 7));
      same(await createTrialRunner().runTrial(whole, PARAMS, 7, { shared: a }), await createTrialRunner().runTrial(whole, PARAMS, 7));
    } finally {
      await files.close();
    }
  }, 60_000);

  it('is ignored by a trial whose data section it does not describe', async () => {
    const cut = await prepareSharedData(scenario({ bars: dataset, end: '2021-01-01' }));
    const doc = scenario({ bars: dataset });
    same(await createTrialRunner().runTrial(doc, PARAMS, 7, { shared: cut }), await createTrialRunner().runTrial(doc, PARAMS, 7));
  });

  it('is null for data that cannot be read, so the workers report the error per trial', async () => {
    expect(await prepareSharedData(scenario({ bars: join(dir, 'missing.csv') }))).toBeNull();
  });
});
