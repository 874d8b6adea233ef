import { US_PER_DAY, US_PER_MINUTE } from '../../core/index.js';

const MINUTES = 1440;

/**
 * Intraday volume per UTC minute of day, per symbol, for the last few sessions: what VWAP sizes its
 * slices by. A session is a UTC day with any volume; volume is credited to the minute of the bar's
 * open time (or of the print). Only sessions that ended before the current day count, so the profile
 * never includes volume the algorithm could not have known.
 */
export class IntradayVolumeProfile {
  /** Per symbol: sessions oldest first, each [dayStartUs, minute volumes]. */
  private readonly days: { day: number; volume: Float64Array }[][];

  constructor(
    symbolCount: number,
    /** Sessions kept per symbol (the largest `sessions` any algorithm asks for). */
    private readonly keep: number,
  ) {
    this.days = Array.from({ length: symbolCount }, () => []);
  }

  /** Adds `volume` traded at `ts` (call in time order). */
  add(symbolIndex: number, ts: number, volume: number): void {
    if (!(volume > 0)) return;
    const list = this.days[symbolIndex]!;
    const day = Math.floor(ts / US_PER_DAY) * US_PER_DAY;
    let cur = list[list.length - 1];
    if (cur === undefined || cur.day !== day) {
      cur = { day, volume: new Float64Array(MINUTES) };
      list.push(cur);
      if (list.length > this.keep + 1) list.shift();
    }
    const m = Math.floor((ts - day) / US_PER_MINUTE);
    cur.volume[m] = cur.volume[m]! + volume;
  }

  /**
   * Returns the volume of each of `parts` slices of `sliceUs` starting at time of day `ts` mod 1 day,
   * summed over the last `sessions` sessions before `ts`'s day (a minute belongs to the slice its
   * start falls in; slices past midnight wrap to the next day's minutes). All zeros without history.
   */
  weights(symbolIndex: number, ts: number, sliceUs: number, parts: number, sessions: number): number[] {
    const out = new Array<number>(parts).fill(0);
    const today = Math.floor(ts / US_PER_DAY) * US_PER_DAY;
    const tod = ts - today;
    const list = this.days[symbolIndex]!;
    let used = 0;
    for (let d = list.length - 1; d >= 0 && used < sessions; d--) {
      const s = list[d]!;
      if (s.day >= today) continue;
      used++;
      for (let j = 0; j < parts; j++) {
        const from = tod + j * sliceUs;
        const to = from + sliceUs;
        const m0 = Math.ceil(from / US_PER_MINUTE);
        const m1 = Math.ceil(to / US_PER_MINUTE);
        for (let m = m0; m < m1; m++) out[j]! += s.volume[m % MINUTES]!;
      }
    }
    return out;
  }
}
