import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * An append-only file of JSON lines: what a live session must not forget if it is killed (the data it
 * received, the orders it sent to a broker). Each line is written whole with one write(2), so a
 * `kill -9` loses at most the line being written; a torn last line (no newline) is cut off when the
 * journal is opened again. `sync()` fsyncs (a power cut loses nothing synced).
 */
export class JsonlJournal {
  private fd: number;
  private unsynced = 0;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens (creating) `path` for appending; returns it with the complete lines it already holds. */
  static open(path: string): { journal: JsonlJournal; lines: string[] } {
    let lines: string[] = [];
    let keep = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      keep = Buffer.byteLength(text.slice(0, end));
      lines = text
        .slice(0, end)
        .split('\n')
        .filter((l) => l !== '');
    }
    const fd = openSync(path, 'a+');
    // A line torn by a kill is dropped: the feed sends it again (after the last whole line's seq).
    ftruncateSync(fd, keep);
    return { journal: new JsonlJournal(path, fd), lines };
  }

  /** Appends one line (no newline in it). */
  append(line: string): void {
    writeSync(this.fd, `${line}\n`);
    this.unsynced++;
  }

  /** Flushes the lines appended so far to the disk. */
  sync(): void {
    if (this.unsynced === 0) return;
    fsyncSync(this.fd);
    this.unsynced = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    this.sync();
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Where an order sent to a broker stands in the order journal. */
export type SentState = 'sending' | 'accepted' | 'rejected';

/** One line of the order journal. */
export interface SentOrderEntry {
  readonly key: string;
  readonly orderId: string;
  readonly state: SentState;
  readonly reason?: string;
}

/**
 * The orders a session sent to its broker, by idempotency key: `sending` is written (and synced)
 * before the first attempt, `accepted` or `rejected` when the broker answered. After a restart an
 * order already answered is not sent again; one still `sending` is sent again under the same key
 * (the broker drops the repeat if the first attempt arrived).
 */
export class OrderJournal {
  private readonly states = new Map<string, SentState>();

  private constructor(private readonly journal: JsonlJournal) {}

  static open(path: string): OrderJournal {
    const { journal, lines } = JsonlJournal.open(path);
    const j = new OrderJournal(journal);
    for (const [i, line] of lines.entries()) {
      let e: SentOrderEntry;
      try {
        e = JSON.parse(line) as SentOrderEntry;
      } catch {
        throw new Error(`${path}: line ${i + 1} is not JSON: the order journal is damaged`);
      }
      j.states.set(e.key, e.state);
    }
    return j;
  }

  /** The last state written for `key`, or undefined when never sent. */
  state(key: string): SentState | undefined {
    return this.states.get(key);
  }

  /** Orders answered by the broker (accepted or rejected). */
  get answered(): number {
    let n = 0;
    for (const s of this.states.values()) if (s !== 'sending') n++;
    return n;
  }

  /** Writes an entry and syncs it before returning. */
  write(entry: SentOrderEntry): void {
    this.states.set(entry.key, entry.state);
    this.journal.append(JSON.stringify(entry));
    this.journal.sync();
  }

  close(): void {
    this.journal.close();
  }
}
