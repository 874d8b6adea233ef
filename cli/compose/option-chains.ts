import { ConfigError } from '../../engine/core/index.js';
import { loadDatasets } from './lazy-datasets.js';
import type { Symbol_ } from '../../engine/core/index.js';
import { optionSymbol } from '../../engine/model/index.js';
import type { OptionInstrument } from '../../engine/model/index.js';
import type { ChainBatch } from '../../sim/backtest/index.js';

/** The option contracts of a run and their chain rows, ready to replay. */
export interface LoadedChains {
  /** Contract symbols, sorted by underlying, expiry, right (calls first) and strike. */
  readonly contracts: readonly string[];
  readonly instruments: readonly OptionInstrument[];
  /** Returns the chain rows as batches whose `symbol` is `offset` + the contract's index. */
  batches(offset: number): ChainBatch[];
  readonly rows: number;
}

const BATCH_ROWS = 8192;

/**
 * Reads the option chains of `underlyings` from dataset `dir` (kind `options`, optional `start`/`end`)
 * into memory (end-of-day chains are small) and names every contract. Throws ConfigError naming
 * `data.options` when none of the underlyings has chains.
 */
export async function loadOptionChains(dir: string, underlyings: readonly string[], range: { start?: number; end?: number }, multiplier: number): Promise<LoadedChains> {
  // DuckDB is loaded when chains are read, not with this module (see lazy-datasets.ts).
  const { readAll } = await loadDatasets();
  const all = await readAll(dir, { kind: 'options', symbols: [...underlyings], ...range });
  if (all.length === 0) throw new ConfigError('data.options', `no option chain rows for ${underlyings.join(', ')} in ${dir}${range.start !== undefined || range.end !== undefined ? ' in the selected range' : ''}`);
  const c = all.columns;
  const n = all.length;
  const rowSymbol: string[] = new Array<string>(n);
  const byName = new Map<string, OptionInstrument>();
  for (let r = 0; r < n; r++) {
    const u = all.symbols[all.symbol[r]!]!;
    const expiry = c.expiry![r]!;
    const strike = c.strike![r]!;
    const right = c.right![r]! > 0 ? 'call' : 'put';
    const s = optionSymbol(u, expiry, right, strike);
    rowSymbol[r] = s;
    const known = byName.get(s);
    if (known === undefined) {
      byName.set(s, { kind: 'option', symbol: s as Symbol_, underlying: u as Symbol_, expiry, strike, right, tickSize: 0.01, lotSize: 1, multiplier });
    } else if (known.expiry !== expiry) {
      throw new ConfigError('data.options', `contract ${s} appears with two expiry times (${known.expiry} and ${expiry}) in ${dir}`);
    }
  }
  const instruments = [...byName.values()].sort(
    (a, b) => (a.underlying < b.underlying ? -1 : a.underlying > b.underlying ? 1 : 0) || a.expiry - b.expiry || (a.right === b.right ? 0 : a.right === 'call' ? -1 : 1) || a.strike - b.strike,
  );
  const index = new Map(instruments.map((x, k) => [x.symbol as string, k]));
  const nan = (name: string): Float64Array => c[name] ?? new Float64Array(n).fill(Number.NaN);
  return {
    contracts: instruments.map((x) => x.symbol),
    instruments,
    rows: n,
    batches(offset: number): ChainBatch[] {
      const out: ChainBatch[] = [];
      for (let from = 0; from < n; from += BATCH_ROWS) {
        const to = Math.min(n, from + BATCH_ROWS);
        const symbol = new Int32Array(to - from);
        for (let r = from; r < to; r++) symbol[r - from] = offset + index.get(rowSymbol[r]!)!;
        const part = (a: Float64Array): Float64Array => a.subarray(from, to);
        out.push({
          length: to - from,
          ts: part(c.ts!),
          symbol,
          bid: part(c.bid!),
          ask: part(c.ask!),
          last: part(c.last!),
          volume: part(c.volume!),
          openInterest: part(c.openInterest!),
          iv: part(nan('iv')),
          delta: part(nan('delta')),
          gamma: part(nan('gamma')),
          vega: part(nan('vega')),
          theta: part(nan('theta')),
        });
      }
      return out;
    },
  };
}
