import type { WalkForwardJsonReport } from '../../../../reports/research-schema.js';

const DAY_US = 86_400_000_000;
const START_US = Date.parse('2023-01-02T00:00:00Z') * 1000;
const iso = (us: number) => new Date(us / 1000).toISOString();

function metrics(sharpe: number, totalReturn: number) {
  return { finalEquity: 100_000 * (1 + totalReturn), totalReturn, sharpe, sortino: sharpe, maxDrawdown: 0.02, tradeCount: 3, winRate: 0.5, profitFactor: 1.5, cagr: null, observations: 20, periodSharpe: sharpe / 16, skewness: 0, kurtosis: 3 };
}

/**
 * A hand-made walkforward.json of three rolling folds (train 60 days, test 20 days): fold 0 gains 1% a
 * period for 4 periods, fold 1 loses 0.5% a period for 2 periods, fold 2 had no train trial with a finite
 * fitness and was skipped. The stitched curve is therefore 1, 1.01, ..., 1.01^4, then x 0.995 twice.
 */
export function sampleWalkForward(): WalkForwardJsonReport {
  const span = (a: number, b: number) => ({ start: START_US + a * DAY_US, end: START_US + b * DAY_US, startIso: iso(START_US + a * DAY_US), endIso: iso(START_US + b * DAY_US) });
  const okFold = (index: number, returns: number[], isReturn: number, oosReturn: number, params: Record<string, number>) => ({
    index,
    train: span(index * 20, index * 20 + 60),
    test: span(index * 20 + 60, index * 20 + 80),
    purgedUs: 0,
    embargoUs: 0,
    sweep: { combinedHash: `${index}`.repeat(64), trials: 4, failed: index === 1 ? 1 : 0 },
    params,
    trialKey: `key${index}`,
    trialSeed: 1000 + index,
    inSample: { fitness: 1.2, metrics: metrics(1.2, 0.05), runHash: 'e'.repeat(64), annualizedReturn: isReturn },
    outOfSample: { status: 'ok' as const, metrics: metrics(oosReturn > 0 ? 0.9 : -0.4, oosReturn / 10), runHash: 'f'.repeat(64), annualizedReturn: oosReturn, fitness: oosReturn > 0 ? 0.9 : -0.4, returns },
    efficiency: oosReturn / isReturn,
  });
  const equity = [1];
  const r0 = [0.01, 0.01, 0.01, 0.01];
  const r1 = [-0.005, -0.005];
  for (const r of [...r0, ...r1]) equity.push(equity.at(-1)! * (1 + r));
  const folds = [
    okFold(0, r0, 0.2, 0.15, { 'strategies.0.params.fast': 5, 'strategies.0.params.slow': 20 }),
    okFold(1, r1, 0.1, -0.05, { 'strategies.0.params.fast': 10, 'strategies.0.params.slow': 30 }),
    {
      index: 2,
      train: span(40, 100),
      test: span(100, 120),
      purgedUs: 0,
      embargoUs: 0,
      sweep: { combinedHash: '2'.repeat(64), trials: 4, failed: 4 },
      params: null,
      trialKey: null,
      trialSeed: null,
      inSample: null,
      outOfSample: { status: 'skipped' as const, reason: 'no train trial had a finite fitness' },
      efficiency: null,
    },
  ];
  return {
    schemaVersion: 1,
    scenario: 'fixture-wf',
    scenarioFile: 'scenarios/fixture.json',
    sets: ['data.bars=data/x'],
    method: 'grid',
    trialsPerFold: null,
    seed: 7,
    fitness: 'sharpe:1',
    windows: { train: '60d', test: '20d', anchored: false, purge: '0', embargo: '0' },
    combinedHash: '9'.repeat(64),
    efficiency: 0.4,
    isAnnualizedReturn: 0.15,
    oosAnnualizedReturn: 0.06,
    folds,
    stitched: { equity, foldOffsets: [0, 4, 6] },
    table: folds.map((f) => ({ fold: f.index })),
  };
}
