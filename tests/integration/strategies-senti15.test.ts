import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomStream } from '../../engine/core/index.js';
import { REPO, runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * The sentiment strategy end to end on real daily bars (tests/fixtures/csv/msft.csv, R timeSeries MSFT), with a
 * sentiment CSV made here: one score a day at 21:00 UTC (after the close, before the next bar), led
 * by the next close-to-close return (a planted signal, half signal half seeded noise).
 */

const MSFT = resolve(REPO, 'tests/fixtures/csv/msft.csv');
let dir: string;
let scoresCsv: string;
let dataset: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-senti15-'));
  const rows = (await readFile(MSFT, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  const close = rows.map((r) => Number(r[4]));
  const rng = randomStream(15, 'test', 'sentiment');
  const lines = ['ts,score,mentions'];
  for (let t = 0; t < rows.length; t++) {
    const next = t + 1 < rows.length ? Math.log(close[t + 1]! / close[t]!) / 0.015 : 0;
    const score = Math.tanh(0.5 * (0.5 * next + rng.normal()));
    lines.push(`${rows[t]![0]}T21:00:00Z,${score.toFixed(6)},${40 + (t % 9) * 10}`);
  }
  scoresCsv = join(dir, 'goog-sentiment.csv');
  await writeFile(scoresCsv, `${lines.join('\n')}\n`);
  dataset = join(dir, 'sentiment');
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scenario(name: string, sentiment: string | null, strategies: unknown[]): Promise<string> {
  const file = join(dir, `${name}.json`);
  await writeFile(
    file,
    JSON.stringify({
      name,
      seed: 1,
      initialCash: 100_000,
      account: { type: 'margin' },
      data: { bars: MSFT, symbols: ['MSFT'], ...(sentiment !== null ? { sentiment } : {}) },
      strategies,
      venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.0005 } },
    }),
  );
  return file;
}

const SENTIMENT = [{ id: 'senti', type: 'sentiment', params: { period: 3, entry: 0.1, exit: 0, sizing: { kind: 'units', units: 100 } } }];

describe('sentiment on the MSFT CSV through the CLI', () => {
  it('imports the sentiment CSV with data import --kind sentiment', () => {
    const r = runCli(['data', 'import', '--csv', scoresCsv, '--kind', 'sentiment', '--symbol', 'MSFT', '--out', dataset]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^imported 249 sentiment rows for MSFT \(2000-09-27T21:00:00.000Z \.\. /);
  }, 60_000);

  it('tapedeck run trades the scores: long and short signals on them, the fills in its ledger; the CSV given directly runs the same', async () => {
    const out = join(dir, 'run');
    const r = runCli(['run', await scenario('senti', dataset, SENTIMENT), '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = await readWholeReport(out);
    const signals = report.signals.recorded as { strategyId: string; direction: number; reason: string }[];
    expect(signals.filter((s) => s.direction === 1).length).toBeGreaterThan(5);
    expect(signals.filter((s) => s.direction === -1).length).toBeGreaterThan(5);
    for (const s of signals) expect(s.reason).toMatch(/^sentiment EMA\(3\) (above|below) -?0(\.1)?$/);
    expect(report.fills.length).toBeGreaterThan(10);
    expect(report.data.kinds).toEqual(expect.arrayContaining(['bars', 'sentiment']));
    expect(report.assumptions).toContainEqual(expect.stringMatching(/^Sentiment scores \(249 rows of MSFT\) reach the strategies' onSentiment at their own timestamps/));
    // Half the score is the next day's move: the strategy is on the right side more often than not.
    expect(report.metrics.finalEquity).toBeGreaterThan(100_000);

    const direct = join(dir, 'run-direct');
    expect(runCli(['run', await scenario('senti', scoresCsv, SENTIMENT), '--out', direct]).code).toBe(0);
    expect((await readWholeReport(direct)).runHash).toBe(report.runHash);
  }, 120_000);

  it('refuses data.sentiment when no strategy of the run reads it, naming the field', async () => {
    const r = runCli(['run', await scenario('unread', dataset, [{ id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20 } }]), '--out', join(dir, 'unread')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/data\.sentiment: no strategy of this run reads sentiment scores/);
  }, 60_000);

  it('tapedeck sweep over its EMA period runs every trial, each trading differently', async () => {
    const space = join(dir, 'space.json');
    await writeFile(space, JSON.stringify({ parameters: { 'strategies.0.params.period': { type: 'int', min: 2, max: 6, step: 4 } } }));
    const out = join(dir, 'sweep');
    const r = runCli(['sweep', await scenario('senti-sweep', dataset, SENTIMENT), '--space', space, '--workers', '1', '--quiet', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as { trials: { status: string; runHash: string; metrics: { finalEquity: number } }[] };
    expect(sweep.trials.map((t) => t.status)).toEqual(['ok', 'ok']);
    expect(sweep.trials[0]!.runHash).not.toBe(sweep.trials[1]!.runHash);
    for (const t of sweep.trials) expect(t.metrics.finalEquity).not.toBe(100_000);
  }, 120_000);
});
