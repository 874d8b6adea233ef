import type { EquityWatcher } from '../../engine/kernel/trading-engine.js';
import { OptionChainCache } from '../../engine/model/index.js';
import type { AuditEntry, ChainBatch, OptionInstrument } from '../../engine/model/index.js';
import { OptionBook } from '../../engine/portfolio/index.js';
import type { Greeks, OptionPricingParams, Portfolio } from '../../engine/portfolio/index.js';
import type { Recorder } from '../../engine/ports/recorder.js';

export type { ChainBatch } from '../../engine/model/index.js';

/** The option side of a backtest: the contracts among the run's symbols and the pricing inputs. */
export interface OptionReplayConfig {
  /** Per run symbol: its option instrument, or null for an underlying or other symbol. */
  readonly instruments: readonly (OptionInstrument | null)[];
  readonly pricing: OptionPricingParams;
}

/** Net Greeks of one underlying at one time. */
export interface GreekSample {
  readonly ts: number;
  readonly underlying: string;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
}

/** The option-specific figures of a run. */
export interface OptionsRunSummary {
  readonly contracts: number;
  readonly chainRows: number;
  /** Chain rows also delivered as quotes (both sides positive); the rest only mark and feed the chain view. */
  readonly quotedRows: number;
  readonly settlements: readonly AuditEntry[];
  /** Net Greeks per underlying at the end of the run. */
  readonly finalGreeks: Readonly<Record<string, Greeks>>;
  /** Net Greeks per underlying at each equity sample. */
  readonly greeks: readonly GreekSample[];
  readonly rate: number;
  readonly dividendYield: number;
}

/** Size given to chain quotes, which carry none: option orders fill in full at the touch. */
export const CHAIN_QUOTE_SIZE = 1e9;

/**
 * Drives the options of a backtest: keeps the {@link OptionBook} (marks, iv, Greeks, settlement) and
 * the {@link OptionChainCache} strategies read through `ctx.chain`, settles expired contracts on every
 * time advance, and samples net Greeks with each equity sample.
 */
export class OptionReplay {
  readonly book: OptionBook;
  readonly cache = new OptionChainCache();
  private readonly settlements: AuditEntry[] = [];
  private readonly samples: GreekSample[] = [];
  chainRows = 0;
  quotedRows = 0;

  constructor(
    private readonly config: OptionReplayConfig,
    portfolio: Portfolio,
    private readonly symbols: readonly string[],
    private readonly ledgerIds: readonly string[],
    private readonly recorder: Recorder,
  ) {
    this.book = new OptionBook(portfolio, symbols, config.instruments, config.pricing);
  }

  /** Settles the contracts expired by `ts` (cheap when none is due). */
  settle(ts: number): void {
    if (ts < this.book.nextExpiryTs) return;
    for (const e of this.book.settleExpired(ts, this.ledgerIds)) {
      this.settlements.push(e);
      this.recorder.onAudit(e);
    }
  }

  /**
   * Takes in chain row `r` of `b`: marks and iv in the book, the row in the chain view. Returns true
   * when the row is a two-sided quote the venue and strategies should see.
   */
  onRow(b: ChainBatch, r: number): boolean {
    const i = b.symbol[r]!;
    const inst = this.config.instruments[i]!;
    const ts = b.ts[r]!;
    this.book.onChainQuote(i, ts, b.bid[r]!, b.ask[r]!, b.iv[r]!);
    this.cache.add({
      symbol: this.symbols[i]!,
      underlying: inst.underlying,
      expiry: inst.expiry,
      strike: inst.strike,
      right: inst.right,
      ts,
      bid: b.bid[r]!,
      ask: b.ask[r]!,
      last: b.last[r]!,
      volume: b.volume[r]!,
      openInterest: b.openInterest[r]!,
      iv: b.iv[r]!,
      delta: b.delta[r]!,
      gamma: b.gamma[r]!,
      vega: b.vega[r]!,
      theta: b.theta[r]!,
    });
    this.chainRows++;
    const quoted = b.bid[r]! > 0 && b.ask[r]! > b.bid[r]!;
    if (quoted) this.quotedRows++;
    return quoted;
  }

  /** An equity watcher that samples the net Greeks per underlying. */
  watcher(): EquityWatcher {
    return {
      onEquity: (ts) => {
        for (const [underlying, g] of Object.entries(this.book.greeksByUnderlying(ts))) this.samples.push({ ts, underlying, ...g });
      },
    };
  }

  /** Returns the run's option figures at `now`. */
  summary(now: number): OptionsRunSummary {
    return {
      contracts: this.config.instruments.filter((x) => x !== null).length,
      chainRows: this.chainRows,
      quotedRows: this.quotedRows,
      settlements: this.settlements,
      finalGreeks: this.book.greeksByUnderlying(now),
      greeks: this.samples,
      rate: this.config.pricing.rate,
      dividendYield: this.config.pricing.dividendYield,
    };
  }

  /** The option assumptions in force, for the report. */
  assumptions(): string[] {
    return [
      'Option contracts are named "UNDERLYING YYYY-MM-DD C|P STRIKE"; one contract is `multiplier` units of the underlying',
      'Options are valued at the chain mid x multiplier; chain rows with a positive bid are quotes (buys at the ask, sells at the bid) of unlimited size',
      `Greeks are Black-Scholes-Merton at the underlying's last price, the chain iv (else implied from the mid), rate ${this.config.pricing.rate}, dividend yield ${this.config.pricing.dividendYield}, 365.25-day years`,
      "Contracts still held at expiry settle in cash at intrinsic value against the underlying's last price at the first event at or after the expiry time (European, no early exercise)",
    ];
  }
}
