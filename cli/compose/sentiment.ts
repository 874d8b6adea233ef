import { ConfigError } from '../../engine/core/index.js';
import type { SentimentBatch } from '../../engine/model/index.js';
import { loadDatasets } from './lazy-datasets.js';

/** The sentiment scores of a run (scenario `data.sentiment`), read into memory, ready to replay. */
export interface LoadedSentiment {
  /** Rows in the run's range. */
  readonly rows: number;
  /** The run's symbols that have scores. */
  readonly symbols: readonly string[];
  /** The rows as batches in (ts, symbol) order; `symbol` is the index among the run's symbols. */
  readonly batches: readonly SentimentBatch[];
}

const BATCH_ROWS = 8192;

/**
 * Reads the sentiment of `symbols` (the run's symbols, in their order) from dataset `dir` (kind
 * `sentiment`, optional `start`/`end`) into memory: a score series is a row per bar or per news item,
 * small beside the tape. Throws ConfigError naming `data.sentiment` when none of the symbols has any.
 */
export async function loadSentiment(dir: string, source: string, symbols: readonly string[], available: readonly string[], range: { start?: number; end?: number }): Promise<LoadedSentiment> {
  const wanted = symbols.filter((s) => available.includes(s));
  if (wanted.length === 0) throw new ConfigError('data.sentiment', `no sentiment for ${symbols.join(', ')} in ${source} (it has ${available.join(', ') || 'none'})`);
  // DuckDB is loaded when the scores are read, not with this module (see lazy-datasets.ts).
  const { readAll } = await loadDatasets();
  const all = await readAll(dir, { kind: 'sentiment', symbols: wanted, ...range });
  const n = all.length;
  const index = all.symbols.map((s) => symbols.indexOf(s));
  const c = all.columns;
  const batches: SentimentBatch[] = [];
  for (let from = 0; from < n; from += BATCH_ROWS) {
    const to = Math.min(n, from + BATCH_ROWS);
    const symbol = new Int32Array(to - from);
    for (let r = from; r < to; r++) symbol[r - from] = index[all.symbol[r]!]!;
    batches.push({
      length: to - from,
      ts: c.ts!.slice(from, to),
      symbol,
      score: c.score!.slice(from, to),
      mentions: c.mentions !== undefined ? c.mentions.slice(from, to) : new Float64Array(to - from).fill(Number.NaN),
    });
  }
  return { rows: n, symbols: wanted, batches };
}
