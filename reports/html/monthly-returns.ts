/** The return of one calendar month (UTC) of an equity curve. */
export interface MonthlyReturn {
  readonly year: number;
  /** 1 = January. */
  readonly month: number;
  /** E(last bar of the month) / E(last bar of the previous month) - 1; null when the base is not positive. */
  readonly value: number | null;
}

/** Compounded returns of one calendar year (UTC), over the months the run covers. */
export interface YearlyReturn {
  readonly year: number;
  readonly value: number | null;
}

const US_PER_MS = 1000;

/**
 * Returns the monthly returns of an equity curve: each UTC calendar month's return is its last equity
 * value over the previous month's last value, minus one; the first month is measured from the first
 * equity value (the start of the run), so the months compound to the whole-run return. A month without
 * bars does not appear. `ts` is in microseconds.
 */
export function monthlyReturns(ts: ArrayLike<number>, equity: ArrayLike<number>): MonthlyReturn[] {
  const n = equity.length;
  const out: MonthlyReturn[] = [];
  if (n === 0) return out;
  const month = new MonthKeys();
  let base = equity[0]!;
  let key = month.of(ts[0]!);
  for (let i = 1; i <= n; i++) {
    const k = i < n ? month.of(ts[i]!) : -1;
    if (k !== key) {
      const last = equity[i - 1]!;
      out.push({ year: Math.floor(key / 12), month: (key % 12) + 1, value: base > 0 ? last / base - 1 : null });
      base = last;
      key = k;
    }
  }
  return out;
}

/** Returns each year's compounded return from the monthly returns (null when any month of it is null). */
export function yearlyReturns(months: readonly MonthlyReturn[]): YearlyReturn[] {
  const byYear = new Map<number, number | null>();
  for (const m of months) {
    const acc = byYear.has(m.year) ? byYear.get(m.year)! : 1;
    byYear.set(m.year, acc === null || m.value === null ? null : acc * (1 + m.value));
  }
  return [...byYear].map(([year, g]) => ({ year, value: g === null ? null : g - 1 }));
}

function monthKey(tsUs: number): number {
  const d = new Date(Math.floor(tsUs / US_PER_MS));
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/**
 * monthKey of times in order: the month of the last time asked is kept with its bounds in microseconds, so
 * that a curve of thousands of samples a month makes a date once a month rather than once a sample.
 */
class MonthKeys {
  private key = Number.NaN;
  private from = 0;
  private to = 0;

  of(tsUs: number): number {
    if (tsUs >= this.from && tsUs < this.to) return this.key;
    this.key = monthKey(tsUs);
    const year = Math.floor(this.key / 12);
    // Date.UTC reads the years 0 to 99 as 1900 to 1999: those months (and invalid times) are not kept.
    if (year >= 100) {
      const month = this.key - year * 12;
      this.from = Date.UTC(year, month, 1) * US_PER_MS;
      this.to = Date.UTC(year, month + 1, 1) * US_PER_MS;
    } else this.to = this.from;
    return this.key;
  }
}
