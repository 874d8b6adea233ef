import { formatIsoUs } from '../engine/core/index.js';
import type { ExecutionSummary, ParentOrderReport, AlgorithmStrategyReport } from '../engine/execution/index.js';
import type { AuditEntry } from '../engine/model/index.js';

/**
 * The report sections of book, option and execution-algorithm runs: what each kind of run measured
 * beyond the common metrics. Built from plain values of the run result.
 */

interface GreekValues {
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
}

/** The option figures of a run as the runner reports them (sim's OptionsRunSummary fits). */
export interface OptionsSectionInput {
  readonly contracts: number;
  readonly chainRows: number;
  readonly quotedRows: number;
  readonly settlements: readonly AuditEntry[];
  readonly finalGreeks: Readonly<Record<string, GreekValues>>;
  readonly greeks: readonly (GreekValues & { readonly ts: number; readonly underlying: string })[];
  readonly rate: number;
  readonly dividendYield: number;
}

/** The L2 figures of a run as the runner reports them (sim's L2RunSummary fits). */
export interface BookSectionInput {
  readonly bookRows: number;
  readonly quotes: number;
  /** Per symbol, counters of the repair policy (numeric fields are kept). */
  readonly repairs: Readonly<Record<string, object>>;
  readonly takerExecutions: readonly { readonly qty: number; readonly arrivalMid: number; readonly slippageBps: number; readonly levels: number }[];
  readonly requestRejections: readonly unknown[];
  readonly messagesSent: number;
  readonly messagesReturned: number;
}

/** report.json `execution`: parent orders of the execution algorithms and the per-strategy comparison. */
export interface ExecutionReport {
  readonly algorithms: readonly string[];
  readonly strategies: readonly AlgorithmStrategyReport[];
  readonly parents: readonly (ParentOrderReport & { readonly time: string })[];
}

/** report.json `options`: chains replayed, net Greeks per underlying over time and at the end, settlements. */
export interface OptionsReport {
  readonly contracts: number;
  readonly chainRows: number;
  readonly quotedRows: number;
  readonly rate: number;
  readonly dividendYield: number;
  readonly finalGreeks: Readonly<Record<string, GreekValues>>;
  readonly greeks: readonly (GreekValues & { readonly ts: number; readonly time: string; readonly underlying: string })[];
  readonly settlements: readonly (AuditEntry & { readonly time: string })[];
}

/** report.json `book`: L2 replay figures. */
export interface BookReport {
  readonly bookRows: number;
  readonly quotes: number;
  readonly messagesSent: number;
  readonly messagesReturned: number;
  readonly requestRejections: number;
  readonly takerExecutions: number;
  readonly takerQty: number;
  /** Quantity-weighted slippage of taker executions against the arrival mid, bps; null without any. */
  readonly takerSlippageBps: number | null;
  readonly maxLevelsWalked: number;
  readonly repairs: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export function executionSection(s: ExecutionSummary): ExecutionReport {
  return { algorithms: s.algorithms, strategies: s.strategies, parents: s.parents.map((p) => ({ ...p, time: formatIsoUs(p.tsCreated) })) };
}

export function optionsSection(o: OptionsSectionInput): OptionsReport {
  return {
    contracts: o.contracts,
    chainRows: o.chainRows,
    quotedRows: o.quotedRows,
    rate: o.rate,
    dividendYield: o.dividendYield,
    finalGreeks: o.finalGreeks,
    greeks: o.greeks.map((g) => ({ ts: g.ts, time: formatIsoUs(g.ts), underlying: g.underlying, delta: g.delta, gamma: g.gamma, vega: g.vega, theta: g.theta })),
    settlements: o.settlements.map((a) => ({ ...a, time: formatIsoUs(a.ts) })),
  };
}

export function bookSection(b: BookSectionInput): BookReport {
  let qty = 0;
  let w = 0;
  let levels = 0;
  for (const t of b.takerExecutions) {
    qty += t.qty;
    w += t.qty * t.slippageBps;
    if (t.levels > levels) levels = t.levels;
  }
  return {
    bookRows: b.bookRows,
    quotes: b.quotes,
    messagesSent: b.messagesSent,
    messagesReturned: b.messagesReturned,
    requestRejections: b.requestRejections.length,
    takerExecutions: b.takerExecutions.length,
    takerQty: qty,
    takerSlippageBps: qty > 0 ? w / qty : null,
    maxLevelsWalked: levels,
    repairs: Object.fromEntries(
      Object.entries(b.repairs).map(([sym, c]) => [sym, Object.fromEntries(Object.entries(c).filter((e): e is [string, number] => typeof e[1] === 'number'))]),
    ),
  };
}
