import type { SweepJsonReport, SweepTrialRow } from '../../../../reports/research-schema.js';

const FAST = 'strategies.0.params.fast';
const SLOW = 'strategies.0.params.slow';
const MODE = 'strategies.0.params.mode';

function metrics(sharpe: number) {
  return {
    finalEquity: 100_000 * (1 + sharpe / 10),
    totalReturn: sharpe / 10,
    sharpe,
    sortino: sharpe * 1.5,
    maxDrawdown: 0.05,
    tradeCount: 4,
    winRate: 0.5,
    profitFactor: 1.2,
    cagr: sharpe / 20,
    observations: 250,
    periodSharpe: sharpe / 16,
    skewness: 0.1,
    kurtosis: 3.5,
  };
}

/**
 * A small hand-made sweep.json: fast in {5, 10}, slow in {20, 30}, mode in {long_only, long_short};
 * fitness = Sharpe = fast / 10 + slow / 100 (+ 0.5 for long_only), except (10, 20, long_short), which
 * failed. The best trial is (10, 30, long_only) with 1.8.
 */
export function sampleSweep(opts: { failed?: boolean } = {}): SweepJsonReport {
  const trials: SweepTrialRow[] = [];
  let n = 0;
  for (const fast of [5, 10]) {
    for (const slow of [20, 30]) {
      for (const mode of ['long_only', 'long_short']) {
        n++;
        const key = `k${n.toString().padStart(2, '0')}${fast}${slow}${mode === 'long_only' ? 'o' : 's'}`;
        const params = { [FAST]: fast, [SLOW]: slow, [MODE]: mode };
        if ((opts.failed ?? true) && fast === 10 && slow === 20 && mode === 'long_short') {
          trials.push({ key, params, seed: 100 + n, status: 'failed', metrics: null, runHash: null, error: "invalid 'fast': boom", fitness: null });
          continue;
        }
        const sharpe = fast / 10 + slow / 100 + (mode === 'long_only' ? 0.5 : 0);
        trials.push({ key, params, seed: 100 + n, status: 'ok', metrics: metrics(sharpe), runHash: `${'a'.repeat(60)}${n.toString().padStart(4, '0')}`, fitness: sharpe });
      }
    }
  }
  const best = trials.reduce((b, t) => ((t.fitness ?? -Infinity) > (b.fitness ?? -Infinity) ? t : b));
  return {
    schemaVersion: 1,
    generator: 'tapedeck',
    kind: 'sweep',
    scenario: 'fixture-sweep',
    method: 'grid',
    seed: 1,
    fitness: 'sharpe:1',
    space: {
      parameters: [
        { kind: 'int', path: FAST, min: 5, max: 10, step: 5 },
        { kind: 'int', path: SLOW, min: 20, max: 30, step: 10 },
        { kind: 'categorical', path: MODE, values: ['long_only', 'long_short'] },
      ],
      constraints: [],
    },
    configHash: 'c'.repeat(64),
    trialCount: trials.length,
    failedCount: trials.filter((t) => t.status === 'failed').length,
    combinedHash: 'd'.repeat(64),
    best: { ...best, reproduce: `tapedeck run s.json --set ${FAST}=10 --set ${SLOW}=30 --set ${MODE}=long_only --seed ${best.seed}` },
    deflatedSharpe: { kind: 'value', value: 0.42, key: best.key, sharpe: 0.1125, observations: 250, skewness: 0.1, kurtosis: 3.5, trials: trials.length, trialSharpeVariance: 0.001, expectedMaxSharpe: 0.12 },
    pbo: { kind: 'value', value: 0.625, blocks: 4, splits: 6, configurations: 7, observations: 250, probabilityOfLoss: 0.5, degradation: { slope: -0.8, intercept: 0.1 } },
    optimizer: null,
    trials,
  };
}

/**
 * sampleSweep's space with n trials (fast 1..n, slow 20 or 30, mode long_only or long_short), `failedOf10` of each
 * 10 failed; the others' Sharpe and fitness rise and fall with fast at two rates (the best fitness is not the
 * best Sharpe), no two equal.
 */
export function manySweep(n: number, failedOf10: number): SweepJsonReport {
  const base = sampleSweep({ failed: false });
  const [fast, slow, mode] = base.space.parameters.map((p) => p.path) as [string, string, string];
  const one = base.trials[0]!;
  const trials = Array.from({ length: n }, (_, j): SweepTrialRow => {
    const key = (0x9e3779b1 * (j + 1)).toString(16).padStart(16, '0');
    const params = { [fast]: j + 1, [slow]: 20 + (j % 2) * 10, [mode]: j % 3 === 0 ? 'long_short' : 'long_only' };
    if (j % 10 < failedOf10) return { key, params, seed: 1000 + j, status: 'failed', metrics: null, runHash: null, error: `invalid 'fast': boom ${j % 7}`, fitness: null };
    const sharpe = 2 * Math.sin(j * 0.37) + j / 1e4;
    return { ...one, key, params, seed: 1000 + j, metrics: { ...one.metrics!, sharpe, periodSharpe: sharpe / 16 }, runHash: `${j.toString(16).padStart(8, '0')}${'b'.repeat(56)}`, fitness: 2 * Math.cos(j * 0.23) + j / 1e5 };
  });
  const best = trials.reduce((b, t) => ((t.fitness ?? -Infinity) > (b.fitness ?? -Infinity) ? t : b));
  return { ...base, trials, trialCount: n, failedCount: trials.filter((t) => t.status === 'failed').length, best: { ...best, reproduce: 'tapedeck run s.json' } };
}
