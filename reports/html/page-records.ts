import { formatIsoUs } from '../../engine/core/index.js';
import { reportTrade, runRecordsOf } from '../run-report.js';
import type { ReportTrade, RunReport, RunReportInput } from '../run-report.js';

/**
 * The fills and round trips the page reads: the run's own records when the report was just built from
 * them (runRecordsOf: times as numbers, one object per record already held by the result), else the
 * report's lists (read back from its tables, or a report of another origin). The page sums and counts
 * over every record, and turns into text only those it draws or lists, so that a run of 100,000 round
 * trips does not build its report's lists (an object and ISO-8601 times per record) for the page.
 */

/** A round trip as the page reads it: the run's (times as numbers) or the report's (times as ISO-8601). */
export type PageTrade = ReportTrade | RunReport['trades'][number];

/** A fill as the page reads it: the run's or the report's (with its time as ISO-8601). */
export type PageFill = RunReportInput['fills'][number] | RunReport['fills'][number];

/** The round trips of `report` as the page reads them, in the report's order. */
export function pageTrades(report: RunReport): readonly PageTrade[] {
  return runRecordsOf(report)?.trades ?? report.trades;
}

/** The fills of `report` as the page reads them, in the report's order. */
export function pageFills(report: RunReport): readonly PageFill[] {
  return runRecordsOf(report)?.fills ?? report.fills;
}

/** The round trip as the report lists it (the same object when it already is). */
export function asReportTrade(t: PageTrade): RunReport['trades'][number] {
  return 'entryTime' in t ? t : reportTrade(t);
}

/** The fill's time as the report writes it (ISO-8601). */
export function fillTime(f: PageFill): string {
  return 'time' in f ? f.time : formatIsoUs(f.ts);
}

/** A round trip's exit: as text (the report's) or as a number (the run's). */
export type ExitTimed = { readonly exitTime: string } | { readonly exitTs: number };

/** The round trip's exit time as the report writes it (ISO-8601). */
export function exitTime(t: ExitTimed): string {
  return 'exitTime' in t ? t.exitTime : formatIsoUs(t.exitTs);
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
