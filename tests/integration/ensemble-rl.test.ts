import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoUs } from '../../engine/core/index.js';
import type { AuditEntry } from '../../engine/model/events.js';
import { loadScenario } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { validateRunReport } from '../../reports/report-schema.js';
import type { RunReport } from '../../reports/index.js';
import { REPO, runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * The ensemble demo (scenarios/ensemble.json) with the RL meta agent as its weighting
 * (`ensemble.weighting.kind` "rl"), through `tapedeck run --set` and `tapedeck walkforward
 * --warm-start` on a generated four-symbol daily dataset.
 */
const RL = 'ensemble.weighting={"kind":"rl"}';
let dir: string;
let dataDir: string;
let report: RunReport;
const decisions = (audit: readonly AuditEntry[]) => audit.filter((a) => a.kind === 'rl.decision');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-ensemble-rl-'));
  dataDir = join(dir, 'data');
  await generateDataset({ seed: 11, out: dataDir, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], days: 320, kinds: ['bars'] });
  const r = runCli(['run', 'scenarios/ensemble.json', '--set', `data.bars=${dataDir}`, '--set', RL, '--out', join(dir, 'run')]);
  expect(r.code, r.stderr).toBe(0);
  report = (await readWholeReport(join(dir, 'run'))) as RunReport;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tapedeck run scenarios/ensemble.json --set ensemble.weighting={"kind":"rl"}', () => {
  it('re-weighs by the agent: one audited decision per re-weighing, with state, action, weights and exploration', () => {
    expect(validateRunReport(report).ok).toBe(true);
    const e = report.ensemble!;
    const d = decisions(e.audit);
    // after 60 samples of warm-up, every 20: samples 60, 80, ..., 300
    expect(d).toHaveLength(13);
    expect(decisions(report.audit)).toHaveLength(d.length);
    const ids = e.strategies.map((s) => s.id);
    for (const a of d) {
      const det = a.details as { state: number; regime: string; leader: string; actionName: string; exploring: boolean; learning: boolean; weights: Record<string, number> };
      expect(det.state).toBeGreaterThanOrEqual(0);
      expect(det.state).toBeLessThan(4 * ids.length);
      expect(ids).toContain(det.leader);
      expect(['base', ...ids.map((id) => `overweight ${id}`)]).toContain(det.actionName);
      expect(det.learning).toBe(true);
      expect(Object.values(det.weights).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    }
    expect(d.slice(1).every((a) => (a.details as { update: unknown }).update !== null)).toBe(true);
    expect(e.weightsOverTime.slice(1).every((w) => w.source.startsWith('rl:'))).toBe(true);
    expect(new Set(d.map((a) => (a.details as { actionName: string }).actionName)).size).toBeGreaterThan(1);
  });

  it('reproduces its runHash in process, and the decisions', async () => {
    const scenario = await loadScenario(resolve(REPO, 'scenarios/ensemble.json'), { overrides: [`data.bars=${dataDir}`, RL] });
    const again = (await runScenario(scenario)).report;
    expect(again.runHash).toBe(report.runHash);
    expect(decisions(again.ensemble!.audit)).toEqual(decisions(report.ensemble!.audit));
  }, 60_000);

  it('freezes after trainUntil: later decisions are greedy, learn nothing, and differ from learning throughout', async () => {
    const until = '2023-08-01';
    const scenario = await loadScenario(resolve(REPO, 'scenarios/ensemble.json'), { overrides: [`data.bars=${dataDir}`, 'ensemble.weighting={"kind":"rl","epsilon":0.5}', `ensemble.weighting.trainUntil=${until}`] });
    const frozen = (await runScenario(scenario)).report;
    const d = decisions(frozen.ensemble!.audit);
    const after = d.filter((a) => a.ts > parseIsoUs(until));
    expect(after.length).toBeGreaterThan(3);
    for (const a of after) expect(a.details).toMatchObject({ learning: false, exploring: false, update: null });
    expect(d.filter((a) => a.ts < parseIsoUs(until)).some((a) => (a.details as { exploring: boolean }).exploring)).toBe(true);
    const throughout = await loadScenario(resolve(REPO, 'scenarios/ensemble.json'), { overrides: [`data.bars=${dataDir}`, 'ensemble.weighting={"kind":"rl","epsilon":0.5}'] });
    expect((await runScenario(throughout)).report.runHash).not.toBe(frozen.runHash);
  }, 60_000);
});

describe('tapedeck walkforward --warm-start with the rl weighting', () => {
  it('sets ensemble.weighting.trainUntil to each train end; a fold reruns to its runHash and acts frozen in its test window', async () => {
    const space = join(dir, 'rl.space.json');
    await writeFile(space, JSON.stringify({ parameters: { 'ensemble.weighting.tilt': { type: 'float', min: 0.3, max: 0.7, step: 0.2 } } }));
    const out = join(dir, 'wf');
    const r = runCli(['walkforward', 'scenarios/ensemble.json', '--space', space, '--set', `data.bars=${dataDir}`, '--set', RL, '--train', '240d', '--test', '90d', '--warm-start', '--workers', '2', '--quiet', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const wf = JSON.parse(await readFile(join(out, 'walkforward.json'), 'utf8')) as {
      warmStart: boolean;
      folds: { test: { start: number; endIso: string }; params: Record<string, number>; trialSeed: number; warmStart: { replayFromIso: string; trainUntil: number; trainUntilIso: string; paths: string[] }; outOfSample: { status: string; runHash: string } }[];
    };
    expect(wf.warmStart).toBe(true);
    expect(wf.folds.length).toBeGreaterThanOrEqual(2);
    for (const f of wf.folds) {
      expect(f.warmStart.paths).toEqual(['ensemble.weighting.trainUntil']);
      expect(f.warmStart.trainUntil).toBe(f.test.start);
      expect(f.outOfSample.status).toBe('ok');
    }
    const f = wf.folds.at(-1)!;
    const sets = [`data.bars=${dataDir}`, RL, `data.start=${f.warmStart.replayFromIso}`, `data.end=${f.test.endIso}`, `ensemble.weighting.trainUntil=${f.warmStart.trainUntilIso}`, `seed=${f.trialSeed}`];
    for (const [path, value] of Object.entries(f.params)) sets.push(`${path}=${JSON.stringify(value)}`);
    const rerun = runCli(['run', 'scenarios/ensemble.json', ...sets.flatMap((s) => ['--set', s]), '--out', join(dir, 'rerun')]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const rep = (await readWholeReport(join(dir, 'rerun'))) as RunReport;
    expect(rep.runHash).toBe(f.outOfSample.runHash);
    const inTest = decisions(rep.ensemble!.audit).filter((a) => a.ts > f.warmStart.trainUntil);
    expect(inTest.length).toBeGreaterThan(0);
    for (const a of inTest) expect(a.details).toMatchObject({ learning: false, exploring: false, update: null });
  }, 300_000);
});
