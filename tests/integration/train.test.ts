import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelBundle } from '../../cli/compose/bundles.js';
import { qualify } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { randomStream } from '../../engine/core/index.js';
import { validateClassifier } from '../../sim/research/classifier-validation.js';
import { runCli } from '../support/cli.js';
import { writePlantedIbsCsv } from '../support/train-data.js';

/**
 * Issue 16, point 3: `tapedeck train` with purged, embargoed cross-validation, the model bundles it
 * writes (seed 004's `{SYMBOL}_best.json`) driving the ibs strategy, and the refusal of malformed bundles.
 */
let dir: string;
/** `tapedeck train` on the planted data (run once, in beforeAll: the bundle tests use its output). */
let trained: { code: number; stdout: string; stderr: string };

interface TrainJson {
  kind: string;
  cv: { scheme: string; folds: number; purge: number; embargo: number };
  symbols: { symbol: string; rows: number; outOfSample: { auc: number; logLoss: number; accuracy: number; rows: number }; calibration: { count: number }[]; features: { name: string; importance: number; mutualInformation: number }[]; folds: unknown[] }[];
}

const scenario = (csv: string, extra: Record<string, unknown> = {}) => ({ name: 'train-test', data: { bars: csv, symbols: ['AAA'] }, strategies: [{ id: 'ibs', type: 'ibs' }], ...extra });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-train-'));
  // AAA: the next return leans against the bar's IBS (learnable); ZZZ: a driftless walk (nothing to learn).
  await writePlantedIbsCsv(join(dir, 'planted.csv'), 1, 800, 2);
  await writePlantedIbsCsv(join(dir, 'noise.csv'), 2, 1200, 0);
  await writeFile(join(dir, 'planted.json'), JSON.stringify(scenario('planted.csv')));
  await writeFile(join(dir, 'noise.json'), JSON.stringify(scenario('noise.csv')));
  trained = runCli(['train', join(dir, 'planted.json'), '--model', 'rf', '--features', 'ibs,ret1,rsi14,volz20', '--trees', '15', '--target', 'up:1', '--threshold', '0.55', '--out', join(dir, 'models'), '--quiet']);
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tapedeck train', () => {
  it('finds a planted effect out of sample (AUC clearly above 0.5) and writes a seed-004 bundle with the model as JSON', async () => {
    const out = join(dir, 'models');
    const r = trained;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^AAA\s+\d+\s+0\.\d+/m);
    const doc = JSON.parse(await readFile(join(out, 'train.json'), 'utf8')) as TrainJson;
    expect(doc.kind).toBe('train');
    expect(doc.cv).toEqual({ scheme: 'kfold', folds: 5, purge: 1, embargo: 1 });
    const s = doc.symbols[0]!;
    expect(s.outOfSample.auc).toBeGreaterThan(0.6);
    expect(s.outOfSample.rows).toBe(s.rows);
    expect(s.calibration.reduce((a, b) => a + b.count, 0)).toBe(s.rows);
    // The planted feature is the one with the most information about the label.
    const ibs = s.features.find((f) => f.name === 'ibs')!;
    for (const f of s.features) expect(ibs.mutualInformation).toBeGreaterThanOrEqual(f.mutualInformation);
    const bundle = JSON.parse(await readFile(join(out, 'AAA_best.json'), 'utf8'));
    expect(Object.keys(bundle)).toEqual(['Symbol', 'Prod_Threshold', 'Features', 'Params', 'Target', 'Metrics', 'Model']);
    expect(bundle.Symbol).toBe('AAA');
    expect(bundle.Prod_Threshold).toBe(0.55);
    expect(bundle.Params).toEqual({ n_estimators: 15, max_depth: 5, min_samples_leaf: 5, max_features: 'sqrt', bootstrap: true, max_samples: null, class_weight: null });
    expect(bundle.Model.kind).toBe('rf');
    expect(bundle.Model.trees).toHaveLength(15);
    const loaded = await loadModelBundle(out, 'AAA');
    expect(loaded.model?.symbol).toBe('AAA');
    expect(JSON.parse(await readFile(join(out, '.tapedeck-output.json'), 'utf8')).files).toEqual(['AAA_best.json', 'train.json']);
  });

  it('stays near 0.5 out of sample on data with no effect', async () => {
    const out = join(dir, 'noise-models');
    const r = runCli(['train', join(dir, 'noise.json'), '--model', 'logit', '--features', 'ibs,ret1,ret5,rsi14,volz20,rvol20', '--out', out, '--quiet', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const auc = (JSON.parse(r.stdout) as { symbols: { outOfSample: { auc: number } }[] }).symbols[0]!.outOfSample.auc;
    expect(Math.abs(auc - 0.5)).toBeLessThan(0.06);
  }, 120_000);

  it('a rerun into the same directory replaces its own bundles (a stale symbol\'s too) and keeps the user\'s files; a directory of other files is refused', async () => {
    const out = join(dir, 'rerun');
    const run = (csv: string) => runCli(['train', join(dir, `${csv}.json`), '--model', 'logit', '--features', 'ibs', '--out', out, '--quiet']);
    await writeFile(join(dir, 'BBB.json'), JSON.stringify({ name: 'b', data: { bars: 'noise.csv', symbols: ['BBB'] }, strategies: [{ id: 'ibs', type: 'ibs' }] }));
    expect(run('planted').code).toBe(0);
    await writeFile(join(out, 'NOTES.txt'), 'mine');
    const r = run('BBB');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'BBB_best.json'))).toBe(true);
    expect(existsSync(join(out, 'AAA_best.json'))).toBe(false);
    expect(await readFile(join(out, 'NOTES.txt'), 'utf8')).toBe('mine');
    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'AAA_best.json'), '{"mine": true}');
    const refused = runCli(['train', join(dir, 'planted.json'), '--model', 'logit', '--features', 'ibs', '--out', foreign, '--quiet']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds files Tapedeck did not write \("AAA_best\.json"\)/);
    expect(await readFile(join(foreign, 'AAA_best.json'), 'utf8')).toBe('{"mine": true}');
  }, 120_000);

  it("retrains with a seed-004 bundle's Params (--params): every hyperparameter of the seed's ES_best.json is used", async () => {
    const seedParams = { n_estimators: 7, min_samples_leaf: 50, max_depth: 3, max_features: 'log2', bootstrap: true, max_samples: 0.6407, class_weight: 'balanced_subsample' };
    await writeFile(join(dir, 'seed_best.json'), JSON.stringify({ Symbol: 'AAA', Sharpe: 0.94, Profit_Factor: 1.65, Trades: 875, Prod_Threshold: 0.5, Params: { ...seedParams, ibs_entry_high: 0.3 }, Features: ['ibs', 'rsi14'] }));
    const out = join(dir, 'from-seed');
    const r = runCli(['train', join(dir, 'planted.json'), '--model', 'rf', '--params', join(dir, 'seed_best.json'), '--features', 'ibs,rsi14,ret1', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const bundle = JSON.parse(await readFile(join(out, 'AAA_best.json'), 'utf8'));
    expect(bundle.Params).toEqual(seedParams);
    expect(bundle.Model.spec).toEqual({ kind: 'rf', nEstimators: 7, maxDepth: 3, minSamplesLeaf: 50, maxFeatures: 'log2', bootstrap: true, maxSamples: 0.6407, classWeight: 'balanced_subsample' });
    expect(bundle.Model.trees).toHaveLength(7);
    const both = runCli(['train', join(dir, 'planted.json'), '--model', 'rf', '--trees', '9', '--params', join(dir, 'seed_best.json'), '--features', 'ibs', '--out', join(dir, 'never2'), '--quiet']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--params .*seed_best\.json: n_estimators: also given by its flag/);
    await writeFile(join(dir, 'bad_params.json'), JSON.stringify({ n_estimators: 'many' }));
    const bad = runCli(['train', join(dir, 'planted.json'), '--model', 'rf', '--params', join(dir, 'bad_params.json'), '--features', 'ibs', '--out', join(dir, 'never2'), '--quiet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--params .*bad_params\.json: n_estimators: /);
    expect(existsSync(join(dir, 'never2'))).toBe(false);
  }, 120_000);

  it('refuses bad flags before reading any data (exit 2, one line)', () => {
    const cases: [string[], RegExp][] = [
      [['--model', 'svm'], /^tapedeck: --model: expected rf or logit/],
      [['--model', 'logit', '--trees', '5'], /^tapedeck: --trees: applies to --model rf/],
      [['--model', 'rf', '--features', 'ibs,magic'], /^tapedeck: invalid '--features\[1\]': unknown feature "magic"/],
      [['--model', 'rf', '--target', 'down:3'], /^tapedeck: --target: expected up:H/],
      [['--model', 'rf', '--cv', 'walkforward', '--embargo', '3'], /^tapedeck: --embargo: a walk-forward never trains after its test block/],
    ];
    for (const [flags, message] of cases) {
      const r = runCli(['train', join(dir, 'planted.json'), '--features', 'ibs', ...flags, '--out', join(dir, 'never'), '--quiet']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
  }, 60_000);
});

describe('purging and embargo', () => {
  /**
   * A leaky split would fail this: labels are the sign of the sum of the next 10 returns (overlapping
   * forward returns, no effect at all), and the one feature rises with time (a cumulative volume), so
   * a forest can find the rows next to a test row. Unpurged, the rows just before and after each
   * short test block carry 9/10 of its returns in their labels, and the out-of-sample AUC is inflated
   * far above 0.5; purged and embargoed by the horizon, it is not.
   */
  it('an unpurged k-fold inflates the AUC of overlapping forward-return labels; purge and embargo of the horizon remove it', () => {
    const n = 600;
    const h = 10;
    const spec = { kind: 'rf', nEstimators: 5, maxDepth: null, minSamplesLeaf: 1, maxFeatures: null, bootstrap: true, maxSamples: null, classWeight: null } as const;
    for (const seed of [1, 2, 3]) {
      const rng = randomStream(seed, 'leak', 'returns');
      const r = Array.from({ length: n + h }, () => rng.normal());
      const x = new Float64Array(n);
      let level = 0;
      for (let t = 0; t < n; t++) x[t] = level += Math.abs(rng.normal());
      const y = Float64Array.from({ length: n }, (_, t) => (r.slice(t + 1, t + h + 1).reduce((a, b) => a + b, 0) > 0 ? 1 : 0));
      const auc = (purge: number) =>
        validateClassifier(spec, x, y, n, { scheme: 'kfold', folds: 60, purge, embargo: purge, seed: 1, features: ['volz20'], symbol: 'X' }).result.outOfSample.auc!;
      const leaky = auc(0);
      const purged = auc(h);
      expect(leaky, `seed ${seed}`).toBeGreaterThan(0.65);
      expect(purged, `seed ${seed}`).toBeLessThan(0.55);
      expect(leaky - purged, `seed ${seed}`).toBeGreaterThan(0.15);
    }
  }, 180_000);
});

describe('bundles written by tapedeck train drive the ibs strategy', () => {
  const runWith = async (bundleDir: string, extra: Record<string, unknown> = {}) => {
    const s = await qualify(scenario(join(dir, 'planted.csv'), { bundles: { dir: bundleDir }, ...extra }), join(dir, 'run.json'));
    return (await runScenario(s)).report;
  };
  const withThreshold = async (name: string, threshold: number): Promise<string> => {
    const d = join(dir, name);
    await mkdir(d, { recursive: true });
    const b = JSON.parse(await readFile(join(dir, 'models', 'AAA_best.json'), 'utf8'));
    await writeFile(join(d, 'AAA_best.json'), JSON.stringify({ ...b, Prod_Threshold: threshold }));
    return d;
  };

  it('trades change with the threshold: fewer entries as it rises, none at 1', async () => {
    const counts: number[] = [];
    const hashes: string[] = [];
    for (const t of [0, 0.65, 0.75, 1]) {
      const report = await runWith(await withThreshold(`t${t}`, t));
      counts.push(report.metrics.tradeCount);
      hashes.push(report.runHash);
    }
    expect(new Set(hashes).size).toBe(4);
    const plain = await qualify(scenario(join(dir, 'planted.csv')), join(dir, 'run.json'));
    const unfiltered = (await runScenario(plain)).report.metrics.tradeCount;
    expect(counts[0]).toBeGreaterThan(counts[1]!);
    expect(counts[1]).toBeGreaterThan(counts[2]!);
    expect(counts[2]).toBeGreaterThan(0);
    expect(counts[3]).toBe(0);
    // Threshold 0 lets every entry through once the model's features have values (after the RSI's 15-bar warm-up).
    expect(counts[0]).toBeLessThanOrEqual(unfiltered);
    expect(unfiltered - counts[0]!).toBeLessThanOrEqual(3);
  }, 120_000);

  it('through tapedeck run: the assumptions say how the model gates entries', async () => {
    await writeFile(join(dir, 'run-bundles.json'), JSON.stringify(scenario('planted.csv', { bundles: { dir: 'models' } })));
    const r = runCli(['run', join(dir, 'run-bundles.json'), '--out', join(dir, 'run-out'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'run-out', 'report.json'), 'utf8'));
    expect(report.assumptions.some((a: string) => a.startsWith('Model bundle AAA: rf model over 4 features (ibs, ret1, rsi14, volz20) gates entries at probability >= 0.55'))).toBe(true);
    expect(report.scenario.strategies[0].params.filter.threshold).toBe(0.55);
  }, 120_000);
});

describe('malformed bundles are refused naming the file and the field, and nothing runs', () => {
  const bad = async (name: string, edit: (b: Record<string, unknown>) => unknown): Promise<string> => {
    const d = join(dir, `bad-${name}`);
    await mkdir(d, { recursive: true });
    const b = JSON.parse(await readFile(join(dir, 'models', 'AAA_best.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(d, 'AAA_best.json'), JSON.stringify(edit(b)));
    return d;
  };
  const refused = async (d: string, message: RegExp): Promise<void> => {
    await expect(loadModelBundle(d, 'AAA')).rejects.toThrow(message);
  };

  it('a missing field', async () => {
    await refused(await bad('missing', ({ Prod_Threshold: _, ...b }) => b), /AAA_best\.json: threshold: /);
    await refused(await bad('no-features', ({ Features: _, ...b }) => b), /AAA_best\.json: features: /);
    const model = (b: Record<string, unknown>) => b.Model as Record<string, unknown>;
    await refused(await bad('no-trees', (b) => ({ ...b, Model: { ...model(b), trees: undefined } })), /AAA_best\.json: model\.trees: /);
  });

  it('a wrong type', async () => {
    await refused(await bad('threshold-string', (b) => ({ ...b, Prod_Threshold: '0.5' })), /AAA_best\.json: threshold: /);
    await refused(await bad('threshold-range', (b) => ({ ...b, Prod_Threshold: 1.5 })), /AAA_best\.json: threshold: /);
    await refused(
      await bad('tree-type', (b) => {
        const m = structuredClone(b.Model) as { trees: { threshold: unknown[] }[] };
        m.trees[3]!.threshold[0] = 'x';
        return { ...b, Model: m };
      }),
      /AAA_best\.json: model\.trees\[3\]\.threshold\[0\]: /,
    );
    await refused(await bad('n-estimators', (b) => ({ ...b, Params: { ...(b.Params as object), n_estimators: 900 } })), /AAA_best\.json: params\.n_estimators: is 900, but the model was trained with 15/);
  });

  it('a model for another symbol, or features that are not the model\'s', async () => {
    await refused(await bad('other-symbol', (b) => ({ ...b, Model: { ...(b.Model as object), symbol: 'BBB' } })), /AAA_best\.json: model\.symbol: the model was trained for 'BBB', this bundle is for 'AAA'/);
    await refused(await bad('features', (b) => ({ ...b, Features: ['ibs', 'ret1', 'rsi14', 'ret5'] })), /AAA_best\.json: features: .* are not the model's features/);
  });

  it('executable content: a pickle, code in a field, a key the format does not have', async () => {
    await refused(await bad('pickle', (b) => ({ ...b, Model: 'gASVKAAAAAAAAACMCGJ1aWx0aW5zlIwFcHJpbnSUk5SMBWhlbGxvlIWUUpQu' })), /AAA_best\.json: model: looks like executable content/);
    await refused(await bad('code', (b) => ({ ...b, Params: { ...(b.Params as object), predict: 'function (x) { return require("child_process") }' } })), /AAA_best\.json: params\.predict: looks like executable content/);
    await refused(await bad('key', (b) => ({ ...b, Model: { ...(b.Model as object), loader: 'rf.pkl' } })), /AAA_best\.json: model: unknown key\(s\) 'loader'/);
  });

  it('through tapedeck run: exit 1 (a data file), one line naming the file and the field, and no output written', async () => {
    const d = await bad('run', (b) => ({ ...b, Model: { ...(b.Model as object), symbol: 'BBB' } }));
    await writeFile(join(dir, 'run-bad.json'), JSON.stringify(scenario('planted.csv', { bundles: { dir: d } })));
    const out = join(dir, 'run-bad-out');
    const r = runCli(['run', join(dir, 'run-bad.json'), '--out', out, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^tapedeck: .*malformed model bundle ${join(d, 'AAA_best.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: model\\.symbol: `));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('an ibs strategy needs the bundle\'s model; a bundle parameter the strategy does not know names the file', async () => {
    await refused(await bad('no-model-params', ({ Model: _, ...b }) => b), /AAA_best\.json: params\.n_estimators: a model hyperparameter, but the bundle has no model/);
    const noModel = await bad('no-model', ({ Model: _, Params: __, ...b }) => ({ ...b, Params: {} }));
    await expect(runWith(noModel)).rejects.toThrow(/AAA_best\.json: model: missing; strategy 'ibs' \(ibs\) trades on the bundle's model/);
    const unknown = await bad('unknown-param', (b) => ({ ...b, Params: { ...(b.Params as object), ibs_entry_high: 0.3, colour: 'red' } }));
    await expect(runWith(unknown)).rejects.toThrow(/AAA_best\.json: params\.colour: for strategy 'ibs' \(ibs\): unknown/);
  }, 60_000);

  const runWith = async (bundleDir: string) => runScenario(await qualify(scenario(join(dir, 'planted.csv'), { bundles: { dir: bundleDir } }), join(dir, 'run.json')));
});
