import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, qualify } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import type { AuditEntry } from '../../engine/model/events.js';
import type { RunReport } from '../../reports/index.js';
import { validateRunReport } from '../../reports/report-schema.js';
import { REPO, runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * Seed 003's strategies x assets allocation (`ensemble.weighting.kind` "strategy_asset") and seed
 * 000's live rebalance rules (`ensemble.rebalanceRules`) on the ensemble demo (scenarios/ensemble.json,
 * seven strategies on four symbols: 28 sleeves), through `tapedeck run`, in process and in a sweep.
 */
const SA = 'ensemble.weighting={"kind":"strategy_asset"}';
let dir: string;
let dataDir: string;
let report: RunReport;
const sources = (r: RunReport) => r.ensemble!.weightsOverTime.map((w) => w.source);
const ofKind = (audit: readonly AuditEntry[], kind: string) => audit.filter((a) => a.kind === kind);
const inProcess = async (...overrides: string[]) =>
  (await runScenario(await loadScenario(resolve(REPO, 'scenarios/ensemble.json'), { overrides: [`data.bars=${dataDir}`, ...overrides] }))).report;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-ensemble-allocation-'));
  dataDir = join(dir, 'data');
  await generateDataset({ seed: 11, out: dataDir, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], days: 320, kinds: ['bars'] });
  const r = runCli(['run', 'scenarios/ensemble.json', '--set', `data.bars=${dataDir}`, '--set', SA, '--out', join(dir, 'run')]);
  expect(r.code, r.stderr).toBe(0);
  report = (await readWholeReport(join(dir, 'run'))) as RunReport;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tapedeck run scenarios/ensemble.json --set ensemble.weighting={"kind":"strategy_asset"}', () => {
  it('re-weighs the 28 (strategy, symbol) sleeves by the QP; the strategy weights are their sums', () => {
    expect(validateRunReport(report).ok).toBe(true);
    const e = report.ensemble!;
    expect(sources(report)[0]).toBe('initial');
    expect(sources(report).slice(1).every((s) => s.startsWith('strategy_asset:'))).toBe(true);
    expect(sources(report).length).toBeGreaterThan(5);
    const changes = ofKind(e.audit, 'weights.changed').filter((a) => (a.details as { source?: string }).source?.startsWith('strategy_asset'));
    expect(changes.length).toBeGreaterThan(5);
    for (const c of changes) {
      const d = c.details as { next: Record<string, number>; sleeves: Record<string, number> };
      expect(Object.keys(d.sleeves)).toHaveLength(28);
      const sleeves = Object.values(d.sleeves);
      expect(sleeves.every((w) => w >= 0)).toBe(true);
      // retirement and adaptive multiples rescale before normalizing: the sleeves always sum to 1
      expect(sleeves.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      for (const [id, w] of Object.entries(d.next)) {
        const own = Object.entries(d.sleeves).filter(([k]) => k.startsWith(`${id}/`)).reduce((a, [, v]) => a + v, 0);
        expect(w).toBeCloseTo(own, 12);
      }
    }
    // the allocation tilts within a strategy: some strategy's sleeves are not all equal
    const last = changes.at(-1)!.details as { sleeves: Record<string, number> };
    const perStrategy = new Map<string, number[]>();
    for (const [k, v] of Object.entries(last.sleeves)) perStrategy.set(k.split('/')[0]!, [...(perStrategy.get(k.split('/')[0]!) ?? []), v]);
    expect([...perStrategy.values()].some((ws) => Math.max(...ws) - Math.min(...ws) > 1e-3)).toBe(true);
    expect(report.metrics.tradeCount).toBeGreaterThan(10);
  });

  it('is deterministic: the same runHash in process', async () => {
    expect((await inProcess(SA)).runHash).toBe(report.runHash);
  }, 60_000);

  it('differs from the strategy-level optimizer, and each of its terms moves the run', async () => {
    const hashes = new Set([report.runHash]);
    hashes.add((await inProcess()).runHash);
    hashes.add((await inProcess(SA, 'ensemble.weighting.diversification=0.5')).runHash);
    hashes.add((await inProcess(SA, 'ensemble.weighting.cost=1')).runHash);
    expect(hashes.size).toBe(4);
  }, 120_000);

  it('with the rebalance rules at the seed\'s values, rejects high-turnover low-confidence weights (audited) and changes the run', async () => {
    const gated = await inProcess(SA, 'ensemble.rebalanceRules={}');
    const rejected = ofKind(gated.ensemble!.audit, 'weights.rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) {
      const d = r.details as { turnover: number; confidence: number };
      expect(d.turnover).toBeGreaterThanOrEqual(0.1);
      expect(d.confidence).toBeLessThanOrEqual(0.8);
    }
    expect(sources(gated).some((s) => s.endsWith(':rejected'))).toBe(true);
    expect(gated.runHash).not.toBe(report.runHash);
  }, 60_000);

  it('sweeps ensemble.weighting.diversification: two trials, two runs', async () => {
    const space = join(dir, 'diversification.space.json');
    await writeFile(space, JSON.stringify({ parameters: { 'ensemble.weighting.diversification': { type: 'categorical', values: [0, 0.5] } } }));
    const out = join(dir, 'sweep');
    const sweep = runCli(['sweep', 'scenarios/ensemble.json', '--set', `data.bars=${dataDir}`, '--set', SA, '--space', space, '--out', out, '--workers', '1', '--quiet']);
    expect(sweep.code, sweep.stderr).toBe(0);
    const result = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as { trialCount: number; failedCount: number; trials: { runHash: string }[] };
    expect(result.trialCount).toBe(2);
    expect(result.failedCount).toBe(0);
    expect(new Set(result.trials.map((t) => t.runHash)).size).toBe(2);
  }, 180_000);
});

describe('refusals of the allocation and the rebalance rules, naming the path', () => {
  const strategies = [
    { id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, fractional: true, sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
    { id: 'rsi', type: 'rsi_reversion', params: { period: 7, fractional: true, sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
  ];
  const scenario = (ensemble: Record<string, unknown>) => ({ name: 'allocation-rules', data: { bars: dataDir }, strategies, ensemble });

  it('refuses the strategy_asset weighting in voting mode', async () => {
    await expect(qualify(scenario({ mode: 'voting', weighting: { kind: 'strategy_asset' } }), 'a.json')).rejects.toThrow(/^ensemble\.weighting: the strategy_asset allocation weighs \(strategy, symbol\) sleeves/);
  });

  it('refuses the rebalance rules in voting mode and with a weighting that does not optimize', async () => {
    await expect(qualify(scenario({ mode: 'voting', weighting: { kind: 'optimizer' }, rebalanceRules: {} }), 'a.json')).rejects.toThrow(/^ensemble\.rebalanceRules: needs ensemble\.mode "allocation" and an optimizing weighting/);
    for (const kind of ['static', 'performance', 'rl']) {
      await expect(qualify(scenario({ weighting: { kind }, rebalanceRules: {} }), 'a.json')).rejects.toThrow(/^ensemble\.rebalanceRules: needs/);
    }
    await expect(qualify(scenario({ weighting: { kind: 'strategy_asset' }, rebalanceRules: { maxTurnover: 0.2 } }), 'a.json')).resolves.toBeDefined();
  });

  it('refuses a sleeve cap under which only equal weights sum to 1 (2 strategies x 4 symbols: 8 sleeves)', async () => {
    const s = await qualify(scenario({ weighting: { kind: 'strategy_asset', wMax: 0.125 } }), 'a.json');
    await expect(runScenario(s)).rejects.toThrow(/^ensemble\.weighting\.wMax: the allocation caps each of the 8 \(strategy, symbol\) sleeves at wMax 0\.125/);
  });

  it('refuses out-of-range fields by zod, naming them', async () => {
    await expect(qualify(scenario({ weighting: { kind: 'strategy_asset', diversification: -1 } }), 'a.json')).rejects.toThrow(/ensemble\.weighting\.diversification/);
    await expect(qualify(scenario({ rebalanceRules: { minConfidence: 2 } }), 'a.json')).rejects.toThrow(/ensemble\.rebalanceRules\.minConfidence/);
  });
});
