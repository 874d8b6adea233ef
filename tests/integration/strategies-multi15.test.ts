import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { runScenario, sweepChangesRun, tradeValues } from '../support/strategy-cli.js';

/**
 * Issue 15: the multi-symbol strategies pairs, granger_causality and correlation_matrix each run
 * through `tapedeck run` on a generated three-symbol daily dataset (`tapedeck data generate
 * --symbols AAA,BBB,CCC --kinds bars`) and through `tapedeck sweep` over one of their parameters,
 * whose two values give two different runs; a scenario giving them the wrong number of symbols is
 * refused naming strategies[0].symbols, whether the symbols are the strategy's own or the data's.
 */

let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-multi15-'));
  data = join(dir, 'data');
  const gen = runCli(['data', 'generate', '--out', data, '--seed', '5', '--symbols', 'AAA,BBB,CCC', '--kinds', 'bars', '--days', '400']);
  expect(gen.code, gen.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Each strategy, its symbols and params in the run, the parameter swept and its two values. */
const CASES: readonly { type: string; symbols: readonly string[]; params: Record<string, unknown>; parameter: string; values: readonly unknown[] }[] = [
  { type: 'pairs', symbols: ['AAA', 'BBB'], params: { window: 40, refitEvery: 5, entryZ: 1.5, exitZ: 0.3 }, parameter: 'entryZ', values: [1.2, 2] },
  { type: 'granger_causality', symbols: ['AAA', 'BBB'], params: { window: 40, lag: 1, maxPValue: 0.3, mode: 'long_short' }, parameter: 'maxPValue', values: [0.2, 0.4] },
  {
    type: 'correlation_matrix',
    symbols: ['AAA', 'BBB', 'CCC'],
    params: { longWindow: 40, shortWindow: 8, decoupleThreshold: 0.3, recoupleThreshold: 0.1, mode: 'long_short' },
    parameter: 'decoupleThreshold',
    values: [0.25, 0.4],
  },
];

function scenario(type: string, symbols: readonly string[] | null, params: Record<string, unknown>, dataSymbols: readonly string[] = ['AAA', 'BBB', 'CCC']): Record<string, unknown> {
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

describe('multi15 strategies on a generated AAA, BBB, CCC dataset', () => {
  for (const c of CASES) {
    it(`${c.type}: tapedeck run trades its symbols both ways, and a sweep over ${c.parameter} gives two different runs`, async () => {
      const file = join(dir, `${c.type}.json`);
      await writeFile(file, JSON.stringify(scenario(c.type, c.symbols, c.params)));
      const { out } = await runScenario(dir, c.type, file);
      const sides = await tradeValues(join(out, 'trades.parquet'), "symbol || ' ' || side");
      // pairs trades both legs; the others trade their follower (granger) or the decoupling symbols, long and short.
      if (c.type === 'pairs') expect(sides).toEqual(['AAA long', 'AAA short', 'BBB long', 'BBB short']);
      else if (c.type === 'granger_causality') expect(sides).toEqual(['BBB long', 'BBB short']);
      else expect(new Set(sides.map((s) => s.split(' ')[1])).size).toBe(2);
      await sweepChangesRun(dir, c.type, file, c.parameter, c.values);
    }, 240_000);
  }

  it('refuses a scenario giving pairs one or three symbols, or correlation_matrix two, naming strategies[0].symbols', async () => {
    const cases: [string, readonly string[] | null, readonly string[], string][] = [
      ['pairs', ['AAA'], ['AAA', 'BBB', 'CCC'], 'pairs trades exactly two symbols'],
      ['pairs', null, ['AAA', 'BBB', 'CCC'], 'pairs trades exactly two symbols'],
      ['granger_causality', null, ['AAA', 'BBB', 'CCC'], 'granger_causality reads exactly two symbols'],
      ['correlation_matrix', null, ['AAA', 'BBB'], 'correlation_matrix needs at least three symbols'],
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
