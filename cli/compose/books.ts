import { createHash } from 'node:crypto';
import { accountSectionOf } from '../../engine/portfolio/account-schema.js';
import type { AccountResult, EquityCurve } from '../../engine/kernel/index.js';
import { FILL_ID_PREFIX, ORDER_ID_PREFIX } from '../../engine/core/index.js';
import type { FillId, OrderId } from '../../engine/core/index.js';
import type { AuditEntry, Fill, OrderRecord, Signal } from '../../engine/model/index.js';
import type { ExecutionSummary } from '../../engine/execution/index.js';
import type { BacktestResult } from '../../sim/backtest/index.js';
import type { QualifiedScenario } from './load-scenario.js';

/**
 * Per-strategy accounts ("books", issue 13): a strategy with its own `strategies[i].account` trades a
 * separate book — its own cash, positions, buying power, margin calls, ruin, position cap and daily
 * stop — as if it were the only strategy of a run with those settings (backtrader: one Cerebro per
 * strategy). The run assembly (executeRun) replays the same data once per book and this file merges
 * the books' results into one BacktestResult, so reports, sweeps, walk-forward and the queue read a
 * run with books like any other:
 * - the equity curve is the sum of the books' curves sample by sample (the union of their timestamps,
 *   each book's last sample carried forward, its starting cash before its first);
 * - fills, orders, round trips, audit entries and signals are concatenated in time order (book order
 *   on ties); ids are kept unique by offsetting each book's sequence numbers (`O-n`, `F-n`, `Pn`) by
 *   the ids of the books before it, so a fill's order id still names its order and the first book's
 *   ids are its standalone ids;
 * - cash, equity, positions, commissions, notional, order and signal counts are summed; the tape's
 *   counts (bars, quotes, trades) and prices are the tape's, the same in every book;
 * - the runHash is a SHA-256 over the books' ids, starting cash and runHashes in book order;
 * - `ruin` is the combined account's: the first sample where the summed equity is at or below zero;
 *   each book's own ruin (its trading ended, the others trade on) is in `accounts`.
 */

/** One book of a run: the strategy (by scenario index and id) and the scenario it replays alone. */
export interface Book {
  readonly index: number;
  readonly id: string;
  readonly scenario: QualifiedScenario;
}

/**
 * The books of a scenario whose strategies have their own accounts, in strategy order, or null
 * when they have none (one account for the run). Each book's scenario is the scenario with only
 * that strategy, its account's starting cash and account section, and its position cap and daily
 * stop as the portfolio constraints (the path the scenario's own constraints take); the scenario's
 * `risk` applies to each book as it is.
 */
export function booksOf(scenario: QualifiedScenario): Book[] | null {
  if (!scenario.strategies.some((s) => s.account !== undefined)) return null;
  return scenario.strategies.map((strategy, index) => {
    const { account, ...rest } = strategy;
    if (account === undefined) throw new Error(`strategies[${index}].account: missing (every strategy needs its own account once one has one)`);
    const constraints = { ...(scenario.portfolio?.constraints ?? {}) } as Record<string, unknown>;
    delete constraints.maxPositions;
    delete constraints.dailyStopLoss;
    if (account.maxPositions !== undefined) constraints.maxPositions = account.maxPositions;
    if (account.dailyStopLoss !== undefined) constraints.dailyStopLoss = account.dailyStopLoss;
    const portfolio =
      scenario.portfolio !== undefined
        ? { ...scenario.portfolio, constraints }
        : Object.keys(constraints).length > 0
          ? ({ constraints } as unknown as NonNullable<QualifiedScenario['portfolio']>)
          : undefined;
    const { portfolio: _p, ...base } = scenario;
    const book: QualifiedScenario = {
      ...base,
      strategies: [rest],
      initialCash: account.initialCash,
      account: accountSectionOf(account),
      ...(portfolio !== undefined ? { portfolio: portfolio as NonNullable<QualifiedScenario['portfolio']> } : {}),
    };
    return { index, id: strategy.id, scenario: book };
  });
}

/** A finished book: its id (the strategy's), its starting cash and its result. */
export interface BookResult {
  readonly id: string;
  readonly initialCash: number;
  readonly result: BacktestResult;
}

/** The runHash of a run with books: SHA-256 over each book's id, starting cash and runHash, in book order. */
export function booksRunHash(books: readonly { readonly id: string; readonly initialCash: number; readonly runHash: string }[]): string {
  const h = createHash('sha256');
  h.update(`tapedeck-books-v1\nbooks ${books.length}\n`);
  for (const b of books) h.update(`${b.id} ${b.initialCash} ${b.runHash}\n`);
  return h.digest('hex');
}

/** `<prefix><n>` with n shifted by `offset`; any other id (a warm-up's `warmup-1`) unchanged. */
function shiftId(id: string, prefix: string, offset: number): string {
  if (offset === 0 || !id.startsWith(prefix)) return id;
  const digits = id.slice(prefix.length);
  return /^[1-9]\d*$/.test(digits) ? `${prefix}${Number(digits) + offset}` : id;
}

/** Merges lists already in time order into one in time order; ties keep list order (book order). */
function mergeByTime<T>(lists: readonly (readonly T[])[], ts: (x: T) => number): T[] {
  const out: T[] = [];
  const at = lists.map(() => 0);
  for (;;) {
    let best = -1;
    let bestTs = Infinity;
    for (let k = 0; k < lists.length; k++) {
      const x = lists[k]![at[k]!];
      if (x === undefined) continue;
      const t = ts(x);
      if (best === -1 || t < bestTs) {
        best = k;
        bestTs = t;
      }
    }
    if (best === -1) return out;
    out.push(lists[best]![at[best]!]!);
    at[best]!++;
  }
}

/** Whether every curve samples the same timestamps. */
function sameTimestamps(curves: readonly EquityCurve[]): boolean {
  const a = curves[0]!.ts;
  return curves.every((c) => c.ts.length === a.length && c.ts.every((t, i) => t === a[i]));
}

const CURVE_FIELDS = ['equity', 'cash', 'grossExposure', 'marginInUse', 'buyingPower'] as const;

/**
 * Sums the books' equity curves sample by sample. Same timestamps (bar runs): element by element.
 * Otherwise over the union of the timestamps, each book at its last sample at or before the time
 * (before its first: its starting cash as equity, cash and buying power, nothing in use).
 */
export function sumCurves(curves: readonly EquityCurve[], initialCash: readonly number[]): EquityCurve {
  if (sameTimestamps(curves)) {
    const n = curves[0]!.ts.length;
    const out = { ts: curves[0]!.ts.slice() } as Record<string, Float64Array>;
    for (const f of CURVE_FIELDS) {
      const v = new Float64Array(n);
      for (const c of curves) {
        const src = c[f];
        for (let i = 0; i < n; i++) v[i] = v[i]! + src[i]!;
      }
      out[f] = v;
    }
    return out as unknown as EquityCurve;
  }
  const all = new Set<number>();
  for (const c of curves) for (const t of c.ts) all.add(t);
  const ts = Float64Array.from([...all].sort((a, b) => a - b));
  const n = ts.length;
  const out = { ts } as Record<string, Float64Array>;
  for (const f of CURVE_FIELDS) out[f] = new Float64Array(n);
  curves.forEach((c, k) => {
    let j = -1;
    for (let i = 0; i < n; i++) {
      while (j + 1 < c.ts.length && c.ts[j + 1]! <= ts[i]!) j++;
      for (const f of CURVE_FIELDS) {
        const before = f === 'equity' || f === 'cash' || f === 'buyingPower' ? initialCash[k]! : 0;
        out[f]![i] = out[f]![i]! + (j >= 0 ? c[f][j]! : before);
      }
    }
  });
  return out as unknown as EquityCurve;
}

/** The largest peak-to-trough fall of an equity series, as a fraction of the peak (0 when it never falls). */
function maxDrawdownOf(equity: ArrayLike<number>, start: number): number {
  let peak = start;
  let worst = 0;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    if (peak > 0) worst = Math.max(worst, (peak - e) / peak);
  }
  return worst;
}

/** Merges the execution summaries of the books (parent ids shifted like order ids), or undefined when none had one. */
function mergeExecution(books: readonly BookResult[]): ExecutionSummary | undefined {
  if (books.every((b) => b.result.execution === undefined)) return undefined;
  const parents: ExecutionSummary['parents'][number][][] = [];
  const strategies: ExecutionSummary['strategies'][number][] = [];
  const algorithms: string[] = [];
  let offset = 0;
  for (const b of books) {
    const e = b.result.execution;
    if (e === undefined) continue;
    parents.push(e.parents.map((p) => ({ ...p, id: shiftId(p.id, 'P', offset) })));
    offset += e.parents.length;
    strategies.push(...e.strategies);
    for (const a of e.algorithms) if (!algorithms.includes(a)) algorithms.push(a);
  }
  return { parents: mergeByTime(parents, (p) => p.tsCreated), strategies, algorithms };
}

/**
 * Merges the books' results into the one result of the run (see the top of this file). `assumptions`
 * are the run's (the caller combines the books'). Throws on an empty list.
 */
export function mergeBookResults(books: readonly BookResult[], assumptions: readonly string[]): BacktestResult {
  if (books.length === 0) throw new Error('mergeBookResults: no books');
  const first = books[0]!.result;
  const fills: Fill[][] = [];
  const orders: OrderRecord[][] = [];
  const audit: AuditEntry[][] = [];
  const trades: BacktestResult['trades'][number][][] = [];
  const signals: Signal[][] = [];
  const strategyIds: string[] = [];
  let orderOffset = 0;
  let fillOffset = 0;
  for (const { result: r } of books) {
    const oo = orderOffset;
    const fo = fillOffset;
    const shiftOrder = (id: string): OrderId => shiftId(id, ORDER_ID_PREFIX, oo) as OrderId;
    fills.push(r.fills.map((f) => (oo === 0 && fo === 0 ? f : { ...f, orderId: shiftOrder(f.orderId), fillId: shiftId(f.fillId, FILL_ID_PREFIX, fo) as FillId })));
    orders.push(
      r.orders.map((o) => {
        if (oo === 0) return o;
        const shifted: OrderRecord = { ...o, id: shiftOrder(o.id) };
        if (o.link === undefined) return shifted;
        return { ...shifted, link: { ...o.link, parentId: o.link.parentId === null ? null : shiftOrder(o.link.parentId), linkedIds: o.link.linkedIds.map(shiftOrder) } };
      }),
    );
    audit.push(r.audit.map((a) => (oo === 0 || a.orderId === undefined ? a : { ...a, orderId: shiftOrder(a.orderId) })));
    const so = strategyIds.length;
    trades.push(r.trades.map((t) => (so === 0 ? t : { ...t, strategyIndex: t.strategyIndex + so })));
    signals.push([...r.signals]);
    strategyIds.push(...r.strategyIds);
    orderOffset += r.orderCount;
    fillOffset += r.fills.length;
  }
  const initialCash = books.map((b) => b.initialCash);
  const equity = sumCurves(
    books.map((b) => b.result.equity),
    initialCash,
  );
  let ruin: BacktestResult['ruin'] = null;
  for (let i = 0; i < equity.ts.length; i++) {
    if (equity.equity[i]! <= 0) {
      ruin = { ts: equity.ts[i]!, equity: equity.equity[i]! };
      break;
    }
  }
  const finalPositions: Record<string, number> = {};
  for (const b of books) for (const [s, q] of Object.entries(b.result.finalPositions)) finalPositions[s] = (finalPositions[s] ?? 0) + q;
  const sum = (f: (r: BacktestResult) => number): number => books.reduce((acc, b) => acc + f(b.result), 0);
  const accounts: AccountResult[] = books.map((b) => ({
    id: b.id,
    initialCash: b.initialCash,
    finalEquity: b.result.finalEquity,
    maxDrawdown: maxDrawdownOf(b.result.equity.equity, b.initialCash),
    ruin: b.result.ruin,
  }));
  const execution = mergeExecution(books);
  // Each book's strategies plot in their own replay: their series, book after book (strategy order).
  const indicators = books.flatMap((b) => b.result.indicators ?? []);
  const warmups = books.map((b) => b.result.warmup);
  const warmup =
    warmups[0] !== undefined
      ? {
          tradeFromUs: warmups[0].tradeFromUs,
          orders: warmups.reduce((a, w) => a + (w?.orders ?? 0), 0),
          targets: warmups.reduce((a, w) => a + (w?.targets ?? 0), 0),
          signals: warmups.reduce((a, w) => a + (w?.signals ?? 0), 0),
          amendments: warmups.reduce((a, w) => a + (w?.amendments ?? 0), 0),
        }
      : undefined;
  return {
    symbols: first.symbols,
    strategyIds,
    initialCash: initialCash.reduce((a, c) => a + c, 0),
    barIntervalUs: first.barIntervalUs,
    fills: mergeByTime(fills, (f) => f.ts),
    orders: mergeByTime(orders, (o) => o.tsCreated),
    orderCount: sum((r) => r.orderCount),
    trades: mergeByTime(trades, (t) => t.exitTs),
    equity,
    audit: mergeByTime(audit, (a) => a.ts),
    signals: mergeByTime(signals, (s) => s.ts),
    signalCount: sum((r) => r.signalCount),
    assumptions,
    finalEquity: sum((r) => r.finalEquity),
    finalCash: sum((r) => r.finalCash),
    finalPositions,
    firstPrice: first.firstPrice,
    lastPrice: first.lastPrice,
    // The tape is replayed once per book: its counts are the tape's, not summed.
    barCount: first.barCount,
    quoteCount: first.quoteCount,
    tradeCount: first.tradeCount,
    tradedNotional: sum((r) => r.tradedNotional),
    totalCommission: sum((r) => r.totalCommission),
    runHash: booksRunHash(books.map((b) => ({ id: b.id, initialCash: b.initialCash, runHash: b.result.runHash }))),
    ruin,
    accounts,
    ...(execution !== undefined ? { execution } : {}),
    ...(warmup !== undefined ? { warmup } : {}),
    ...(indicators.length > 0 ? { indicators } : {}),
  };
}
