import type { StrategyIntents } from '../../kernel/decision-pipeline.js';
import type { Signal } from '../../model/events.js';
import { SetupHistory } from '../adaptive/signal-quality.js';
import { strategyStats } from '../adaptive/performance-stats.js';
import type { StrategyStats } from '../adaptive/performance-stats.js';
import type { AttributedTrade } from '../adaptive/decomposition.js';
import { ShadowBook } from '../shadow-book.js';

/** One (strategy, symbol) sleeve of the strategies x assets allocation: strategy k's book in symbol i. */
export interface SleeveCell {
  readonly strategy: number;
  readonly symbol: number;
}

/**
 * Stage 1 of the decision pipeline under an ensemble: collects what each strategy asks for. Each
 * strategy trades its own shadow ledger (a {@link ShadowBook} that starts with the run's capital and
 * fills at the next open), so its targets, equity and closed trades are its own; its latest signal
 * per symbol is kept for the vote. Marks which symbols got a new target (allocation) or a new
 * signal (voting) since the last bar, records every sample of the books' equity, and attributes
 * the books' closed trades to the regime they closed in (the setup history signal quality reads).
 */
export class SignalCollection implements StrategyIntents {
  readonly books: ShadowBook[];
  /** Per strategy: its book's equity at every sample. */
  readonly equityHistory: number[][];
  /** Per symbol: 1 when a strategy set a target since the last bar close. */
  readonly targetsChanged: Uint8Array;
  /** Per symbol: 1 when a strategy signalled since the last bar close. */
  readonly signalsChanged: Uint8Array;
  /** Wins and losses of the strategies' setups (strategy, symbol, direction, regime). */
  readonly history = new SetupHistory();
  private readonly latest: (Signal | null)[][];
  private readonly processedTrades: number[];
  private readonly tradeRegime: Map<string, string>[];
  /** Equity samples so far. */
  samples = 0;
  /** The (strategy, symbol) sleeves whose P&L is sampled (see {@link trackSleeves}); empty: none. */
  private sleeves: readonly SleeveCell[] = [];
  /** Per sleeve: the sleeve's cumulative P&L at every sample. */
  private sleevePnl: number[][] = [];
  /** Per sleeve: the number of sleeves of its strategy (its book's capital is split over them). */
  private sleeveShare: Float64Array = new Float64Array(0);

  constructor(
    readonly ids: readonly string[],
    readonly symbols: readonly string[],
    initialCash: number,
    shadowCostBps: number,
  ) {
    const n = symbols.length;
    this.books = ids.map(() => new ShadowBook(n, initialCash, shadowCostBps));
    this.equityHistory = ids.map(() => []);
    this.targetsChanged = new Uint8Array(n);
    this.signalsChanged = new Uint8Array(n);
    this.latest = symbols.map(() => ids.map(() => null));
    this.processedTrades = ids.map(() => 0);
    this.tradeRegime = ids.map(() => new Map());
  }

  get strategyCount(): number {
    return this.ids.length;
  }
  targetOf(k: number, i: number): number {
    return this.books[k]!.targetOf(i);
  }
  bookEquity(k: number): number {
    return this.books[k]!.equity();
  }
  latestSignals(i: number): readonly (Signal | null)[] {
    return this.latest[i]!;
  }

  setTarget(k: number, i: number, units: number): void {
    this.books[k]!.setTarget(i, units);
    this.targetsChanged[i] = 1;
  }

  signal(k: number, signal: Signal): void {
    const i = this.symbols.indexOf(signal.symbol);
    this.latest[i]![k] = signal;
    this.signalsChanged[i] = 1;
  }

  /** Fills the books' pending targets at the bar's open and marks them at its close. */
  onBar(i: number, ts: number, open: number, close: number): void {
    for (const b of this.books) b.onBar(i, ts, open, close);
  }

  /** Clears symbol i's change marks (after its bar was decided). */
  clearChanges(i: number): void {
    this.targetsChanged[i] = 0;
    this.signalsChanged[i] = 0;
  }

  /**
   * Samples the P&L of each (strategy, symbol) sleeve from now on (call before the first sample):
   * the strategies x assets allocation (weighting kind strategy_asset) reads their returns.
   */
  trackSleeves(cells: readonly SleeveCell[]): void {
    this.sleeves = cells;
    this.sleevePnl = cells.map(() => []);
    const perStrategy = new Float64Array(this.books.length);
    for (const c of cells) perStrategy[c.strategy] = perStrategy[c.strategy]! + 1;
    this.sleeveShare = Float64Array.from(cells, (c) => perStrategy[c.strategy]!);
  }

  /** Records every book's equity (one sample), and each tracked sleeve's P&L. */
  sampleEquity(): void {
    this.samples++;
    for (let k = 0; k < this.books.length; k++) this.equityHistory[k]!.push(this.books[k]!.equity());
    for (let c = 0; c < this.sleeves.length; c++) {
      const cell = this.sleeves[c]!;
      this.sleevePnl[c]!.push(this.books[cell.strategy]!.symbolPnl(cell.symbol));
    }
  }

  /**
   * The tracked sleeves' per-sample returns over the last `window` samples: rows = samples, columns
   * = sleeves. Sleeve (k, i) holds strategy k's position in symbol i with 1/m_k of the book's
   * capital (m_k: the strategy's sleeves), so its return is m_k x its P&L over the period / the
   * book's equity at the period's start: equal sleeve weights w_k / m_k earn exactly the book's return.
   */
  sleeveReturnsWindow(window: number): number[][] {
    const t = this.samples;
    const from = Math.max(1, t - window);
    const rows: number[][] = [];
    for (let s = from; s < t; s++) {
      const row: number[] = [];
      for (let c = 0; c < this.sleeves.length; c++) {
        const e = this.equityHistory[this.sleeves[c]!.strategy]![s - 1]!;
        const p = this.sleevePnl[c]!;
        row.push(e > 0 ? (this.sleeveShare[c]! * (p[s]! - p[s - 1]!)) / e : 0);
      }
      rows.push(row);
    }
    return rows;
  }

  /** Attributes the books' trades closed since the last call to `regime`, and records them in the setup history. */
  attributeTrades(regime: string): void {
    this.books.forEach((b, k) => {
      for (let t = this.processedTrades[k]!; t < b.trades.length; t++) {
        const tr = b.trades[t]!;
        this.history.record(this.ids[k]!, this.symbols[tr.symbolIndex]!, tr.direction, regime, tr.pnl > 0);
        this.tradeRegime[k]!.set(String(t), regime);
      }
      this.processedTrades[k] = b.trades.length;
    });
  }

  /** Each strategy's statistics over its last `window` + 1 equity samples and all its closed trades. */
  stats(window: number, periodsPerYear: number): Record<string, StrategyStats> {
    const out: Record<string, StrategyStats> = {};
    const from = Math.max(0, this.samples - window - 1);
    this.ids.forEach((id, k) => {
      out[id] = strategyStats(this.equityHistory[k]!.slice(from), this.books[k]!.trades.map((t) => t.pnl), periodsPerYear);
    });
    return out;
  }

  /** The books' per-sample returns over the last `window` samples: rows = samples, columns = strategies. */
  returnsWindow(window: number): number[][] {
    const t = this.samples;
    const from = Math.max(1, t - window);
    const rows: number[][] = [];
    for (let s = from; s < t; s++) {
      rows.push(this.equityHistory.map((h) => (h[s - 1]! > 0 ? h[s]! / h[s - 1]! - 1 : 0)));
    }
    return rows;
  }

  /** Every book's closed trades with the regime each closed in (`fallbackRegime` for trades not yet attributed). */
  attributedTrades(fallbackRegime: string): AttributedTrade[] {
    const trades: AttributedTrade[] = [];
    this.ids.forEach((id, k) => {
      this.books[k]!.trades.forEach((t, j) => trades.push({ strategyId: id, symbol: this.symbols[t.symbolIndex]!, regime: this.tradeRegime[k]!.get(String(j)) ?? fallbackRegime, pnl: t.pnl }));
    });
    return trades;
  }
}
