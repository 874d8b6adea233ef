import { InvalidArgumentError } from '../core/errors.js';
import type { OptionRight } from './option-pricing.js';

/**
 * Option contract symbols and the chain snapshot strategies read.
 *
 * **Contract symbols** are `UNDERLYING YYYY-MM-DD C|P STRIKE`, e.g. `AAA 2024-03-15 C 100` or
 * `AAA 2024-03-15 P 97.5`: the underlying, the UTC date of the expiry, the right, and the strike in
 * its shortest decimal form. They read well in reports and sort by underlying then expiry; the exact
 * expiry time (e.g. 16:00 on the expiry date) is kept on the instrument, not in the symbol.
 */

const SYMBOL_RE = /^(\S+) (\d{4})-(\d{2})-(\d{2}) ([CP]) (\d+(?:\.\d+)?)$/;

/** Returns the contract symbol of an option (see the module comment for the format). */
export function optionSymbol(underlying: string, expiryUs: number, right: OptionRight | 1 | -1, strike: number): string {
  if (!/^\S+$/.test(underlying)) throw new InvalidArgumentError(`invalid 'underlying': empty or contains spaces, was ${JSON.stringify(underlying)}`);
  if (!Number.isFinite(expiryUs)) throw new InvalidArgumentError(`invalid 'expiry': not a finite timestamp, was ${expiryUs}`);
  if (!(strike > 0) || !Number.isFinite(strike)) throw new InvalidArgumentError(`invalid 'strike': not a positive finite number, was ${strike}`);
  const date = new Date(Math.floor(expiryUs / 1000)).toISOString().slice(0, 10);
  const r = right === 'call' || right === 1 ? 'C' : 'P';
  return `${underlying} ${date} ${r} ${Number(strike.toPrecision(12))}`;
}

/** The parts of a contract symbol. */
export interface ParsedOptionSymbol {
  readonly underlying: string;
  /** UTC midnight of the expiry date, microseconds. */
  readonly expiryDateUs: number;
  readonly right: OptionRight;
  readonly strike: number;
}

/** Returns the parts of a contract symbol, or null when `symbol` is not one. */
export function parseOptionSymbol(symbol: string): ParsedOptionSymbol | null {
  const m = SYMBOL_RE.exec(symbol);
  if (m === null) return null;
  const ms = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]));
  return { underlying: m[1]!, expiryDateUs: ms * 1000, right: m[5] === 'C' ? 'call' : 'put', strike: Number(m[6]) };
}

/** One contract of a chain as last quoted. Greeks and `iv` are NaN when the data has none. */
export interface OptionQuote {
  readonly symbol: string;
  readonly underlying: string;
  /** Expiry, microseconds. */
  readonly expiry: number;
  readonly strike: number;
  readonly right: OptionRight;
  /** Time of the chain row, microseconds. */
  readonly ts: number;
  readonly bid: number;
  readonly ask: number;
  readonly last: number;
  readonly volume: number;
  readonly openInterest: number;
  readonly iv: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
}

/** The latest chain of one underlying: every contract quoted at the latest chain time `ts`. */
export interface OptionChainView {
  readonly underlying: string;
  /** Time of the latest chain rows, microseconds. */
  readonly ts: number;
  /** Contracts in the order the data lists them. */
  readonly contracts: readonly OptionQuote[];
}

/**
 * Keeps the latest chain snapshot per underlying as rows arrive in time order: rows with a newer
 * timestamp than the current snapshot start a new one; rows with the same timestamp join it. Expired
 * contracts drop out because a newer chain no longer lists them.
 */
export class OptionChainCache {
  private readonly chains = new Map<string, { ts: number; contracts: OptionQuote[]; view: OptionChainView | null }>();

  /** Adds a chain row (call in time order); the cache keeps a frozen copy of it. */
  add(row: OptionQuote): void {
    const frozen = Object.isFrozen(row) ? row : Object.freeze({ ...row });
    const c = this.chains.get(row.underlying);
    if (c === undefined || row.ts > c.ts) {
      this.chains.set(row.underlying, { ts: row.ts, contracts: [frozen], view: null });
      return;
    }
    if (row.ts < c.ts) throw new InvalidArgumentError(`option chain row of '${row.symbol}' at ${row.ts} is older than the chain at ${c.ts}`);
    c.contracts.push(frozen);
    c.view = null;
  }

  /**
   * Returns the latest chain of `underlying`, or null before its first row: a snapshot (a frozen
   * view over a frozen copy of the contracts and frozen rows), so rows that join the chain later,
   * or a newer chain, never change a view already handed out, and writing to it throws. The copy is
   * made once per chain change, not per call.
   */
  chain(underlying: string): OptionChainView | null {
    const c = this.chains.get(underlying);
    if (c === undefined) return null;
    if (c.view === null) c.view = Object.freeze({ underlying, ts: c.ts, contracts: Object.freeze(c.contracts.slice()) });
    return c.view;
  }

  /** Forgets every chain (for a rerun). */
  reset(): void {
    this.chains.clear();
  }
}
