import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelBundle } from '../../cli/compose/bundles.js';
import { loadScenario, qualify } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { validateRunReport } from '../../reports/report-schema.js';
import type { RunReport } from '../../reports/index.js';
import { REPO, runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * The ensemble demo (scenarios/ensemble.json) on a generated four-symbol daily dataset, run through
 * `tapedeck run`; then per-instrument overrides and model bundles through the composition root.
 */
let dir: string;
let dataDir: string;
let report: RunReport;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-ensemble-'));
  dataDir = join(dir, 'data');
  await generateDataset({ seed: 11, out: dataDir, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], days: 504, kinds: ['bars'] });
  const out = join(dir, 'out');
  const r = runCli(['run', 'scenarios/ensemble.json', '--set', `data.bars=${dataDir}`, '--out', out]);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  report = await readWholeReport(join(out)) as RunReport;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tapedeck run scenarios/ensemble.json', () => {
  it('writes a valid report whose ensemble section compares the account with each of the 7 strategies', () => {
    expect(validateRunReport(report).ok).toBe(true);
    const e = report.ensemble!;
    expect(e.mode).toBe('allocation');
    expect(e.strategies.map((s) => s.id)).toEqual(['sma-20-50', 'sma-10-30', 'ema-12-26', 'ema-5-20', 'rsi-14', 'rsi-7', 'ibs']);
    for (const s of e.strategies) {
      expect(Number.isFinite(s.return)).toBe(true);
      expect(s.maxDrawdown).toBeGreaterThanOrEqual(0);
      expect(s.turnover).toBeGreaterThan(0);
    }
    expect(e.account.return).toBeCloseTo(report.metrics.totalReturn, 2);
    // Every fill belongs to the account, never to a strategy.
    expect(new Set(report.fills.map((f) => f.strategyId))).toEqual(new Set(['ensemble']));
  });

  it('re-weighs on the schedule: weights over time sum to one and the audit trail says why', () => {
    const e = report.ensemble!;
    expect(e.weightsOverTime.length).toBeGreaterThan(5);
    for (const w of e.weightsOverTime) {
      const total = Object.values(w.weights).reduce((a, b) => a + b, 0);
      expect(Math.abs(total - 1)).toBeLessThan(1e-9);
    }
    const kinds = new Set(e.audit.map((a) => a.kind));
    expect(kinds.has('weights.changed')).toBe(true);
    expect(report.audit.filter((a) => a.kind === 'weights.changed').length).toBe(e.audit.filter((a) => a.kind === 'weights.changed').length);
    expect(e.weightsOverTime.slice(1).every((w) => w.source.startsWith('optimizer:'))).toBe(true);
  });

  it('reproduces the runHash in process', async () => {
    const scenario = await loadScenario(resolve(REPO, 'scenarios/ensemble.json'), { overrides: [`data.bars=${dataDir}`] });
    const again = (await runScenario(scenario)).report;
    expect(again.runHash).toBe(report.runHash);
  }, 60_000);
});

describe('voting ensemble', () => {
  it('logs one decision per vote with counts, weights and the target it set', async () => {
    const scenario = await loadScenario(resolve(REPO, 'scenarios/ensemble.json'), {
      overrides: [`data.bars=${dataDir}`, 'ensemble.mode=voting', 'ensemble.weighting={"kind":"performance","metric":"sharpe"}', 'ensemble.adaptive=null', 'portfolio.allocation.method=equal_risk_contribution'],
    });
    const { report: r } = await runScenario(scenario);
    const d = r.ensemble!.decisions;
    expect(d.length).toBeGreaterThan(0);
    for (const x of d) {
      expect(x.voteCounts.buy + x.voteCounts.sell + x.voteCounts.flat).toBeGreaterThan(0);
      expect(x.mode).toBe('weighted_vote');
      if (x.decision === 'hold') expect(x.targetUnits).toBeNull();
      else expect(x.contributingStrategies.length).toBeGreaterThan(0);
      if (x.decision === 'flat') expect(x.targetUnits).toBe(0);
    }
    expect(d.some((x) => x.decision === 'buy' && x.targetUnits! > 0)).toBe(true);
  }, 60_000);
});

describe('per-instrument parameters and model bundles', () => {
  const base = (extra: Record<string, unknown>) => ({
    name: 'bundles',
    data: { bars: dataDir, symbols: ['AAA', 'BBB'] },
    strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 30 } }],
    ...extra,
  });

  it('splits a strategy per overridden symbol with precedence instrument > bundle > strategy', async () => {
    const bdir = join(dir, 'models');
    await mkdir(bdir, { recursive: true });
    await writeFile(join(bdir, 'AAA_best.json'), JSON.stringify({ Symbol: 'AAA', Sharpe: 0.9, Profit_Factor: 1.6, Trades: 875, Prod_Threshold: 0.5, Params: { fast: 5, slow: 15 }, Features: ['rsi', 'ibs'] }));
    await writeFile(join(bdir, 'BBB_best.json'), JSON.stringify({ symbol: 'BBB', threshold: 0.6, features: ['z'], params: { fast: 8 }, metrics: {} }));
    const s = await qualify(base({ bundles: { dir: bdir }, instruments: { BBB: { params: { fast: 12 } } } }), join(dir, 'x.json'));
    const { report: r } = await runScenario(s);
    const strategies = (r.scenario as { strategies: { id: string; symbols: string[]; params: Record<string, unknown> }[] }).strategies;
    expect(strategies).toEqual([
      { id: 'sma@AAA', type: 'sma_cross', symbols: ['AAA'], params: { fast: 5, slow: 15 } },
      { id: 'sma@BBB', type: 'sma_cross', symbols: ['BBB'], params: { fast: 12, slow: 30 } },
    ]);
    expect(r.assumptions.some((a) => a.startsWith('Model bundle AAA: threshold 0.5, 2 features'))).toBe(true);
  }, 60_000);

  it('names the file of a missing bundle', async () => {
    const empty = join(dir, 'empty-models');
    await mkdir(empty, { recursive: true });
    await expect(loadModelBundle(empty, 'AAA')).rejects.toThrow(`missing model bundle for AAA: ${join(empty, 'AAA_best.json')}`);
    const s = await qualify(base({ bundles: { dir: empty } }), join(dir, 'x.json'));
    await expect(runScenario(s)).rejects.toThrow(/AAA_best\.json/);
  });

  it('names the file and the field of a malformed bundle', async () => {
    const bad = join(dir, 'bad-models');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'AAA_best.json'), '{ "symbol": "AAA", ');
    await expect(loadModelBundle(bad, 'AAA')).rejects.toThrow(/malformed model bundle .*AAA_best\.json: not valid JSON/);
    await writeFile(join(bad, 'BBB_best.json'), JSON.stringify({ symbol: 'BBB', threshold: 2, features: [], params: {} }));
    await expect(loadModelBundle(bad, 'BBB')).rejects.toThrow(/BBB_best\.json: threshold: /);
    await writeFile(join(bad, 'CCC_best.json'), JSON.stringify({ symbol: 'AAA', threshold: 0.5, features: [], params: {} }));
    await expect(loadModelBundle(bad, 'CCC')).rejects.toThrow(/CCC_best\.json: symbol is 'AAA', expected 'CCC'/);
    await writeFile(join(bad, 'DDD_best.json'), JSON.stringify({ symbol: 'DDD', threshold: 0.5, features: [], params: {}, extra: 1 }));
    await expect(loadModelBundle(bad, 'DDD')).rejects.toThrow(/DDD_best\.json: \(root\): unknown key\(s\) 'extra'/);
  });

  it('rejects a bundle parameter the strategy does not know, naming the bundle file and the field', async () => {
    const odd = join(dir, 'odd-models');
    await mkdir(odd, { recursive: true });
    await writeFile(join(odd, 'AAA_best.json'), JSON.stringify({ symbol: 'AAA', threshold: 0.5, features: [], params: { colour: 'red' } }));
    const s = await qualify(base({ bundles: { dir: odd, symbols: ['AAA'] } }), join(dir, 'x.json'));
    await expect(runScenario(s)).rejects.toThrow(/odd-models\/AAA_best\.json: params\.colour: for strategy 'sma' \(sma_cross\): unknown/);
    // An instrument override of the same key is blamed on the scenario.
    const t = await qualify(base({ bundles: { dir: odd, symbols: ['AAA'] }, instruments: { AAA: { params: { colour: 'blue' } } } }), join(dir, 'x.json'));
    await expect(runScenario(t)).rejects.toThrow(/instruments\.AAA\.params\.colour/);
  });

  it("refuses seed 004's model hyperparameters in a bundle without a model (its pickle is never loaded)", async () => {
    const seed = join(dir, 'seed-models');
    await mkdir(seed, { recursive: true });
    await writeFile(join(seed, 'AAA_best.json'), JSON.stringify({ Symbol: 'AAA', Prod_Threshold: 0.5, Features: ['ibs'], Params: { n_estimators: 900, max_depth: 5 } }));
    await expect(loadModelBundle(seed, 'AAA')).rejects.toThrow(/AAA_best\.json: params\.n_estimators: a model hyperparameter, but the bundle has no model .*pickle.*tapedeck train/);
  });
});
