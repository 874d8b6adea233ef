import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkForwardAndWrite } from '../../cli/actions/walkforward.js';
import type { WalkForwardCommandOptions, WalkForwardJson } from '../../cli/actions/walkforward.js';
import { UsageError } from '../../cli/errors.js';
import { loadScenario } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { generateDataset } from '../../datasets/synthetic/index.js';

/**
 * Walk-forward warm-up, in process: the README's example shape (SMA cross, 180d train / 60d test) on
 * a synthetic daily dataset. Cold, a test window of 60 days (about 42 bars) cannot warm up an
 * SMA(40) or SMA(60) before it ends, so most folds make no out-of-sample trade; warmed up on the
 * bars before the window (the default), most folds trade. --no-warmup (or --warmup 0) restores
 * the cold runs exactly.
 */

let dir: string;
let scenario: string;
let space: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-wf-warmup-'));
  await generateDataset({ seed: 7, symbols: ['AAA'], days: 560, kinds: ['bars'], out: join(dir, 'daily') });
  scenario = join(dir, 'scenario.json');
  space = join(dir, 'space.json');
  await writeFile(
    scenario,
    JSON.stringify({
      name: 'wf-warmup',
      // A long/short reversal: a margin account (the default cash account denies its short sales).
      account: { type: 'margin', leverage: 1 },
      data: { bars: join(dir, 'daily') },
      strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 40, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
      venue: { fees: { kind: 'fraction', rate: 0.002 } },
    }),
  );
  await writeFile(space, JSON.stringify({ parameters: { 'strategies.0.params.fast': { type: 'categorical', values: [10, 20] }, 'strategies.0.params.slow': { type: 'categorical', values: [40, 60] } } }));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = (): WalkForwardCommandOptions => ({ space, out: '', train: '180d', test: '60d', method: 'grid', workers: 2, set: [], fitness: 'sharpe', quiet: true });
/** Folds whose test run traded: any fill pays the 0.2% commission, so the measured return is not 0 exactly. */
const trading = (doc: WalkForwardJson): number => doc.folds.filter((f) => f.outOfSample.status === 'ok' && f.outOfSample.metrics.totalReturn !== 0).length;

describe('walkforward warm-up of the test windows', () => {
  let warm: WalkForwardJson;
  let cold: WalkForwardJson;

  it('by default warms each test run up on the train length before its window: most folds trade out of sample, cold few do', async () => {
    warm = (await walkForwardAndWrite(scenario, { ...base(), out: join(dir, 'warm') })).doc;
    cold = (await walkForwardAndWrite(scenario, { ...base(), out: join(dir, 'cold'), warmup: false })).doc;
    expect(warm.folds.length).toBeGreaterThanOrEqual(8);
    expect(warm.warmUp).toBe('180d');
    expect(cold.warmUp).toBe('0');
    // Cold, the slow SMA is ready only in the last days of a 60-day window, if at all.
    expect(trading(cold)).toBeLessThan(cold.folds.length / 2);
    // Warm, the indicators are ready when the window opens.
    expect(trading(warm)).toBeGreaterThan(warm.folds.length / 2);
    expect(trading(warm)).toBeGreaterThan(trading(cold));
    for (const f of warm.folds) {
      // The warm-up starts 180 days before the test (never before the data) and trading at the test start.
      expect(f.warmUp).toEqual({ from: Math.max(warm.folds[0]!.train.start, f.test.start - 180 * 86_400_000_000), fromIso: expect.any(String), tradeFromIso: f.test.startIso });
      // Each fold's chosen parameters come from the same train sweep either way.
      const c = cold.folds[f.index]!;
      expect(f.sweep.combinedHash).toBe(c.sweep.combinedHash);
      expect(f.params).toEqual(c.params);
    }
    // The test runs are measured on the test window only: the returns of a cold run of it, plus the
    // first bar's own return (from the close before the window), which a cold run has no base for.
    for (const f of warm.folds) {
      const c = cold.folds[f.index]!;
      if (f.outOfSample.status === 'ok' && c.outOfSample.status === 'ok') expect(f.outOfSample.returns.length).toBe(c.outOfSample.returns.length + 1);
    }
    expect(warm.combinedHash).not.toBe(cold.combinedHash);
  }, 300_000);

  it("tapedeck run reproduces a warm fold's test run from its recorded warm-up: nothing traded before the test start", async () => {
    const f = warm.folds.find((x) => x.outOfSample.status === 'ok' && x.outOfSample.metrics.totalReturn !== 0)!;
    const sets = [`data.start=${f.warmUp!.fromIso}`, `data.end=${f.test.endIso}`, `engine.tradeFrom=${f.warmUp!.tradeFromIso}`];
    for (const [path, value] of Object.entries(f.params!)) sets.push(`${path}=${JSON.stringify(value)}`);
    const { report } = await runScenario(await loadScenario(scenario, { overrides: sets, seed: f.trialSeed! }));
    expect(report.runHash).toBe(f.outOfSample.status === 'ok' ? f.outOfSample.runHash : '');
    // The strategies decided during the warm-up (the SMA crosses there were dropped), yet every order is from the test window.
    expect(report.orders.length).toBeGreaterThan(0);
    expect(report.orders.every((o) => o.tsCreated >= f.test.start)).toBe(true);
    expect(report.assumptions.find((a) => a.startsWith(`Trading starts at ${f.warmUp!.tradeFromIso}`))).toBeDefined();
  }, 120_000);

  it('--warmup 0 is --no-warmup: the cold test runs of before (no warmUp in the folds, the same combinedHash)', async () => {
    const zero = (await walkForwardAndWrite(scenario, { ...base(), out: join(dir, 'zero'), warmup: '0' })).doc;
    expect(zero.combinedHash).toBe(cold.combinedHash);
    expect(zero.folds.every((f) => f.warmUp === undefined)).toBe(true);
    expect(zero.folds.map((f) => (f.outOfSample.status === 'ok' ? f.outOfSample.runHash : null))).toEqual(cold.folds.map((f) => (f.outOfSample.status === 'ok' ? f.outOfSample.runHash : null)));
  }, 300_000);

  it('a bad --warmup, or --warmup with --warm-start, is a usage error naming the flag, before anything is written', async () => {
    await expect(walkForwardAndWrite(scenario, { ...base(), out: join(dir, 'bad1'), warmup: 'ten bars' })).rejects.toThrow(new UsageError('--warmup: expected a duration such as 30d, 12h or 0, was "ten bars"'));
    await expect(walkForwardAndWrite(scenario, { ...base(), out: join(dir, 'bad2'), warmup: '30d', warmStart: true })).rejects.toThrow(/^--warmup: --warm-start already replays each train window before its test; give one of the two$/);
  });
});
