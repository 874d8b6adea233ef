import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';

/**
 * Issue 15: each of these built-in bar strategies runs through `tapedeck run` on the GOOG daily file
 * and in a `tapedeck sweep` over one of its parameters, whose every value changes the run.
 *
 * The CSV is backtesting.py's GOOG.csv (2148 daily bars, 2004-08-19 to 2013-03-01) read from
 * TAPEDECK_PEER_DATA as tests/integration/peers.test.ts reads it (not committed: see
 * tests/fixtures/peers/README.md); without it the committed real tests/fixtures/csv/msft.csv (R timeSeries MSFT)
 * stands in (249 real daily bars, 2000-2001; tests/fixtures/scripts/msft-csv.R), read the same way.
 */
const PEER_DATA = process.env.TAPEDECK_PEER_DATA ?? resolve(REPO, '../shared/peers/backtesting.py');
const HAVE_GOOG = existsSync(join(PEER_DATA, 'GOOG.csv'));
const CSV = HAVE_GOOG ? join(PEER_DATA, 'GOOG.csv') : resolve(REPO, 'tests/fixtures/csv/msft.csv');
const SYMBOL = HAVE_GOOG ? 'GOOG' : 'MSFT';
const BARS = HAVE_GOOG ? 2148 : 249;

interface Case {
  readonly type: string;
  /** Its parameters in the scenario (the swept one among them: a swept field must be in the file). */
  readonly params: Record<string, unknown>;
  readonly swept: string;
  readonly values: readonly [number, number, number];
}

const CASES: readonly Case[] = [
  { type: 'volatility_regime', params: { mode: 'long_short', lowPercentile: 25 }, swept: 'lowPercentile', values: [15, 25, 35] },
  { type: 'anomaly', params: { mode: 'long_short', threshold: 2.5 }, swept: 'threshold', values: [2, 2.5, 3] },
  { type: 'regime_change', params: { mode: 'long_short', threshold: 2 }, swept: 'threshold', values: [1.5, 2, 3] },
  { type: 'bayesian_updater', params: { mode: 'long_short', threshold: 0.55 }, swept: 'threshold', values: [0.52, 0.55, 0.6] },
  { type: 'volume_sr', params: { mode: 'long_short', style: 'bounce', bins: 20 }, swept: 'bins', values: [10, 20, 30] },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-bars15b-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scenario(c: Case): Promise<string> {
  const file = join(dir, `${c.type}.json`);
  const doc = {
    name: `${c.type}-${SYMBOL.toLowerCase()}`,
    seed: 1,
    initialCash: 100_000,
    account: { type: 'margin', leverage: 1 },
    data: { bars: CSV, symbols: [SYMBOL] },
    strategies: [{ id: c.type, type: c.type, params: c.params }],
    venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
  };
  await writeFile(file, JSON.stringify(doc));
  return file;
}

describe.each(CASES)(`$type on ${SYMBOL} through the CLI`, (c) => {
  it('runs: trades on the real file', async () => {
    const r = runCli(['run', await scenario(c), '--out', join(dir, `${c.type}-run`), '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runHash: string; metrics: { bars: number; tradeCount: number } };
    expect(out.metrics.bars).toBe(BARS);
    expect(out.metrics.tradeCount).toBeGreaterThan(3);
  });

  it(`sweeps ${c.swept}: three trials, none failed, three different runs`, async () => {
    const space = join(dir, `${c.type}-space.json`);
    const [min, mid, max] = c.values;
    await writeFile(space, JSON.stringify({ parameters: { [`strategies.0.params.${c.swept}`]: { type: 'categorical', values: [min, mid, max] } } }));
    const out = join(dir, `${c.type}-sweep`);
    const r = runCli(['sweep', await scenario(c), '--space', space, '--workers', '1', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as { trialCount: number; failedCount: number; trials: { runHash: string }[] };
    expect(sweep.trialCount).toBe(3);
    expect(sweep.failedCount).toBe(0);
    expect(new Set(sweep.trials.map((t) => t.runHash)).size).toBe(3);
  });
});
