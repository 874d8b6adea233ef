import type { RunReport } from '../../reports/index.js';
import type { BacktestResult } from '../../sim/backtest/index.js';

/** A table as columns: numbers as Float64Array (times in epoch microseconds), strings (or null) as arrays. */
export type TableColumns = Record<string, Float64Array | (string | null)[]>;

/**
 * A run's records as columns, one definition for every place that hands them out: the Parquet tables
 * `tapedeck run` writes (run-outputs.ts, which gives these columns their Parquet types) and the Arrow
 * tables of `toArrow()` (arrow-tables.ts). Fills, orders, audit and signals come from the report, round
 * trips from the result (their times as numbers).
 */
export function recordColumns(report: RunReport, result: BacktestResult): Record<'fills' | 'orders' | 'trades' | 'audit' | 'signals', TableColumns> {
  const f = report.fills;
  const o = report.orders;
  const t = result.trades;
  const a = report.audit;
  const g = report.signals.recorded;
  return {
    fills: {
      ts: Float64Array.from(f, (x) => x.ts),
      symbol: f.map((x) => x.symbol),
      side: f.map((x) => x.side),
      qty: Float64Array.from(f, (x) => x.qty),
      price: Float64Array.from(f, (x) => x.price),
      commission: Float64Array.from(f, (x) => x.commission),
      orderId: f.map((x) => x.orderId),
      strategyId: f.map((x) => x.strategyId),
      liquidity: f.map((x) => x.liquidity),
    },
    orders: {
      id: o.map((x) => x.id),
      symbol: o.map((x) => x.symbol),
      side: o.map((x) => x.side),
      type: o.map((x) => x.type),
      qty: Float64Array.from(o, (x) => x.qty),
      limitPrice: Float64Array.from(o, (x) => x.limitPrice ?? Number.NaN),
      stopPrice: Float64Array.from(o, (x) => x.stopPrice ?? Number.NaN),
      timeInForce: o.map((x) => x.timeInForce),
      status: o.map((x) => x.status),
      filledQty: Float64Array.from(o, (x) => x.filledQty),
      avgFillPrice: Float64Array.from(o, (x) => x.avgFillPrice),
      tsCreated: Float64Array.from(o, (x) => x.tsCreated),
      strategyId: o.map((x) => x.strategyId),
      reduceOnly: Float64Array.from(o, (x) => (x.reduceOnly ? 1 : 0)),
      tag: o.map((x) => x.tag),
      reason: o.map((x) => x.reason),
      linkContingency: o.map((x) => x.link?.contingency ?? null),
      linkParentId: o.map((x) => x.link?.parentId ?? null),
      linkedIds: o.map((x) => (x.link !== undefined ? JSON.stringify(x.link.linkedIds) : null)),
      linkGroup: o.map((x) => x.link?.group ?? null),
    },
    trades: {
      symbol: t.map((x) => x.symbol),
      strategyId: t.map((x) => x.strategyId),
      side: t.map((x) => x.side),
      qty: Float64Array.from(t, (x) => x.qty),
      entryTime: Float64Array.from(t, (x) => x.entryTs),
      entryPrice: Float64Array.from(t, (x) => x.entryPrice),
      exitTime: Float64Array.from(t, (x) => x.exitTs),
      exitPrice: Float64Array.from(t, (x) => x.exitPrice),
      pnl: Float64Array.from(t, (x) => x.pnl),
      returnPct: Float64Array.from(t, (x) => x.returnPct),
      commission: Float64Array.from(t, (x) => x.commission),
    },
    audit: {
      ts: Float64Array.from(a, (x) => x.ts),
      kind: a.map((x) => x.kind),
      message: a.map((x) => x.message),
      strategyId: a.map((x) => x.strategyId ?? null),
      symbol: a.map((x) => x.symbol ?? null),
      orderId: a.map((x) => x.orderId ?? null),
      details: a.map((x) => (x.details !== undefined ? JSON.stringify(x.details) : null)),
    },
    signals: {
      ts: Float64Array.from(g, (x) => x.ts),
      strategyId: g.map((x) => x.strategyId),
      symbol: g.map((x) => x.symbol),
      direction: Float64Array.from(g, (x) => x.direction),
      strength: Float64Array.from(g, (x) => x.strength),
      confidence: Float64Array.from(g, (x) => x.confidence),
      reason: g.map((x) => x.reason ?? null),
      metadata: g.map((x) => (x.metadata !== undefined ? JSON.stringify(x.metadata) : null)),
    },
  };
}
