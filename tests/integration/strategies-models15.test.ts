import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';
import { runScenario, sweepChangesRun, tradeValues } from '../support/strategy-cli.js';

/**
 * Issue 15: the model strategies fractal (Hurst exponent) and entropy (return entropy) each run through `tapedeck run` on a real daily CSV and through `tapedeck sweep`
 * over one of their parameters, whose two values give two different runs.
 *
 * The CSV is backtesting.py's GOOG.csv (2148 daily bars, 2004-2013) read from TAPEDECK_PEER_DATA as
 * tests/integration/peers.test.ts reads it (it is not committed; see tests/fixtures/peers/README.md);
 * without it, the committed tests/fixtures/csv/msft.csv (249 real daily Microsoft bars, 2000-2001, from R's timeSeries: tests/fixtures/scripts/msft-csv.R) stands in, imported
 * the same way, and the windows are shortened to fit it.
 */

const PEER_DATA = process.env.TAPEDECK_PEER_DATA ?? resolve(REPO, '../shared/peers/backtesting.py');
const GOOG = join(PEER_DATA, 'GOOG.csv');
const HAVE_GOOG = existsSync(GOOG);
const CSV = HAVE_GOOG ? GOOG : resolve(REPO, 'tests/fixtures/csv/msft.csv');
const SYMBOL = HAVE_GOOG ? 'GOOG' : 'MSFT';

/** Each strategy, its params in the run, the parameter swept and its two values. */
const CASES: readonly { type: string; params: Record<string, unknown>; parameter: string; values: readonly unknown[] }[] = [
  {
    type: 'fractal',
    params: HAVE_GOOG ? { window: 64, minWindow: 8, lookback: 10, margin: 0.05, mode: 'long_short' } : { window: 32, minWindow: 4, lookback: 5, margin: 0.05, mode: 'long_short' },
    parameter: 'margin',
    values: [0.02, 0.1],
  },
  {
    type: 'entropy',
    params: HAVE_GOOG ? { window: 30, bins: 3, entryEntropy: 0.85, exitEntropy: 0.95, mode: 'long_short' } : { window: 12, bins: 3, entryEntropy: 0.85, exitEntropy: 0.95, mode: 'long_short' },
    parameter: 'entryEntropy',
    values: [0.8, 0.9],
  },
];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-models15-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function scenario(type: string, params: Record<string, unknown>): Record<string, unknown> {
  return {
    name: `${type}-${SYMBOL}`,
    seed: 1,
    initialCash: 100000,
    // Shorts in long_short need a margin account (leverage 1: backtesting.py's margin=1).
    account: { type: 'margin', leverage: 1 },
    data: { bars: CSV, symbols: [SYMBOL] },
    strategies: [{ id: type, type, params }],
    venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
  };
}

describe(`models15 strategies on ${SYMBOL} (${CSV})`, () => {
  for (const c of CASES) {
    it(`${c.type}: tapedeck run trades both ways, and a sweep over ${c.parameter} gives two different runs`, async () => {
      const file = join(dir, `${c.type}.json`);
      await writeFile(file, JSON.stringify(scenario(c.type, c.params)));
      const { out } = await runScenario(dir, c.type, file);
      expect(await tradeValues(join(out, 'trades.parquet')), c.type).toEqual(['long', 'short']);
      await sweepChangesRun(dir, c.type, file, c.parameter, c.values);
    }, 240_000);
  }
});
