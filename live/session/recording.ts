import { BOOK_ACTION, BOOK_SIDE, TRADE_SIDE } from '../../datasets/schema.js';
import { writeDataset } from '../../datasets/index.js';
import type { Manifest, TableInput } from '../../datasets/index.js';
import { kindOf, parseFeedMessage } from '../feed/protocol.js';
import type { DataMessage, FeedKind } from '../feed/protocol.js';

/** The dataset columns of each feed kind (datasets/schema.ts KIND_SCHEMAS), filled from the messages. */
const COLUMNS: { readonly [K in FeedKind]: readonly string[] } = {
  bars: ['ts', 'open', 'high', 'low', 'close', 'volume'],
  trades: ['ts', 'price', 'size', 'side'],
  quotes: ['ts', 'bid', 'bidSize', 'ask', 'askSize'],
  book: ['ts', 'side', 'price', 'size', 'action', 'flags'],
};

/** One row's values in {@link COLUMNS} order. A bar is stored at its open time, as imported bars are. */
function rowOf(m: DataMessage): number[] {
  switch (m.type) {
    case 'bar':
      return [m.barTs, m.open, m.high, m.low, m.close, m.volume];
    case 'trade':
      return [m.ts, m.price, m.size, TRADE_SIDE[m.side]];
    case 'quote':
      return [m.ts, m.bid, m.bidSize, m.ask, m.askSize];
    case 'book':
      return [m.ts, BOOK_SIDE[m.side], m.price, m.size, BOOK_ACTION[m.action], m.flags];
  }
}

/**
 * Writes what a live session received (the accepted data messages of its journal, in arrival order)
 * as a dataset at `dir`: one Parquet table per kind and symbol, the catalog layout `data import`
 * writes, so `tapedeck run SCENARIO --set data.bars=DIR` replays the session. Bars are stored at their
 * open time (`barTs`); the replay derives each bar's close as it does for any dataset. `dir` is
 * replaced whole if it holds an earlier recording (the session's own), atomically.
 */
export async function writeRecording(dir: string, lines: Iterable<string>, provenance: Readonly<Record<string, unknown>>): Promise<Manifest | null> {
  const tables = new Map<string, { kind: FeedKind; symbol: string; cols: number[][] }>();
  for (const line of lines) {
    const parsed = parseFeedMessage(line);
    if (!parsed.ok) throw new Error(`the session journal holds a message the feed accepted but cannot be read again: ${parsed.reason}`);
    const m = parsed.message as DataMessage;
    const kind = kindOf(m.type);
    if (kind === null) continue;
    const id = `${kind}/${m.symbol}`;
    let t = tables.get(id);
    if (t === undefined) {
      t = { kind, symbol: m.symbol, cols: COLUMNS[kind].map(() => []) };
      tables.set(id, t);
    }
    const row = rowOf(m);
    for (let c = 0; c < row.length; c++) t.cols[c]!.push(row[c]!);
  }
  if (tables.size === 0) return null;
  const inputs: TableInput[] = [...tables.values()]
    .sort((a, b) => (a.kind === b.kind ? (a.symbol < b.symbol ? -1 : 1) : a.kind < b.kind ? -1 : 1))
    .map((t) => ({ kind: t.kind, symbol: t.symbol, columns: Object.fromEntries(COLUMNS[t.kind].map((name, c) => [name, Float64Array.from(t.cols[c]!)])) }));
  return writeDataset(dir, inputs, provenance, { replace: true });
}
