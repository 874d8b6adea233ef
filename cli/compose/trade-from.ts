import { ConfigError, parseIsoUs } from '../../engine/core/index.js';

/**
 * The scenario's `engine.tradeFrom` (ISO) as the replay option `tradeFromUs` of runBacktest and
 * runL2Replay: spread it into their config (`...tradeFromOption(scenario.engine)`); empty when the
 * scenario has none, so a run without it is unchanged.
 */
export function tradeFromOption(engine: { readonly tradeFrom?: string | undefined }): { tradeFromUs?: number } {
  return engine.tradeFrom === undefined ? {} : { tradeFromUs: parseIsoUs(engine.tradeFrom, 'engine.tradeFrom') };
}

/**
 * Refuses an `engine.tradeFrom` that could not change the run: at or before `data.start` (nothing
 * before it to warm up on) or at or after `data.end` (nothing left to trade). Without data.start or
 * data.end the dataset's own range decides, at run time.
 */
export function checkTradeFrom(s: { readonly engine: { readonly tradeFrom?: string | undefined }; readonly data: { readonly start?: string | undefined; readonly end?: string | undefined } }, file: string): void {
  const text = s.engine.tradeFrom;
  if (text === undefined) return;
  let at: number;
  try {
    at = parseIsoUs(text, 'engine.tradeFrom');
  } catch (err) {
    throw new ConfigError('engine.tradeFrom', `${(err as Error).message} (in ${file})`);
  }
  if (s.data.start !== undefined && at <= parseIsoUs(s.data.start, 'data.start')) {
    throw new ConfigError('engine.tradeFrom', `is not after data.start (${s.data.start}), so no bar would be replayed before trading starts: remove it or move data.start earlier, was ${text} (in ${file})`);
  }
  if (s.data.end !== undefined && at >= parseIsoUs(s.data.end, 'data.end')) {
    throw new ConfigError('engine.tradeFrom', `is not before data.end (${s.data.end}), so nothing would be traded, was ${text} (in ${file})`);
  }
}
