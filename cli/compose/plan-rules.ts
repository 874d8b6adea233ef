import { ConfigError } from '../../engine/core/index.js';
import type { QualifiedScenario } from './load-scenario.js';

/**
 * Scenario-level cross-field rules: settings that are valid on their own but would change nothing
 * in the scenario they are written in (issue 12, "no silent settings"). Each rule names the path it
 * refuses and says why; {@link applyPlanRules} runs them once, at the end of `qualify`, after every
 * section was validated by its owner. A rule looks at what the user wrote (the document before
 * defaults), so a section left out is never refused, and at the qualified scenario for the rest.
 */
export interface PlanRule {
  /** The scenario path the rule refuses (`[i]` stands for any strategy's index). */
  readonly path: string;
  /** Why the setting cannot take effect there, as the message says it. */
  readonly reason: string;
  /** Returns the concrete paths this scenario writes that the rule refuses (empty: none). */
  refused(scenario: QualifiedScenario, written: Written): readonly string[];
}

/** What the scenario document (before defaults) writes. */
export interface Written {
  /** True when the document has a value (also null) at `path` (dotted, `strategies.0.execution` style). */
  has(path: string): boolean;
  /** The value at `path` as written, undefined when absent. */
  get(path: string): unknown;
}

const hasBars = (s: QualifiedScenario): boolean => s.data.bars !== undefined;
/** Whether the strategies trade their own accounts (books). */
const hasBooks = (s: QualifiedScenario): boolean => s.strategies.some((st) => st.account !== undefined);
const isL2 = (s: QualifiedScenario): boolean => s.data.book !== undefined;
const ensembleMode = (s: QualifiedScenario): 'allocation' | 'voting' | null => s.ensemble?.mode ?? null;

/** `path` when it is written and `when` holds, else nothing. */
function ifWritten(path: string, when: (s: QualifiedScenario) => boolean): (s: QualifiedScenario, w: Written) => readonly string[] {
  return (s, w) => (w.has(path) && when(s) ? [path] : []);
}

/** The voting-only sizing sections of `portfolio` (allocation mode sizes from the strategies' own books). */
const VOTING_PORTFOLIO = ['allocation', 'rotation', 'rebalancing'] as const;

type DataKey = keyof QualifiedScenario['data'];

type Need = 'book' | 'trades' | 'quotes' | 'chains' | 'sentiment';

/**
 * The data each `needs` of a strategy (StrategyDefinition.needs) reads, and what it reads under an
 * ensemble. A strategy whose needs the scenario does not give would never set a target: alone it
 * would replay the whole run without an order, under an ensemble it would sit there with a flat
 * shadow book (and a weight), so it is refused by name instead. Alone, `book` is data.book's depth
 * (an L2 run) or the top of book of data.quotes, and an L2 run's quotes are its book's top; an ensemble runs on bars and an L2 run (data.book)
 * replays none, so there `book` is read from data.quotes only.
 */
const NEEDS: readonly { need: Need; what: string; keys: readonly DataKey[]; ensembleKeys: readonly DataKey[] }[] = [
  { need: 'trades', what: 'trade prints', keys: ['trades'], ensembleKeys: ['trades'] },
  // An L2 run delivers the changes of its replayed book's top as quotes.
  { need: 'quotes', what: 'quotes', keys: ['quotes', 'book'], ensembleKeys: ['quotes'] },
  { need: 'book', what: 'the order book', keys: ['book', 'quotes'], ensembleKeys: ['quotes'] },
  { need: 'chains', what: 'option chains', keys: ['options'], ensembleKeys: ['options'] },
  { need: 'sentiment', what: 'sentiment scores', keys: ['sentiment'], ensembleKeys: ['sentiment'] },
];

/** The strategies (as `strategies[i]`) needing `need` when none of `keys` is given, under an ensemble or not. */
function lacking(need: Need, keys: readonly DataKey[], ensemble: boolean): PlanRule['refused'] {
  return (s) =>
    (s.ensemble !== undefined) !== ensemble || keys.some((k) => s.data[k] !== undefined)
      ? []
      : s.strategies.flatMap((st, i) => ((st.definition.needs ?? []).includes(need) ? [`strategies[${i}]`] : []));
}

const NEEDS_RULES: readonly PlanRule[] = NEEDS.flatMap(({ need, what, keys, ensembleKeys }): PlanRule[] => {
  const given = (ks: readonly DataKey[]): string => ks.map((k) => `data.${k}`).join(' or ');
  return [
    {
      path: 'strategies[i]',
      reason:
        need === 'book'
          ? `the strategy needs the order book (needs book) and the scenario gives neither data.book (depth, an L2 run) nor data.quotes (the top of book): it would never trade; give one or remove the strategy`
          : `the strategy needs ${what} (needs ${need}) and the scenario gives no ${given(keys)}: it would replay the run without an order; give ${given(keys)} or remove the strategy`,
      refused: lacking(need, keys, false),
    },
    {
      path: 'strategies[i]',
      reason:
        need === 'book'
          ? 'the strategy needs the order book (needs book): an ensemble runs on bars and an L2 run (data.book) replays none, so under an ensemble it reads the top of book from data.quotes, which the scenario does not give; give data.quotes or remove the strategy'
          : `the strategy needs ${what} (needs ${need}) and the scenario gives no ${given(ensembleKeys)}: under the ensemble it would never trade; give ${given(ensembleKeys)} or remove the strategy`,
      refused: lacking(need, ensembleKeys, true),
    },
  ];
});

/** Every scenario-level rule, in the order they are checked. */
export const PLAN_RULES: readonly PlanRule[] = Object.freeze([
  ...VOTING_PORTFOLIO.map(
    (key): PlanRule => ({
      path: `portfolio.${key}`,
      reason: `needs an ensemble in voting mode (it sizes the voted positions; without an ensemble each strategy sizes its own, and in allocation mode the account holds the weighted strategy books)`,
      refused: ifWritten(`portfolio.${key}`, (s) => ensembleMode(s) !== 'voting'),
    }),
  ),
  {
    path: 'portfolio.hedging',
    reason: 'needs an ensemble (the hedge moves a fraction of the ensemble account to cash; strategies trading their own ledgers are not hedged)',
    refused: ifWritten('portfolio.hedging', (s) => s.ensemble === undefined),
  },
  {
    path: 'ensemble.voting',
    reason: 'needs ensemble.mode "voting" (in allocation mode the account trades the weighted strategy books, nothing is voted)',
    refused: ifWritten('ensemble.voting', (s) => ensembleMode(s) === 'allocation'),
  },
  {
    path: 'ensemble.quality',
    reason: 'needs ensemble.mode "voting" (signal quality filters and sizes the votes; in allocation mode the account follows the strategies\' targets, not their signals)',
    refused: ifWritten('ensemble.quality', (s) => ensembleMode(s) === 'allocation'),
  },
  {
    path: 'ensemble.weighting',
    reason:
      'the strategy_asset allocation weighs (strategy, symbol) sleeves of the account\'s holdings, which only allocation mode has (a vote counts a strategy once per symbol): use ensemble.mode "allocation" or another weighting',
    refused: (s) => (s.ensemble?.weighting.kind === 'strategy_asset' && ensembleMode(s) === 'voting' ? ['ensemble.weighting'] : []),
  },
  {
    path: 'ensemble.rebalanceRules',
    reason:
      'needs ensemble.mode "allocation" and an optimizing weighting (kind optimizer or strategy_asset): the rules gate the optimizer\'s new weights by their turnover and confidence, which the static, performance and rl weightings and a vote do not have',
    refused: (s, w) => {
      const e = s.ensemble;
      if (!w.has('ensemble.rebalanceRules') || e === undefined || e.rebalanceRules === null) return [];
      return ensembleMode(s) !== 'allocation' || (e.weighting.kind !== 'optimizer' && e.weighting.kind !== 'strategy_asset') ? ['ensemble.rebalanceRules'] : [];
    },
  },
  {
    path: 'ensemble.weighting.regime',
    reason: 'the optimizer takes lambda, eta and wMax from the regime only where they are not given, and all three are given: remove the regime or one of them',
    refused: (s, w) => {
      const wt = s.ensemble?.weighting;
      return wt?.kind === 'optimizer' && w.has('ensemble.weighting.regime') && wt.lambda !== undefined && wt.eta !== undefined && wt.wMax !== undefined ? ['ensemble.weighting.regime'] : [];
    },
  },
  ...(['adxPeriod', 'trendAdx', 'rangeAdx', 'volatileRatio'] as const).map(
    (key): PlanRule => ({
      path: `ensemble.regimes.${key}`,
      reason: 'the regime comes from the HMM (ensemble.regimes.hmm), not from ADX and volatility: remove it or the hmm',
      refused: ifWritten(`ensemble.regimes.${key}`, (s) => (s.ensemble?.regimes.hmm ?? null) !== null),
    }),
  ),
  {
    path: 'regimes',
    reason: 'an L2 run (data.book) routes orders through the L2 venue, which the regime-adaptive multipliers do not reach yet',
    refused: ifWritten('regimes', isL2),
  },
  {
    path: 'ensemble.rebalanceEveryBars',
    reason: "with ensemble.rebalanceBy 'regime' the regime table's cadence decides when to re-weigh, not a count of bars",
    refused: ifWritten('ensemble.rebalanceEveryBars', (s) => s.ensemble?.rebalanceBy === 'regime'),
  },
  {
    path: 'ensemble',
    reason: 'needs data.bars: the ensemble re-weighs and trades the account on bar closes, so over quotes, trades or book rows alone it would place no order',
    refused: (s) => (s.ensemble !== undefined && !hasBars(s) ? ['ensemble'] : []),
  },
  {
    path: 'strategies[i].execution',
    reason:
      "under an ensemble the strategies trade shadow books, not the account, so a strategy's own algorithm has no orders to work: give the account's algorithm as the scenario's `execution` (the ensemble's target changes become its parent orders)",
    refused: (s, w) => (s.ensemble === undefined ? [] : s.strategies.flatMap((_, i) => (w.has(`strategies.${i}.execution`) ? [`strategies[${i}].execution`] : []))),
  },
  {
    path: 'strategies[i].params.sizing.kind',
    reason:
      "risk sizing places a protective stop order, and under an ensemble the strategies trade shadow books, not the account: no stop would be placed; use units, equity_fraction or volatility_target",
    refused: (s, w) => (s.ensemble === undefined ? [] : s.strategies.flatMap((_, i) => (w.get(`strategies.${i}.params.sizing.kind`) === 'risk' ? [`strategies[${i}].params.sizing.kind`] : []))),
  },
  ...NEEDS_RULES,
  {
    path: 'strategies[i].params.orderType',
    reason:
      "under an ensemble the strategies trade shadow books (filled at the next bar's open) and the account's orders come from the ensemble's combined target (the scenario's `execution`), so a strategy's own limit orders would never be placed: remove orderType (market)",
    refused: (s, w) => (s.ensemble === undefined ? [] : s.strategies.flatMap((_, i) => (w.get(`strategies.${i}.params.orderType`) === 'limit' ? [`strategies[${i}].params.orderType`] : []))),
  },
  {
    path: 'strategies[i].filters',
    reason: 'predictive filters read the bars as they close (returns, volumes) and judge entries against them: needs data.bars (a run of quotes, trades or book rows alone would judge every entry without data)',
    refused: (s, w) => (hasBars(s) ? [] : s.strategies.flatMap((_, i) => (w.has(`strategies.${i}.filters`) ? [`strategies[${i}].filters`] : []))),
  },
  {
    path: 'ensemble.filters[j]',
    reason:
      "a confidence filter judges the deciding strategy's latest signal, and the ensemble's account emits none: put it in the strategies' filters (strategies[i].filters), or use ensemble.quality in voting mode",
    refused: (s) => (s.ensemble?.filters ?? []).flatMap((f, j) => (f.kind === 'confidence' ? [`ensemble.filters[${j}]`] : [])),
  },
  {
    path: 'venue.barIntervalUs',
    reason: 'the bar interval comes from the data (each symbol\'s bar spacing, or data.interval); set data.interval instead',
    refused: ifWritten('venue.barIntervalUs', (s) => !isL2(s)),
  },
  {
    path: 'venue.tickSize',
    reason: 'bar and L1 fills are not on a tick grid: the tick size only checks limit and stop prices, with venue.enforceTickSize true',
    refused: (s, w) => (!isL2(s) && w.has('venue.tickSize') && s.venue.enforceTickSize !== true ? ['venue.tickSize'] : []),
  },
  {
    path: 'execution.fallbackAfter',
    reason: 'the direct algorithm sends the whole target as one market order at once: there is no schedule to fall back from (use twap, vwap, dca or smart)',
    refused: (s, w) => {
      const out: string[] = [];
      for (const key of ['fallbackAfter', 'fallbackAfterUs']) {
        if (w.has(`execution.${key}`) && w.get('execution.algo') === 'direct') out.push(`execution.${key}`);
        s.strategies.forEach((_, i) => {
          if (w.has(`strategies.${i}.execution.${key}`) && w.get(`strategies.${i}.execution.algo`) === 'direct') out.push(`strategies[${i}].execution.${key}`);
        });
      }
      return out;
    },
  },
  {
    path: 'venue.fullDepth',
    reason:
      'cannot change a run: every book dataset is checked when it is written or imported (a delete of a level the book does not hold is refused there, datasets/validate.ts), so a replayed book never deletes an absent level; remove it',
    refused: ifWritten('venue.fullDepth', isL2),
  },
  {
    path: 'engine.equityEvery',
    reason: 'samples the equity of runs without bars (quotes, trades, book rows); a run with data.bars samples on every bar',
    refused: ifWritten('engine.equityEvery', hasBars),
  },
  {
    path: 'options',
    reason: 'prices option chains: needs data.options',
    refused: ifWritten('options', (s) => s.data.options === undefined),
  },
  {
    path: 'data.sentiment',
    reason:
      "no strategy of this run reads sentiment scores: the built-in strategies that do declare needs 'sentiment' (the `sentiment` type); a strategy module of your own may read them (onSentiment, ctx.lastSentiment)",
    refused: ifWritten('data.sentiment', (s) => s.strategies.every((st) => st.module === undefined && !(st.definition.needs ?? []).includes('sentiment'))),
  },
  // Per-strategy accounts (books, cli/compose/books.ts).
  {
    path: 'strategies[i].account',
    reason: 'every strategy needs its own account once one has one (a strategy without one would have no account to trade)',
    refused: (s) => {
      const withAccount = s.strategies.filter((st) => st.account !== undefined).length;
      return withAccount === 0 || withAccount === s.strategies.length ? [] : s.strategies.flatMap((st, i) => (st.account === undefined ? [`strategies[${i}].account`] : []));
    },
  },
  {
    path: 'strategies[i].account',
    reason: 'an ensemble trades one account from the combination of its strategies, so strategies with their own accounts cannot be combined: remove the ensemble or the strategies\' accounts',
    refused: (s) => (s.ensemble !== undefined ? s.strategies.flatMap((st, i) => (st.account !== undefined ? [`strategies[${i}].account`] : [])) : []),
  },
  {
    path: 'strategies[i].account',
    reason: 'per-strategy accounts replay bars, quotes and trades; an L2 run (data.book) or a run with option chains (data.options) trades one account: remove the strategies\' accounts',
    refused: (s) => (s.data.book !== undefined || s.data.options !== undefined ? s.strategies.flatMap((st, i) => (st.account !== undefined ? [`strategies[${i}].account`] : [])) : []),
  },
  ...(['initialCash', 'account', 'portfolio.constraints.maxPositions', 'portfolio.constraints.dailyStopLoss'] as const).map(
    (path): PlanRule => ({
      path,
      reason: `the strategies trade their own accounts (strategies[i].account), so the scenario's ${path} would apply to nothing: give it in each strategies[i].account${path === 'account' ? '' : `.${path.split('.').at(-1)}`}`,
      refused: ifWritten(path, hasBooks),
    }),
  ),
]);

/** Returns a {@link Written} over a raw scenario document. */
export function writtenIn(doc: unknown): Written {
  const get = (path: string): unknown => {
    let v: unknown = doc;
    for (const k of path.split('.')) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return undefined;
      v = (v as Record<string, unknown>)[k];
    }
    return v;
  };
  return { has: (path) => get(path) !== undefined, get };
}

/**
 * Applies {@link PLAN_RULES} to a qualified scenario; `doc` is the document it was qualified from.
 * Throws a ConfigError naming the first refused path and the rule's reason.
 */
export function applyPlanRules(scenario: QualifiedScenario, doc: unknown, file = 'scenario'): void {
  const written = writtenIn(doc);
  for (const rule of PLAN_RULES) {
    const paths = rule.refused(scenario, written);
    if (paths.length > 0) throw new ConfigError(paths[0]!, `${rule.reason} (in ${file})`);
  }
}
