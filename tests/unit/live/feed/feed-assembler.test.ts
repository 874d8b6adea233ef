import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../../../../live/clock.js';
import { FeedAssembler } from '../../../../live/feed/feed-assembler.js';
import { JsonlFeed } from '../../../../live/feed/jsonl-feed.js';
import type { BarBatch, QuoteBatch, TradeBatch } from '../../../../engine/model/index.js';

const trade = (seq: number, ts: number, price = 10, symbol = 'AAA'): string => JSON.stringify({ type: 'trade', symbol, ts, seq, price, size: 1, side: 'sell' });
const bar = (seq: number, ts: number, close = 10, symbol = 'AAA'): string => JSON.stringify({ type: 'bar', symbol, ts, seq, barTs: ts - 60_000_000, open: 10, high: 11, low: 9, close, volume: 5 });

async function first<T>(it: AsyncIterable<T> | undefined): Promise<T> {
  for await (const b of it!) return b;
  throw new Error('no batch');
}

describe('FeedAssembler', () => {
  it('turns rows into the replay batch of their kind, symbols indexed by the run, codes as the dataset holds them', async () => {
    const a = new FeedAssembler(['AAA', 'BBB'], ['bars', 'trades'], new ManualTimers());
    a.handleText(bar(1, 120_000_000, 10.5, 'BBB'));
    a.handleText(trade(2, 130_000_000, 10.25, 'AAA'));
    a.handleText(trade(3, 130_000_000, 10.5, 'BBB'));
    const bars = await first<BarBatch>(a.queues.bars);
    expect(bars.length).toBe(1);
    expect([bars.ts[0], bars.barTs[0], bars.symbol[0], bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]]).toEqual([120_000_000, 60_000_000, 1, 10, 11, 9, 10.5, 5]);
    const trades = await first<TradeBatch>(a.queues.trades);
    expect(trades.length).toBe(2);
    expect([...trades.ts]).toEqual([130_000_000, 130_000_000]);
    expect([...trades.symbol]).toEqual([0, 1]);
    expect([...trades.price]).toEqual([10.25, 10.5]);
    expect([...trades.side]).toEqual([-1, -1]);
    expect(a.stats.accepted).toBe(3);
  });

  it('refuses a repeated seq and records a jump as a gap', () => {
    const a = new FeedAssembler(['AAA'], ['trades'], new ManualTimers());
    a.handleText(trade(1, 1));
    a.handleText(trade(1, 2));
    a.handleText(trade(5, 3));
    expect(a.stats.duplicateSeq).toBe(1);
    expect(a.stats.accepted).toBe(2);
    expect(a.gaps.seqGaps).toEqual([{ after: 1, next: 5, missing: 3 }]);
    expect(a.gaps.missedMessages).toBe(3);
    expect(a.gaps.lastSeq).toBe(5);
  });

  it('refuses a row stamped before the last of its kind, whatever its symbol', () => {
    const a = new FeedAssembler(['AAA', 'BBB'], ['trades', 'bars'], new ManualTimers());
    a.handleText(trade(1, 100, 10, 'AAA'));
    a.handleText(trade(2, 99, 10, 'BBB'));
    // Another kind keeps its own order: a bar closing earlier than the last trade is fine.
    a.handleText(bar(3, 90_000_000));
    expect(a.stats.outOfOrder).toBe(1);
    expect(a.stats.accepted).toBe(2);
    expect(a.stats.refusals[0]).toBe("outOfOrder: trade of BBB (seq 2): ts 99 is before the last trade's 100");
  });

  it("refuses a second bar at a symbol's close time and a tick equal to the previous one, and keeps different ticks of one microsecond", () => {
    const a = new FeedAssembler(['AAA', 'BBB'], ['trades', 'bars'], new ManualTimers());
    a.handleText(bar(1, 120_000_000, 10));
    a.handleText(bar(2, 120_000_000, 10.5)); // same symbol, same close: refused even with another close
    a.handleText(bar(3, 120_000_000, 10.5, 'BBB')); // another symbol at that time: kept
    a.handleText(trade(4, 200, 10));
    a.handleText(trade(5, 200, 10)); // a repeat in every field
    a.handleText(trade(6, 200, 10.01)); // same microsecond, another price: kept
    expect(a.stats.duplicateTs).toBe(2);
    expect(a.stats.accepted).toBe(4);
  });

  it('counts malformed, unknown, invalid and unsubscribed messages and passes none of them on; a refused message still uses its seq', () => {
    const a = new FeedAssembler(['AAA'], ['trades'], new ManualTimers());
    a.handleText('not json');
    a.handleText('{"type":"candle","seq":1}');
    a.handleText('{"type":"trade","symbol":"AAA","ts":1,"seq":2,"price":"x","size":1,"side":"buy"}');
    a.handleText(trade(3, 1, 10, 'ZZZ'));
    a.handleText(JSON.stringify({ type: 'quote', symbol: 'AAA', ts: 1, seq: 4, bid: 1, bidSize: 1, ask: 2, askSize: 1 }));
    a.handleText(trade(5, 2));
    expect(a.stats).toMatchObject({ received: 6, malformed: 1, unknownType: 1, invalid: 1, unsubscribed: 2, accepted: 1 });
    expect(a.gaps.seqGaps).toEqual([]);
    expect(a.queues.trades.builder.length).toBe(1);
    expect(a.queues.quotes.builder.length).toBe(0);
  });

  it('raises the watermark with heartbeats, records a tail gap a heartbeat reveals, and ends on end', () => {
    const a = new FeedAssembler(['AAA'], ['trades'], new ManualTimers());
    a.handleText(trade(1, 100));
    expect(a.handleText(JSON.stringify({ type: 'heartbeat', ts: 500, seq: 3 }))).toEqual({ type: 'heartbeat', ts: 500, seq: 3 });
    expect(a.gaps.watermarkUs).toBe(500);
    expect(a.gaps.seqGaps).toEqual([{ after: 1, next: 4, missing: 2 }]);
    expect(a.gaps.lastSeq).toBe(3);
    a.handleText('{"type":"end","seq":3}');
    expect(a.gaps.ended).toBe(true);
    expect(a.stats.heartbeats).toBe(1);
    expect(a.stats.control).toBe(1);
  });

  it('measures outages and the longest silence on the injected clock', () => {
    const t = new ManualTimers(1_000_000);
    const a = new FeedAssembler(['AAA'], ['trades'], t);
    t.advance(40);
    a.handleText(trade(1, 1));
    a.linkDown('closed');
    t.advance(250);
    a.linkUp();
    a.handleText(trade(2, 2));
    expect(a.gaps.outages).toEqual([{ startUs: 1_040_000, endUs: 1_290_000, reason: 'closed' }]);
    expect(a.gaps.downtimeMs).toBe(250);
    expect(a.gaps.longestSilenceMs).toBe(250);
  });
});

describe('JsonlFeed', () => {
  it('reads the same messages as JSON lines and refuses the same faults', async () => {
    const lines = [
      '{"type":"hello","protocol":1,"stream":"s","symbols":["AAA"],"kinds":["quotes"],"heartbeatMs":1000}',
      '',
      '{"type":"quote","symbol":"AAA","ts":"2023-01-02T09:30:00Z","bid":10,"bidSize":5,"ask":10.02,"askSize":4}',
      '{"type":"quote","symbol":"AAA","ts":"2023-01-02T09:30:00Z","bid":10,"bidSize":5,"ask":10.02,"askSize":4}',
      '{"type":"quote","symbol":"AAA","ts":"2023-01-02T09:29:59Z","bid":10,"bidSize":5,"ask":10.02,"askSize":4}',
      '{"type":"quote"',
      '{"type":"quote","symbol":"AAA","ts":1672651801000000,"bid":10.01,"bidSize":2,"ask":10.02,"askSize":4}',
    ].join('\n');
    const feed = new JsonlFeed(Readable.from([lines]), { symbols: ['AAA'], kinds: ['quotes'], timers: new ManualTimers() });
    const rows: number[][] = [];
    for await (const b of feed.batches.quotes! as AsyncIterable<QuoteBatch>) for (let i = 0; i < b.length; i++) rows.push([b.ts[i]!, b.bid[i]!, b.bidSize[i]!, b.ask[i]!, b.askSize[i]!]);
    const report = await feed.done;
    expect(rows).toEqual([
      [1672651800000000, 10, 5, 10.02, 4],
      [1672651801000000, 10.01, 2, 10.02, 4],
    ]);
    expect(report.failure).toBeNull();
    expect(report.stats).toMatchObject({ received: 6, control: 1, accepted: 2, duplicateTs: 1, outOfOrder: 1, malformed: 1 });
  });

  it('fails its batches with the reason when the file cannot be read', async () => {
    const feed = JsonlFeed.fromFile('/nonexistent/feed.jsonl', { symbols: ['AAA'] });
    const report = await feed.done;
    expect(report.failure).toMatch(/^reading the JSON lines failed: ENOENT/);
    await expect(first(feed.batches.bars)).rejects.toThrow(/ENOENT/);
  });
});
