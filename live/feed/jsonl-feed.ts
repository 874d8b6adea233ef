import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { wallTimers } from '../clock.js';
import type { LiveTimers } from '../clock.js';
import { batchesOf, FeedAssembler } from './feed-assembler.js';
import type { FeedBatches, FeedStats, GapReport } from './feed-assembler.js';
import { FEED_KINDS } from './protocol.js';
import type { DataMessage, FeedKind } from './protocol.js';
import type { FeedReport } from './ws-feed.js';

export interface JsonlFeedOptions {
  /** The run's symbols: the index of each row's `symbol` in the batches; other symbols are refused. */
  readonly symbols: readonly string[];
  /** Kinds passed on; default all four. */
  readonly kinds?: readonly FeedKind[];
  readonly timers?: LiveTimers;
  readonly onRows?: (kind: FeedKind) => void;
  /** Called with the text of each accepted data message (a live session journals it). */
  readonly onAccepted?: (text: string, message: DataMessage) => void;
}

/**
 * The same protocol messages as JSON lines, from a file or a stream (stdin): one message per line,
 * blank lines skipped, `seq` optional (without it there is no gap detection), `hello`, `heartbeat`
 * and `end` lines allowed. Refusals and repairs are those of the WebSocket feed ({@link FeedAssembler}).
 * The batches end at the end of the input; a read error fails them (and {@link JsonlFeed.done}).
 */
export class JsonlFeed {
  readonly batches: FeedBatches;
  readonly done: Promise<FeedReport>;
  private readonly assembler: FeedAssembler;

  /** Reads `input` (a Readable, e.g. process.stdin) from now on. */
  constructor(input: Readable, options: JsonlFeedOptions, preload: Iterable<string> = []) {
    const kinds = options.kinds ?? FEED_KINDS;
    this.assembler = new FeedAssembler(options.symbols, kinds, options.timers ?? wallTimers, options.onRows);
    // Messages an earlier run of this session accepted (its journal) pass first, not journaled again.
    for (const t of preload) this.assembler.handleText(t);
    const journal = options.onAccepted;
    if (journal !== undefined) this.assembler.onAccepted = journal;
    this.batches = batchesOf(this.assembler, kinds);
    this.done = this.read(input);
  }

  /** Reads the JSON lines of file `path`. */
  static fromFile(path: string, options: JsonlFeedOptions, preload: Iterable<string> = []): JsonlFeed {
    return new JsonlFeed(createReadStream(path, { encoding: 'utf8' }), options, preload);
  }

  get stats(): FeedStats {
    return this.assembler.stats;
  }

  get gaps(): GapReport {
    return this.assembler.gaps;
  }

  private async read(input: Readable): Promise<FeedReport> {
    let failure: string | null = null;
    try {
      const lines = createInterface({ input, crlfDelay: Infinity });
      for await (const line of lines) {
        if (line.trim() === '') continue;
        this.assembler.handleText(line);
      }
    } catch (err) {
      failure = `reading the JSON lines failed: ${(err as Error).message}`;
    }
    this.assembler.finish(failure !== null ? new Error(failure) : undefined);
    return { stats: this.assembler.stats, gaps: this.assembler.gaps, failure };
  }
}
