import { formatIsoUs } from '../../engine/core/index.js';
import type { FillColumns, TradeColumns } from '../../engine/kernel/run-result.js';
import { reportTrade, runRecordsOf } from '../run-report.js';
import type { ReportTrade, RunReport, RunReportInput } from '../run-report.js';

/**
 * The fills and round trips the page reads, row by row: the run's own columns when the report was built
 * from a run that kept them (runRecordsOf(report).columns), else the run's lists the report was built from
 * (runRecordsOf: times as numbers), else the report's lists (read back from its tables, or a report of
 * another origin). The page sums and counts over every row, and turns into objects and text only the rows
 * it draws or lists, so that a run of 100,000 round trips builds no object per record for its page:
 * rendered beside DuckDB writing the run's tables, a list of objects per record sat on top of DuckDB's
 * memory, the run's peak.
 */

/** The run's round trips as the page reads them, row i being the report's `trades[i]`. */
export interface PageTrades {
  readonly length: number;
  symbolAt(i: number): string;
  strategyIdAt(i: number): string;
  /**
   * Round trip i as the report lists it (entry and exit times as ISO-8601): built on its first read and kept (the
   * trade list and the price pane's markers read some of the same rows), or the report's own.
   */
  tradeAt(i: number): RunReport['trades'][number];
  /** Round trip i's entry time in milliseconds, as Date.parse reads the time tradeAt(i) gives. */
  entryMsAt(i: number): number;
  /** Round trip i's exit time in milliseconds, as Date.parse reads the time tradeAt(i) gives. */
  exitMsAt(i: number): number;
  /** What attribution reads of round trip i (see attribution.ts): a small object, or the list's own. */
  attributedAt(i: number): AttributedRow;
  /** Round trip i's side. */
  sideAt(i: number): 'long' | 'short';
  /** A numeric field of every round trip (read it, never write it). */
  column(field: TradeNumber): ArrayLike<number>;
  /**
   * Round trip i's entry (member 0) or exit (member 1) time in microseconds, or NaN when the report holds it only as
   * text that no whole number of microseconds gives (formatIsoUs would not write that text back).
   */
  timeUsAt(i: number, member: 0 | 1): number;
}

/** The numeric fields of a round trip that the trade list shows. */
export type TradeNumber = 'qty' | 'entryPrice' | 'exitPrice' | 'pnl' | 'returnPct' | 'commission';

/** The run's fills as the page reads them, row i being the report's `fills[i]`. */
export interface PageFills {
  readonly length: number;
  /** A numeric field of every fill (read it, never write it). */
  column(field: 'ts' | 'qty' | 'price'): ArrayLike<number>;
  symbolAt(i: number): string;
  sideAt(i: number): 'buy' | 'sell';
  /** The fill's time as the report writes it (ISO-8601). */
  timeAt(i: number): string;
}

/** What per-strategy attribution reads of a round trip: its strategy, net PnL, commission and exit time. */
export type AttributedRow = { readonly strategyId: string; readonly pnl: number; readonly commission: number } & ExitTimed;

/**
 * The round trips of `report` as the page reads them, in the report's order: one view per report, so that the
 * sections that read a round trip (the trade list, the markers) share the one built.
 */
export function pageTrades(report: RunReport): PageTrades {
  let view = TRADE_VIEWS.get(report);
  if (view === undefined) {
    const run = runRecordsOf(report);
    view = run?.columns ? tradeColumnsView(run.columns.trades) : tradeListView(run?.trades ?? report.trades);
    TRADE_VIEWS.set(report, view);
  }
  return view;
}

/** The view of each report's round trips (see pageTrades). */
const TRADE_VIEWS = new WeakMap<RunReport, PageTrades>();

/** The fills of `report` as the page reads them, in the report's order. */
export function pageFills(report: RunReport): PageFills {
  const run = runRecordsOf(report);
  if (run?.columns) return fillColumnsView(run.columns.fills);
  return fillListView(run?.fills ?? report.fills);
}

function tradeColumnsView(t: TradeColumns): PageTrades {
  // Views of the log's columns, taken once.
  const qty = t.column('qty');
  const entryTs = t.column('entryTs');
  const entryPrice = t.column('entryPrice');
  const exitTs = t.column('exitTs');
  const exitPrice = t.column('exitPrice');
  const pnl = t.column('pnl');
  const returnPct = t.column('returnPct');
  const commission = t.column('commission');
  const built: RunReport['trades'][number][] = [];
  const iso = new IsoMemo();
  return {
    length: t.length,
    symbolAt: (i) => t.symbolAt(i),
    strategyIdAt: (i) => t.strategyIdAt(i),
    tradeAt: (i) => {
      const done = built[i];
      if (done !== undefined) return done;
      // A reversal's entry is the previous round trip's exit: its text, when that one is built.
      const prev = built[i - 1];
      if (prev !== undefined) iso.keep(exitTs[i - 1]!, prev.exitTime);
      return (built[i] = reportTrade(
        {
          symbol: t.symbolAt(i),
          strategyId: t.strategyIdAt(i),
          side: t.sideAt(i),
          qty: qty[i]!,
          entryTs: entryTs[i]!,
          entryPrice: entryPrice[i]!,
          exitTs: exitTs[i]!,
          exitPrice: exitPrice[i]!,
          pnl: pnl[i]!,
          returnPct: returnPct[i]!,
          commission: commission[i]!,
        },
        iso.text,
      ));
    },
    entryMsAt: (i) => isoMs(entryTs[i]!),
    exitMsAt: (i) => isoMs(exitTs[i]!),
    attributedAt: (i) => ({ strategyId: t.strategyIdAt(i), pnl: pnl[i]!, commission: commission[i]!, exitTs: exitTs[i]! }),
    sideAt: (i) => t.sideAt(i),
    column: (field) => ({ qty, entryPrice, exitPrice, pnl, returnPct, commission })[field],
    timeUsAt: (i, member) => (member === 0 ? entryTs[i]! : exitTs[i]!),
  };
}

/**
 * formatIsoUs that keeps its last time and text: a round trip's entry is most often the previous one's exit (a
 * reversal), so the trade list's rows in order format each time once.
 */
class IsoMemo {
  private last = Number.NaN;
  private lastText = '';

  /** The text of `ts` (formatIsoUs). */
  readonly text = (ts: number): string => {
    if (ts !== this.last) {
      this.lastText = formatIsoUs(ts);
      this.last = ts;
    }
    return this.lastText;
  };

  /** Makes `text` (formatIsoUs(ts), made before) the one kept. */
  keep(ts: number, text: string): void {
    this.last = ts;
    this.lastText = text;
  }
}

/**
 * A time in microseconds in milliseconds as Date.parse reads its ISO-8601 text (formatIsoUs): a whole millisecond
 * is that number (the text is toISOString's, which Date.parse reads back exactly), anything else is read from the text.
 */
export function isoMs(ts: number): number {
  return ts % 1000 === 0 ? ts / 1000 : Date.parse(formatIsoUs(ts));
}

/** A round trip of a list the page reads: the run's (times as numbers) or the report's (times as ISO-8601). */
type ListedTrade = ReportTrade | RunReport['trades'][number];

function tradeListView(list: readonly ListedTrade[]): PageTrades {
  listed(list, 'trades');
  const built: RunReport['trades'][number][] = [];
  const numbers = new Map<TradeNumber, Float64Array>();
  const iso = new IsoMemo();
  return {
    length: list.length,
    symbolAt: (i) => list[i]!.symbol,
    strategyIdAt: (i) => list[i]!.strategyId,
    tradeAt(i) {
      const t = list[i]!;
      if ('entryTime' in t) return t;
      const done = built[i];
      if (done !== undefined) return done;
      // As the columns' view does: a reversal's entry is the previous exit's text, when that one is built.
      const prev = built[i - 1];
      if (prev !== undefined) iso.keep((list[i - 1] as ReportTrade).exitTs, prev.exitTime);
      return (built[i] = reportTrade(t, iso.text));
    },
    entryMsAt(i) {
      const t = list[i]!;
      return 'entryTime' in t ? Date.parse(t.entryTime) : isoMs(t.entryTs);
    },
    exitMsAt(i) {
      const t = list[i]!;
      return 'exitTime' in t ? Date.parse(t.exitTime) : isoMs(t.exitTs);
    },
    attributedAt: (i) => list[i]!,
    sideAt: (i) => list[i]!.side,
    column(field) {
      let values = numbers.get(field);
      if (values === undefined) {
        values = new Float64Array(list.length);
        for (let i = 0; i < list.length; i++) values[i] = list[i]![field];
        numbers.set(field, values);
      }
      return values;
    },
    timeUsAt(i, member) {
      const t = list[i]!;
      if ('entryTime' in t) return usOfIso(member === 0 ? t.entryTime : t.exitTime);
      return member === 0 ? t.entryTs : t.exitTs;
    },
  };
}

/** The time in microseconds whose formatIsoUs is `text`, or NaN when there is none (see PageTrades.timeUsAt). */
function usOfIso(text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return Number.NaN;
  // The microseconds past the millisecond: the three digits formatIsoUs writes after toISOString's milliseconds.
  const sub = /\.\d{3}(\d{3})Z$/.exec(text);
  const ts = ms * 1000 + (sub ? Number(sub[1]) : 0);
  return Number.isSafeInteger(ts) && formatIsoUs(ts) === text ? ts : Number.NaN;
}

function fillColumnsView(f: FillColumns): PageFills {
  const numbers = { ts: f.column('ts'), qty: f.column('qty'), price: f.column('price') };
  return {
    length: f.length,
    column: (field) => numbers[field],
    symbolAt: (i) => f.symbolAt(i),
    sideAt: (i) => f.sideAt(i),
    timeAt: (i) => formatIsoUs(numbers.ts[i]!),
  };
}

/** A fill of a list the page reads: the run's or the report's (with its time as ISO-8601). */
type ListedFill = RunReportInput['fills'][number] | RunReport['fills'][number];

function fillListView(list: readonly ListedFill[]): PageFills {
  listed(list, 'fills');
  const numbers = { ts: new Float64Array(list.length), qty: new Float64Array(list.length), price: new Float64Array(list.length) };
  for (let i = 0; i < list.length; i++) {
    const f = list[i]!;
    numbers.ts[i] = f.ts;
    numbers.qty[i] = f.qty;
    numbers.price[i] = f.price;
  }
  return {
    length: list.length,
    column: (field) => numbers[field],
    symbolAt: (i) => list[i]!.symbol,
    sideAt: (i) => list[i]!.side,
    timeAt(i) {
      const f = list[i]!;
      return 'time' in f ? f.time : formatIsoUs(f.ts);
    },
  };
}

/** Refuses a report whose records are not a list (a report of an unexpected shape): its page cannot be drawn. */
function listed(list: unknown, name: string): void {
  if (!Array.isArray(list)) throw new TypeError(`the report's ${name} are not a list`);
}

/** A round trip's exit: as text (the report's) or as a number (the run's). */
export type ExitTimed = { readonly exitTime: string } | { readonly exitTs: number };

/** The round trip's exit time as the report writes it (ISO-8601). */
export function exitTime(t: ExitTimed): string {
  return 'exitTime' in t ? t.exitTime : formatIsoUs(t.exitTs);
}

/** The round trip's exit time in milliseconds, as Date.parse reads the text exitTime gives (see isoMs). */
export function exitMs(t: ExitTimed): number {
  return 'exitTime' in t ? Date.parse(t.exitTime) : isoMs(t.exitTs);
}

/** Milliseconds of the years 0000 to 9999, whose ISO-8601 texts (formatIsoUs) have one width up to the millisecond. */
const FIXED_WIDTH_MS: readonly [number, number] = [-62167219200000, 253402300799999];

/**
 * Orders two round trips by their exit time as the report writes it (ISO-8601 text, compared as text:
 * a time with microseconds sorts before the whole millisecond it falls in). Run records compare by
 * their numbers where that gives the same order (whole microseconds in the years 0000 to 9999), so a sort formats no time.
 */
export function compareExitTime(a: ExitTimed, b: ExitTimed): number {
  if (!('exitTime' in a) && !('exitTime' in b)) {
    if (a.exitTs === b.exitTs) return 0;
    const x = Math.floor(a.exitTs / 1000);
    const y = Math.floor(b.exitTs / 1000);
    if (x >= FIXED_WIDTH_MS[0] && y >= FIXED_WIDTH_MS[0] && x <= FIXED_WIDTH_MS[1] && y <= FIXED_WIDTH_MS[1]) {
      if (x !== y) return x < y ? -1 : 1;
      // The same millisecond: its microseconds (three digits, then 'Z') sort before the whole millisecond ('Z').
      const u = a.exitTs - x * 1000;
      const v = b.exitTs - y * 1000;
      if (Number.isInteger(u) && Number.isInteger(v)) return u === 0 ? 1 : v === 0 ? -1 : u < v ? -1 : 1;
    }
  }
  const s = exitTime(a);
  const u = exitTime(b);
  return s < u ? -1 : s > u ? 1 : 0;
}
