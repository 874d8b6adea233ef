import { checkNonNegative, checkPositive, checkPositiveInteger, InvalidArgumentError } from '../../../engine/core/index.js';
import { optimizeFromReturns } from '../../../engine/ensemble/index.js';
import { walkForwardWindows, type Span } from './windows.js';

/**
 * The seed-000 hyperparameter search: which risk aversion lambda and turnover penalty eta make the
 * mean-variance ensemble weights work out of sample. Seed 000 picks them with a grid over a single
 * walk-forward of the whole history, which chooses with hindsight; here the choice itself is walked
 * forward. Each outer fold picks (lambda, eta) using only its train window (an inner walk-forward
 * inside it, scored by the Sharpe ratio of the inner out-of-sample returns), then optimizes the
 * weights on the whole train window with that pair and holds them through the outer test window.
 * The outer test returns, stitched, are an honest out-of-sample record of the procedure.
 */

/** Options of {@link lambdaEtaWalkForward}; window lengths count rows of the returns matrix. */
export interface LambdaEtaSearchOptions {
  /** Candidate risk aversions (default seed 000's [50, 100, 150, 200, 300]). */
  readonly lambdas?: readonly number[];
  /** Candidate turnover penalties (default seed 000's [0.01, 0.03, 0.05, 0.08, 0.10]). */
  readonly etas?: readonly number[];
  /** Cap per weight (default max(0.25, 1 / strategies), so the cap is always feasible). */
  readonly wMax?: number;
  /** Outer train rows (default 90). */
  readonly train?: number;
  /** Outer test rows (default 30). */
  readonly test?: number;
  /** Inner train rows inside an outer train window (default 60). */
  readonly innerTrain?: number;
  /** Inner test rows (default 10). */
  readonly innerTest?: number;
  /** Anchored outer windows (default rolling). */
  readonly anchored?: boolean;
  /** Rows dropped between train and test, outer and inner (default 0). */
  readonly purge?: number;
  /** Cost per unit of turnover, charged on the first row of each test window (seed 000's transaction_cost; default 0). */
  readonly cost?: number;
  /** Periods per year for annualizing Sharpe ratios (default 252). */
  readonly periodsPerYear?: number;
}

/** The score of one (lambda, eta) pair on one outer train window. */
export interface LambdaEtaScore {
  readonly lambda: number;
  readonly eta: number;
  /** Annualized Sharpe ratio of the stitched inner out-of-sample returns; null without dispersion. */
  readonly sharpe: number | null;
}

/** One outer fold. */
export interface LambdaEtaFold {
  readonly index: number;
  readonly train: Span;
  readonly test: Span;
  readonly lambda: number;
  readonly eta: number;
  /** The inner Sharpe of the chosen pair. */
  readonly innerSharpe: number | null;
  /** The weights held through the test window. */
  readonly weights: readonly number[];
  readonly turnover: number;
  /** Optimizer status of the weights (see engine/ensemble OptimizationStatus). */
  readonly status: string;
  /** Every pair's inner score, lambdas outer, etas inner, in grid order. */
  readonly grid: readonly LambdaEtaScore[];
  /** Annualized Sharpe ratio of this fold's test returns; null without dispersion. */
  readonly testSharpe: number | null;
}

/** The result of {@link lambdaEtaWalkForward}. */
export interface LambdaEtaSearchResult {
  readonly folds: readonly LambdaEtaFold[];
  /** Portfolio returns over every outer test row, in order (net of costs). */
  readonly oosReturns: readonly number[];
  /** Row index of each out-of-sample return. */
  readonly oosRows: readonly number[];
  /** Compounded equity of the out-of-sample returns, starting at 1 (one value per return). */
  readonly oosEquity: readonly number[];
  /** Annualized Sharpe ratio of the out-of-sample returns; null without dispersion. */
  readonly oosSharpe: number | null;
  readonly settings: Required<Omit<LambdaEtaSearchOptions, 'wMax'>> & { readonly wMax: number };
}

/** Returns the annualized Sharpe ratio (mean / sample standard deviation x sqrt(P)), or null with fewer than 2 returns or no dispersion. */
export function annualizedSharpe(returns: readonly number[], periodsPerYear: number): number | null {
  const n = returns.length;
  if (n < 2) return null;
  let mean = 0;
  for (const r of returns) mean += r;
  mean /= n;
  let ss = 0;
  for (const r of returns) ss += (r - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return sd > 0 ? (mean / sd) * Math.sqrt(periodsPerYear) : null;
}

function checkList(values: readonly number[], name: string): readonly number[] {
  if (!Array.isArray(values) || values.length === 0) throw new InvalidArgumentError(`invalid '${name}': expected a non-empty array, was ${JSON.stringify(values)}`);
  values.forEach((v, i) => checkNonNegative(v, `${name}[${i}]`));
  return values;
}

/** Holds `weights` through `rows` of `returns`, charging `cost x turnover` on the first row; returns the portfolio returns. */
function holdReturns(returns: readonly (readonly number[])[], rows: Span, weights: readonly number[], turnover: number, cost: number): number[] {
  const out: number[] = [];
  for (let t = rows.start; t < rows.end; t++) {
    const row = returns[t]!;
    let r = 0;
    for (let j = 0; j < weights.length; j++) r += weights[j]! * row[j]!;
    if (t === rows.start) r -= cost * turnover;
    out.push(r);
  }
  return out;
}

function optimizeOn(returns: readonly (readonly number[])[], rows: Span, lambda: number, eta: number, wMax: number, wPrev: readonly number[]) {
  return optimizeFromReturns(returns.slice(rows.start, rows.end), { lambda, eta, wMax, wPrev });
}

/**
 * Runs the nested walk-forward search of lambda and eta over `returns` (rows are periods, oldest
 * first; columns are strategies). Weights are chained: each optimization's turnover anchor is the
 * weights held before it (equal weights at the start), so eta's effect is real. Ties between pairs
 * go to the earlier pair in grid order; a pair whose inner Sharpe is null ranks below every number.
 */
export function lambdaEtaWalkForward(returns: readonly (readonly number[])[], options: LambdaEtaSearchOptions = {}): LambdaEtaSearchResult {
  if (!Array.isArray(returns) || returns.length === 0 || !Array.isArray(returns[0]) || returns[0].length === 0) {
    throw new InvalidArgumentError(`invalid 'returns': expected a non-empty matrix (rows = periods, columns = strategies)`);
  }
  const n = returns[0].length;
  returns.forEach((row, t) => {
    if (!Array.isArray(row) || row.length !== n) throw new InvalidArgumentError(`invalid 'returns[${t}]': expected ${n} columns, was ${Array.isArray(row) ? row.length : String(row)}`);
  });
  const settings = {
    lambdas: checkList(options.lambdas ?? [50, 100, 150, 200, 300], 'lambdas'),
    etas: checkList(options.etas ?? [0.01, 0.03, 0.05, 0.08, 0.1], 'etas'),
    wMax: checkPositive(options.wMax ?? Math.max(0.25, 1 / n), 'wMax'),
    train: checkPositiveInteger(options.train ?? 90, 'train'),
    test: checkPositiveInteger(options.test ?? 30, 'test'),
    innerTrain: checkPositiveInteger(options.innerTrain ?? 60, 'innerTrain'),
    innerTest: checkPositiveInteger(options.innerTest ?? 10, 'innerTest'),
    anchored: options.anchored ?? false,
    purge: checkNonNegative(options.purge ?? 0, 'purge'),
    cost: checkNonNegative(options.cost ?? 0, 'cost'),
    periodsPerYear: checkPositive(options.periodsPerYear ?? 252, 'periodsPerYear'),
  };
  if (settings.innerTrain + settings.innerTest > settings.train) {
    throw new InvalidArgumentError(`invalid 'innerTrain': innerTrain (${settings.innerTrain}) + innerTest (${settings.innerTest}) exceed train (${settings.train})`);
  }
  const outer = walkForwardWindows({ start: 0, end: returns.length, train: settings.train, test: settings.test, anchored: settings.anchored, purge: settings.purge });
  const equal = new Array<number>(n).fill(1 / n);
  let held: readonly number[] = equal;
  const folds: LambdaEtaFold[] = [];
  const oosReturns: number[] = [];
  const oosRows: number[] = [];
  for (const fold of outer) {
    const trainRows: Span = fold.train;
    const inner = walkForwardWindows({
      start: trainRows.start,
      end: trainRows.end,
      train: settings.innerTrain,
      test: settings.innerTest,
      purge: Math.min(settings.purge, settings.innerTrain - 1),
    });
    const grid: LambdaEtaScore[] = [];
    let best: LambdaEtaScore | null = null;
    for (const lambda of settings.lambdas) {
      for (const eta of settings.etas) {
        let innerHeld: readonly number[] = held;
        const innerReturns: number[] = [];
        for (const f of inner) {
          const result = optimizeOn(returns, f.train, lambda, eta, settings.wMax, innerHeld);
          innerReturns.push(...holdReturns(returns, f.test, result.weights, Number.isFinite(result.turnover) ? result.turnover : 0, settings.cost));
          innerHeld = result.weights;
        }
        const score = { lambda, eta, sharpe: annualizedSharpe(innerReturns, settings.periodsPerYear) };
        grid.push(score);
        if (best === null || (score.sharpe !== null && (best.sharpe === null || score.sharpe > best.sharpe))) best = score;
      }
    }
    const chosen = best!;
    const result = optimizeOn(returns, trainRows, chosen.lambda, chosen.eta, settings.wMax, held);
    const turnover = Number.isFinite(result.turnover) ? result.turnover : 0;
    const testReturns = holdReturns(returns, fold.test, result.weights, turnover, settings.cost);
    for (let t = fold.test.start; t < fold.test.end; t++) oosRows.push(t);
    oosReturns.push(...testReturns);
    held = result.weights;
    folds.push({
      index: fold.index,
      train: trainRows,
      test: fold.test,
      lambda: chosen.lambda,
      eta: chosen.eta,
      innerSharpe: chosen.sharpe,
      weights: result.weights.slice(),
      turnover,
      status: result.status,
      grid,
      testSharpe: annualizedSharpe(testReturns, settings.periodsPerYear),
    });
  }
  const oosEquity: number[] = [];
  let equity = 1;
  for (const r of oosReturns) {
    equity *= 1 + r;
    oosEquity.push(equity);
  }
  return { folds, oosReturns, oosRows, oosEquity, oosSharpe: annualizedSharpe(oosReturns, settings.periodsPerYear), settings };
}
