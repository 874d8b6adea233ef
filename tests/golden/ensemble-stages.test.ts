import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { REPO } from '../support/cli.js';

/**
 * Golden runs of scenarios/ensemble.json (seed-11 generated AAA..DDD, 504 daily bars) in six
 * variants that between them reach the stages of the ensemble: allocation and voting, optimizer,
 * static and performance weights, forced status, hedging, signal quality, rotation by momentum and
 * by signal strength, threshold rebalancing, the allocation method families. (The daily stop cannot
 * act on daily bars, every sample opens a new UTC day: its stage is pinned by the unit tests and the
 * hourly property test in tests/property/ensemble.test.ts.) The
 * runHashes were pinned from the single EnsembleRouter before it was split into stages
 * (engine/ensemble/stages): the split changes no run to the bit.
 */
const GOLDEN: Record<string, { overrides: string[]; runHash: string }> = {
  alloc: { overrides: [], runHash: 'c94769dc0b769764127f3c2d3e2af8f0ec8eb8e3996db1867bdbf9b7b080946d' },
  allocStaticHedge: {
    overrides: ['ensemble.weighting={"kind":"static"}', 'portfolio.hedging={"drawdownAbove":0.02,"cashFraction":0.5}', 'ensemble.wholeUnits=false'],
    runHash: '94e7e4b4161050960d5a547639b5e6196dc41633d2cf7bff09a202882b09fd09',
  },
  allocPerf: {
    overrides: ['ensemble.weighting={"kind":"performance","metric":"win_rate"}', 'ensemble.forcedStatus={"ibs":"DEGRADED"}', 'portfolio.constraints={"dailyStopLoss":3000}'],
    runHash: 'e3233dc3bf53be58891c04047b5cea0c17fd6c14d0b267bd54f77a845166fa56',
  },
  voting: {
    overrides: ['ensemble.mode=voting', 'ensemble.weighting={"kind":"performance","metric":"sharpe"}', 'ensemble.adaptive=null', 'portfolio.allocation.method=equal_risk_contribution'],
    runHash: '246fb2418c23b4cd6f8acbd0e9d1d8d6f148a01dd4f41690e82cab64bb741a06',
  },
  votingAll: {
    overrides: ['ensemble.mode=voting', 'ensemble.quality={}', 'portfolio.rotation={"topN":2,"by":"signal_strength"}', 'portfolio.rebalancing={"mode":"threshold","costRate":0.001}', 'portfolio.hedging={"adxBelow":22}', 'ensemble.voting={"method":"confidence_average"}'],
    runHash: '885ee444f78ff6e7e9bebe3efdc18424657037d697b389bad35d060bc21a6771',
  },
  votingMom: {
    overrides: ['ensemble.mode=voting', 'portfolio.rotation={"topN":3}', 'portfolio.allocation={"method":"momentum"}', 'portfolio.constraints={"dailyStopLoss":3000}'],
    runHash: '87a86df43ebc8dce25f7a3274807f3276d542686913a8820e3ba86c497e52cc9',
  },
};

let dir: string;
let dataDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-golden-ensemble-'));
  dataDir = join(dir, 'data');
  await generateDataset({ seed: 11, out: dataDir, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], days: 504, kinds: ['bars'] });
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('golden: the ensemble stages on seed-11 daily bars', () => {
  for (const [name, g] of Object.entries(GOLDEN)) {
    it(`${name} keeps its runHash`, async () => {
      const scenario = await loadScenario(resolve(REPO, 'scenarios/ensemble.json'), { overrides: [`data.bars=${dataDir}`, ...g.overrides] });
      const { report, result } = await runScenario(scenario);
      expect(result.fills.length).toBeGreaterThan(0);
      expect(report.runHash).toBe(g.runHash);
    }, 60_000);
  }

  it('the variants reach the stages they are meant to: hedge, status, cost-aware rebalancing', async () => {
    const kinds = async (overrides: string[]) => {
      const { result } = await runScenario(await loadScenario(resolve(REPO, 'scenarios/ensemble.json'), { overrides: [`data.bars=${dataDir}`, ...overrides] }));
      return new Set(result.ensemble!.audit.map((a) => a.kind));
    };
    expect((await kinds(GOLDEN.allocStaticHedge!.overrides)).has('portfolio.hedge')).toBe(true);
    expect((await kinds(GOLDEN.allocPerf!.overrides)).has('strategy.status')).toBe(true);
    const all = await kinds(GOLDEN.votingAll!.overrides);
    expect(all.has('portfolio.hedge')).toBe(true);
    expect(all.has('portfolio.rebalance')).toBe(true);
  }, 60_000);
});
