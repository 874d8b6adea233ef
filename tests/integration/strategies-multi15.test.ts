import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { runScenario, sweepChangesRun, tradeValues } from '../support/strategy-cli.js';

/**
 * Issue 15: the multi-symbol strategies pairs, granger_causality and correlation_matrix each run
 * through `tapedeck run` on real data, R's EuStockMarkets (daily closes of DAX, SMI, CAC and FTSE,
 * 1991-1998: tests/fixtures/csv/eustocks.csv, written by tests/fixtures/scripts/eustocks-csv.R),
 * imported the way a user imports a close-only series (`tapedeck data import --kind closes` per
 * symbol, then `tapedeck data resample --interval 1d`), and through `tapedeck sweep` over one of
 * their parameters, whose two values give two different runs; a scenario giving them the wrong
 * number of symbols is refused naming strategies[0].symbols, whether the symbols are the
 * strategy's own or the data's.
 */

const INDICES = ['DAX', 'SMI', 'CAC', 'FTSE'] as const;

let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-multi15-'));
  data = join(dir, 'data');
  // One close-only CSV per index (Date and its column), as a user splits a wide file.
  const lines = (await readFile(join(import.meta.dirname, '..', 'fixtures', 'csv', 'eustocks.csv'), 'utf8')).trimEnd().split('\n');
  const header = lines[0]!.split(',');
  expect(header).toEqual(['Date', ...INDICES]);
  expect(lines.length).toBe(1861);
  for (const [k, symbol] of INDICES.entries()) {
    const csv = join(dir, `${symbol}.csv`);
    await writeFile(csv, lines.map((line) => { const cells = line.split(','); return `${cells[0]},${cells[k + 1]}`; }).join('\n') + '\n');
    const imported = runCli(['data', 'import', '--csv', csv, '--kind', 'closes', '--symbol', symbol, '--out', data]);
    expect(imported.code, imported.stderr).toBe(0);
  }
  const resampled = runCli(['data', 'resample', data, '--interval', '1d']);
  expect(resampled.code, resampled.stderr).toBe(0);
  expect(resampled.stdout).toContain('resampled 1860 closes rows of DAX into 1860 1d bars');
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Each strategy, its symbols and params in the run, the parameter swept and its two values. */
const CASES: readonly { type: string; symbols: readonly string[]; params: Record<string, unknown>; parameter: string; values: readonly unknown[] }[] = [
  { type: 'pairs', symbols: ['DAX', 'CAC'], params: { window: 40, refitEvery: 5, entryZ: 1.5, exitZ: 0.3 }, parameter: 'entryZ', values: [1.2, 2] },
  { type: 'granger_causality', symbols: ['FTSE', 'DAX'], params: { window: 40, lag: 1, maxPValue: 0.3, mode: 'long_short' }, parameter: 'maxPValue', values: [0.2, 0.4] },
  {
    type: 'correlation_matrix',
    symbols: ['DAX', 'SMI', 'CAC', 'FTSE'],
    params: { longWindow: 40, shortWindow: 8, decoupleThreshold: 0.3, recoupleThreshold: 0.1, mode: 'long_short' },
    parameter: 'decoupleThreshold',
    values: [0.25, 0.4],
  },
];

function scenario(type: string, symbols: readonly string[] | null, params: Record<string, unknown>, dataSymbols: readonly string[] = INDICES): Record<string, unknown> {
  return {
    name: `${type}-multi`,
    seed: 1,
    initialCash: 1_000_000,
    // Spreads and the follower's short side need a margin account.
    account: { type: 'margin', leverage: 2 },
    data: { bars: data, symbols: dataSymbols },
    strategies: [{ id: type, type, ...(symbols !== null ? { symbols } : {}), params }],
    venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.0005 } },
  };
}

describe('multi15 strategies on the EuStockMarkets daily closes (DAX, SMI, CAC, FTSE)', () => {
  for (const c of CASES) {
    it(`${c.type}: tapedeck run trades its symbols both ways, and a sweep over ${c.parameter} gives two different runs`, async () => {
      const file = join(dir, `${c.type}.json`);
      await writeFile(file, JSON.stringify(scenario(c.type, c.symbols, c.params)));
      const { out } = await runScenario(dir, c.type, file);
      const sides = await tradeValues(join(out, 'trades.parquet'), "symbol || ' ' || side");
      // pairs trades both legs, granger_causality its follower, correlation_matrix every index as it decouples: long and short.
      if (c.type === 'pairs') expect(sides).toEqual(['CAC long', 'CAC short', 'DAX long', 'DAX short']);
      else if (c.type === 'granger_causality') expect(sides).toEqual(['DAX long', 'DAX short']);
      else expect(sides).toEqual(['CAC long', 'CAC short', 'DAX long', 'DAX short', 'FTSE long', 'FTSE short', 'SMI long', 'SMI short']);
      await sweepChangesRun(dir, c.type, file, c.parameter, c.values);
    }, 240_000);
  }

  it('refuses a scenario giving pairs one or three symbols, or correlation_matrix two, naming strategies[0].symbols', async () => {
    const cases: [string, readonly string[] | null, readonly string[], string][] = [
      ['pairs', ['DAX'], INDICES, 'pairs trades exactly two symbols'],
      ['pairs', null, ['DAX', 'SMI', 'CAC'], 'pairs trades exactly two symbols'],
      ['granger_causality', null, ['DAX', 'SMI', 'CAC'], 'granger_causality reads exactly two symbols'],
      ['correlation_matrix', null, ['DAX', 'CAC'], 'correlation_matrix needs at least three symbols'],
    ];
    for (const [type, symbols, dataSymbols, why] of cases) {
      const file = join(dir, `bad-${type}-${symbols === null ? 'data' : 'own'}.json`);
      await writeFile(file, JSON.stringify(scenario(type, symbols, {}, dataSymbols)));
      const run = runCli(['run', file, '--out', join(dir, 'bad-out')]);
      expect(run.code, run.stdout).not.toBe(0);
      expect(run.stderr).toContain('strategies[0].symbols');
      expect(run.stderr).toContain(why);
    }
  }, 120_000);
});
