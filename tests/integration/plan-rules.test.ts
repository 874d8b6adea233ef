import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../cli/compose/load-scenario.js';
import { runScenario } from '../../cli/compose/run-scenario.js';
import { generateDataset } from '../../datasets/synthetic/index.js';

/**
 * The settings issue 12 found accepted and then ignored, each reproduced on a small generated
 * dataset: either the setting now changes the run, or the scenario is refused naming the path.
 */
let dir: string;
let bars: string;
let ticks: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-plan-rules-'));
  bars = join(dir, 'bars');
  ticks = join(dir, 'ticks');
  await generateDataset({ seed: 5, out: bars, symbols: ['AAA', 'BBB'], days: 260, kinds: ['bars'] });
  await generateDataset({ seed: 5, out: ticks, symbols: ['AAA'], days: 2, kinds: ['quotes', 'trades'], intraday: { days: 1, quotesPerDay: 3000, tradesPerDay: 2000 } });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const strategies = [
  { id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, fractional: true, sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
  { id: 'rsi', type: 'rsi_reversion', params: { period: 7, fractional: true, sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
];
const scenario = (extra: Record<string, unknown>): Record<string, unknown> => ({ name: 'rules', data: { bars }, strategies, ...extra });

describe('portfolio construction without an ensemble', () => {
  for (const [path, value] of [
    ['allocation', { method: 'inverse_volatility' }],
    ['rotation', { topN: 1 }],
    ['rebalancing', { everyBars: 5 }],
    ['hedging', { drawdownAbove: 0.01 }],
  ] as const) {
    it(`refuses portfolio.${path}, naming the path (it used to leave the runHash unchanged)`, async () => {
      await expect(qualify(scenario({ portfolio: { [path]: value } }), 'rules.json')).rejects.toThrow(new RegExp(`^portfolio\\.${path}: needs an ensemble`));
    });
  }

  it('still accepts portfolio.constraints (they are risk limits of every run)', async () => {
    const s = await qualify(scenario({ portfolio: { constraints: { maxPositions: 1 } } }), 'rules.json');
    expect(s.portfolio?.constraints.maxPositions).toBe(1);
  });
});

describe('ensemble settings of the other mode', () => {
  it('refuses portfolio.allocation, ensemble.voting and ensemble.quality in allocation mode', async () => {
    await expect(qualify(scenario({ ensemble: {}, portfolio: { allocation: { method: 'momentum' } } }), 'rules.json')).rejects.toThrow(/^portfolio\.allocation: needs an ensemble in voting mode/);
    await expect(qualify(scenario({ ensemble: { voting: { method: 'majority_vote' } } }), 'rules.json')).rejects.toThrow(/^ensemble\.voting: needs ensemble\.mode "voting"/);
    await expect(qualify(scenario({ ensemble: { quality: {} } }), 'rules.json')).rejects.toThrow(/^ensemble\.quality: needs ensemble\.mode "voting"/);
  });

  it('accepts them in voting mode, where quality changes the runHash', async () => {
    const voting = { mode: 'voting', weighting: { kind: 'static' }, warmupBars: 5 };
    const plain = await runScenario(await qualify(scenario({ ensemble: voting }), 'rules.json'));
    const scored = await runScenario(await qualify(scenario({ ensemble: { ...voting, quality: { threshold: 0.6 } } }), 'rules.json'));
    expect(plain.result.fills.length).toBeGreaterThan(0);
    expect(scored.report.runHash).not.toBe(plain.report.runHash);
  });
});

describe('"weighting": {"kind": "optimizer"} without a regime', () => {
  const five = [
    ...strategies,
    { id: 'ema', type: 'ema_cross', params: { fast: 8, slow: 30, fractional: true, sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
    { id: 'ibs', type: 'ibs', params: { fractional: true, sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
    { id: 'sma-long', type: 'sma_cross', params: { fast: 10, slow: 40, mode: 'long_only', fractional: true, sizing: { kind: 'equity_fraction', fraction: 0.3 } } },
  ];

  it('optimizes with the mixed-regime parameters instead of falling back every time', async () => {
    const s = await qualify(scenario({ strategies: five, ensemble: { weighting: { kind: 'optimizer' }, warmupBars: 20, rebalanceEveryBars: 10 } }), 'rules.json');
    expect(s.ensemble?.weighting).toMatchObject({ kind: 'optimizer', regime: 'mixed' });
    const { report } = await runScenario(s);
    const sources = report.ensemble!.weightsOverTime.slice(1).map((w) => w.source);
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.every((src) => /^optimizer:(active-set|quadprog|resampled)/.test(src))).toBe(true);
    expect(report.ensemble!.audit.some((a) => /invalid_input/.test(a.message))).toBe(false);
  });

  it('refuses, before the replay, a weight cap no weights can meet (4 or fewer strategies under the mixed regime\'s wMax 0.25)', async () => {
    const s = await qualify(scenario({ ensemble: { weighting: { kind: 'optimizer' } } }), 'rules.json');
    await expect(runScenario(s)).rejects.toThrow(/^ensemble\.weighting\.regime: the optimizer caps each of the 2 strategies' weights at wMax 0\.25 of regime 'mixed'.*give wMax above 0\.5 or 5 strategies/);
    const capped = await qualify(scenario({ ensemble: { weighting: { kind: 'optimizer', wMax: 0.4 } } }), 'rules.json');
    await expect(runScenario(capped)).rejects.toThrow(/^ensemble\.weighting\.wMax: /);
  });

  it('refuses a regime that lambda, eta and wMax all override', async () => {
    await expect(qualify(scenario({ ensemble: { weighting: { kind: 'optimizer', regime: 'trending', lambda: 2, eta: 0.1, wMax: 0.8 } } }), 'rules.json')).rejects.toThrow(
      /^ensemble\.weighting\.regime: .*lambda, eta and wMax/,
    );
  });
});

describe('an ensemble over quotes and trades only', () => {
  it('is refused before the run, naming the ensemble and data.bars (it used to place 0 orders with no word)', async () => {
    const doc = { name: 'ticks', data: { quotes: ticks, trades: ticks }, strategies: [{ id: 'micro', type: 'microstructure', params: { tickWindow: 20, imbalanceThreshold: 0.1 } }, { id: 'micro2', type: 'microstructure', params: { tickWindow: 40 } }], ensemble: {} };
    await expect(qualify(doc, 'ticks.json')).rejects.toThrow(/^ensemble: needs data\.bars/);
  });
});

describe('execution and venue settings that cannot take effect', () => {
  it("accepts the scenario's execution algorithm under an ensemble (the account's) and refuses a strategy's own", async () => {
    const q = await qualify(scenario({ ensemble: {}, execution: { algo: 'twap', duration: '1d', parts: 2 } }), 'rules.json');
    expect(q.execution).toMatchObject({ kind: 'twap', parts: 2 });
    const own = [{ ...strategies[0], execution: { algo: 'dca', interval: '1d', parts: 2 } }, strategies[1]];
    await expect(qualify(scenario({ strategies: own, ensemble: {} }), 'rules.json')).rejects.toThrow(/^strategies\[0\]\.execution: under an ensemble the strategies trade shadow books, not the account/);
  });

  it('refuses fallbackAfter on the direct algorithm and accepts it on a schedule', async () => {
    await expect(qualify(scenario({ execution: { algo: 'direct', fallbackAfter: '1h' } }), 'rules.json')).rejects.toThrow(/^execution\.fallbackAfter: the direct algorithm sends the whole target as one market order/);
    const own = [{ ...strategies[0], execution: { algo: 'direct', fallbackAfterUs: 5 } }, strategies[1]];
    await expect(qualify(scenario({ strategies: own }), 'rules.json')).rejects.toThrow(/^strategies\[0\]\.execution\.fallbackAfterUs: /);
    await expect(qualify(scenario({ execution: { algo: 'twap', duration: '2d', parts: 2, fallbackAfter: '1d' } }), 'rules.json')).resolves.toBeDefined();
  });

  it('refuses a bar venue tick size that nothing checks (without enforceTickSize)', async () => {
    await expect(qualify(scenario({ venue: { tickSize: 0.05 } }), 'rules.json')).rejects.toThrow(/^venue\.tickSize: bar and L1 fills are not on a tick grid/);
    await expect(qualify(scenario({ venue: { tickSize: 0.05, enforceTickSize: true } }), 'rules.json')).resolves.toBeDefined();
  });
});

describe('risk sizing under an ensemble', () => {
  it('is refused naming the strategy\'s sizing.kind: the ensemble would trade a shadow book and no protective stop would be placed', async () => {
    const risky = [{ id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, sizing: { kind: 'risk', fraction: 0.01, stopPct: 0.05 } } }, strategies[1]];
    await expect(qualify(scenario({ strategies: risky, ensemble: {} }), 'rules.json')).rejects.toThrow(/^strategies\[0\]\.params\.sizing\.kind: risk sizing places a protective stop order/);
    await expect(qualify(scenario({ strategies: risky }), 'rules.json')).resolves.toBeDefined();
  });
});

describe('settings no dataset can make act', () => {
  it('refuses venue.fullDepth on an L2 run: datasets are checked for deletes of absent levels when written', async () => {
    const l2 = (venue: Record<string, unknown>) => ({ name: 'rules', data: { book: ticks, symbols: ['AAA'] }, strategies: [{ type: 'liquidity_flow' }], venue });
    await expect(qualify(l2({ fullDepth: true }), 'rules.json')).rejects.toThrow(/^venue\.fullDepth: cannot change a run: every book dataset is checked/);
    await expect(qualify(l2({ fullDepth: false }), 'rules.json')).rejects.toThrow(/^venue\.fullDepth: /);
    await expect(qualify(l2({ repair: 'skip-event' }), 'rules.json')).resolves.toBeDefined();
  });
});

describe('settings a bar run cannot use', () => {
  it('refuses venue.barIntervalUs, engine.equityEvery and options without data.options', async () => {
    await expect(qualify(scenario({ venue: { barIntervalUs: 60_000_000 } }), 'rules.json')).rejects.toThrow(/^venue\.barIntervalUs: the bar interval comes from the data/);
    await expect(qualify(scenario({ engine: { equityEvery: '5m' } }), 'rules.json')).rejects.toThrow(/^engine\.equityEvery: samples the equity of runs without bars/);
    await expect(qualify(scenario({ options: { rate: 0.01 } }), 'rules.json')).rejects.toThrow(/^options: prices option chains/);
  });
});
