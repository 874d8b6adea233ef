import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest, createStrategy, defineStrategy, isDefinedStrategy, STRATEGIES, STRATEGY_NAMES } from '../../index.js';
import { builtinDefinition, loadStrategyModule } from '../../cli/compose/strategy-modules.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { REPO } from '../support/cli.js';
import { MULTI_SYMBOL_STRATEGIES } from '../support/multi-bars.js';

/**
 * Issue 12, point 6: the built-in strategies are `defineStrategy(...)` definitions, built the way a
 * user module's are. (That they import only the public API is tests/unit/architecture's.)
 */

const SCENARIO = resolve(REPO, 'scenarios/sma-cross.json');
let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-builtins-'));
  data = join(dir, 'data');
  await generateDataset({ seed: 42, out: data, symbols: ['AAA'], days: 504, kinds: ['bars'] });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('built-in strategies are defineStrategy definitions', () => {
  it('each has its name, a description and defaults; createStrategy builds it through its definition', () => {
    expect(STRATEGY_NAMES).toEqual(['sma_cross', 'ema_cross', 'rsi_reversion', 'ibs', 'q_learning_selector', 'liquidity_flow', 'microstructure', 'options_flow', 'delta_hedge', 'ut_bot', 'mean_reversion', 'momentum', 'gradient_trend', 'donchian_breakout', 'volatility_regime', 'anomaly', 'regime_change', 'bayesian_updater', 'volume_sr', 'fractal', 'entropy', 'sentiment', 'pairs', 'granger_causality', 'correlation_matrix']);
    for (const name of STRATEGY_NAMES) {
      const d = STRATEGIES[name];
      expect(isDefinedStrategy(d), name).toBe(true);
      expect(d.name).toBe(name);
      expect(d.description.length, name).toBeGreaterThan(40);
      // The qualified defaults are what an instance built with no params holds.
      const params = d.qualifyParams();
      expect((createStrategy(name, 's', MULTI_SYMBOL_STRATEGIES[name] ?? ['X']) as unknown as { params: unknown }).params, name).toEqual(params);
      expect(Object.keys(params)).toEqual(Object.keys(d.defaults));
    }
  });

  it('a misspelt or bad parameter is refused by the definition, naming it, as a user definition refuses it', () => {
    expect(() => STRATEGIES.rsi_reversion.qualifyParams({ oversld: 20 })).toThrow("invalid parameter 'oversld' for rsi_reversion: unknown (known: ");
    expect(() => STRATEGIES.sma_cross.qualifyParams({ fast: 30 })).toThrow("invalid 'fast': not smaller than 'slow' (20), was 30");
    const user = defineStrategy({ name: 'mine', description: '', defaults: { fast: 1 }, create: () => ({}) });
    expect(() => user.qualifyParams({ fst: 2 })).toThrow("invalid parameter 'fst' for mine: unknown (known: fast)");
  });

  it('q_learning_selector checks its actions when qualified: a name, and an action parameter by its path', async () => {
    expect(() => STRATEGIES.q_learning_selector.qualifyParams({ actions: ['long', 'nope'] })).toThrow(/^invalid 'actions\[1\]': unknown strategy "nope" \(known: sma_cross, ema_cross, /);
    const err = await backtest(SCENARIO, {
      overrides: [`data.bars=${data}`, 'strategies.0.type=q_learning_selector', 'strategies.0.params={"actions":["long",{"strategy":"sma_cross","params":{"fast":"x"}}]}'],
    }).catch((e: unknown) => e as Error);
    expect((err as Error).message).toBe(`strategies[0].params.actions[1].params.fast: not a safe integer, was "x" (in ${SCENARIO})`);
  });

  it('a scenario names a built-in by type and resolves it to the same definition, qualified as a module one is', () => {
    const d = builtinDefinition('sma_cross')!;
    expect(d.name).toBe('sma_cross');
    expect(d.qualifyParams!({ fast: 5 })).toEqual(STRATEGIES.sma_cross.qualifyParams({ fast: 5 }));
    expect(JSON.stringify({ definition: d })).toBe('{}');
  });

  it('a built-in file is a strategy module: named by path, sma-cross.ts trades exactly as sma_cross; only the runHash adds its source', async () => {
    const file = resolve(REPO, 'engine/strategies/sma-cross.ts');
    const loaded = await loadStrategyModule(file);
    expect(loaded.definition.name).toBe('sma_cross');
    expect(loaded.definition.description).toBe(STRATEGIES.sma_cross.description);
    const byName = await backtest(SCENARIO, { overrides: [`data.bars=${data}`] });
    const byPath = await backtest(SCENARIO, { overrides: [`data.bars=${data}`, `strategies.0.type=${file}`] });
    expect(byName.trades.length).toBeGreaterThan(5);
    expect(byPath.fills).toEqual(byName.fills);
    expect(byPath.trades).toEqual(byName.trades);
    expect(byPath.metrics).toEqual(byName.metrics);
    // A module's source hash is part of its run's identity; a built-in's is not (its runHash is the golden one).
    expect(byPath.runHash).not.toBe(byName.runHash);
    const misspelt = await backtest(SCENARIO, { overrides: [`data.bars=${data}`, `strategies.0.type=${file}`, 'strategies.0.params.fst=3'] }).catch((e: unknown) => e as Error);
    expect((misspelt as Error).message).toMatch(/^strategies\[0\]\.params\.fst: unknown \(known: fast, slow, mode, sizing, fractional\)/);
  });
});
