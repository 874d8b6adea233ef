import type { Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * A byte scan that proves a CSV file plain enough for DuckDB to type its columns itself: then import
 * reads numbers straight as DOUBLE (DuckDB's CSV reader, correctly rounded like JS `Number`) and times
 * through one cast, with no per-cell pattern in SQL (csv-sql.ts), several times cheaper.
 *
 * Plain means: after the header line (and a BOM), every line ends with LF or CRLF, is not blank, has
 * no `"` and exactly `fields` fields; each number column holds the JS reader's decimal form, optionally
 * padded with spaces or tabs (nothing else: no empty cell, word, NaN or infinity); each time column
 * an ISO date `YYYY-MM-DD`, optionally with `T` or a space and `HH:MM` (hours 00-23, minutes 00-59),
 * `:SS` (00-59), a 1-9 digit fraction, and then (after the seconds) an optional `Z`; other columns anything.
 */
export type ScanClass = 'number' | 'time' | 'other';

const CHUNK = 4 << 20;
const LF = 10;
const CR = 13;
const QUOTE = 34;

function isDigit(b: number): boolean {
  return b >= 48 && b <= 57;
}

/**
 * One step of the decimal-number automaton: the state after byte `b` in `state` (0 leading spaces,
 * 1 after the sign, 2 integer digits, 3 a leading point, 4 fraction digits, 5 after e, 6 after the
 * exponent's sign, 7 exponent digits, 8 trailing spaces; DEAD once the text cannot be a number).
 */
function numberStep(state: number, b: number): number {
  const ws = b === 32 || b === 9;
  const digit = isDigit(b);
  switch (state) {
    case 0: // leading spaces
      return ws ? 0 : b === 43 || b === 45 ? 1 : digit ? 2 : b === 46 ? 3 : DEAD;
    case 1: // after the sign
      return digit ? 2 : b === 46 ? 3 : DEAD;
    case 2: // integer digits
      return digit ? 2 : b === 46 ? 4 : b === 101 || b === 69 ? 5 : ws ? 8 : DEAD;
    case 3: // a leading point: a digit must follow
      return digit ? 4 : DEAD;
    case 4: // fraction digits
      return digit ? 4 : b === 101 || b === 69 ? 5 : ws ? 8 : DEAD;
    case 5: // after e
      return b === 43 || b === 45 ? 6 : digit ? 7 : DEAD;
    case 6: // after the exponent's sign
      return digit ? 7 : DEAD;
    case 7: // exponent digits
      return digit ? 7 : ws ? 8 : DEAD;
    case 8: // trailing spaces
      return ws ? 8 : DEAD;
    default:
      return DEAD;
  }
}

const DEAD = 9;
/** numberStep as a table: NUMBER_NEXT[state << 8 | byte]. */
const NUMBER_NEXT = new Uint8Array((DEAD + 1) << 8);
for (let st = 0; st <= DEAD; st++) for (let b = 0; b < 256; b++) NUMBER_NEXT[(st << 8) | b] = numberStep(st, b);
/** The states that end a complete number. */
const NUMBER_ACCEPT = Uint8Array.from({ length: DEAD + 1 }, (_, st) => (st === 2 || st === 4 || st === 7 || st === 8 ? 1 : 0));

/** Whether bytes [s, e) of `buf` are the JS reader's decimal number, optionally padded with spaces/tabs. */
export function plainNumber(buf: Uint8Array, s: number, e: number): boolean {
  let state = 0;
  for (let i = s; i < e; i++) state = NUMBER_NEXT[(state << 8) | buf[i]!]!;
  return NUMBER_ACCEPT[state] === 1;
}

function digits(buf: Uint8Array, at: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (!isDigit(buf[at + i]!)) return false;
  return true;
}

/** Whether bytes [s, e) of `buf` are a plain ISO date or datetime (see the module comment). */
export function plainTime(buf: Uint8Array, s: number, e: number): boolean {
  return timeEnd(buf, s, e) === e;
}

/**
 * Where the plain ISO date or datetime starting at byte `s` of `buf` ends (at most `e`): the index of
 * the first byte after it, or -1 when the bytes from `s` cannot be one. The caller checks that the
 * cell ends there; the bytes are read in order and never past the first that cannot continue it.
 */
function timeEnd(buf: Uint8Array, s: number, e: number): number {
  if (e - s < 10 || !digits(buf, s, 4) || buf[s + 4] !== 45 || !digits(buf, s + 5, 2) || buf[s + 7] !== 45 || !digits(buf, s + 8, 2)) return -1;
  let i = s + 10;
  if (i === e) return i;
  const sep = buf[i]!;
  if (sep !== 84 && sep !== 32) return i;
  if (e - i < 6 || !digits(buf, i + 1, 2) || buf[i + 3] !== 58 || !digits(buf, i + 4, 2)) return -1;
  const hour = (buf[i + 1]! - 48) * 10 + (buf[i + 2]! - 48);
  if (hour > 23 || buf[i + 4]! > 53) return -1;
  i += 6;
  if (i < e && buf[i] === 58) {
    if (e - i < 3 || !digits(buf, i + 1, 2) || buf[i + 1]! > 53) return -1;
    i += 3;
    if (i < e && buf[i] === 46) {
      i++;
      let n = 0;
      while (i < e && isDigit(buf[i]!)) {
        i++;
        n++;
      }
      if (n < 1 || n > 9) return -1;
    }
    if (i < e && buf[i] === 90) i++; // Z after the seconds only: DuckDB's cast refuses `09:30Z`
  }
  return i;
}

const CLASS_CODE: Readonly<Record<ScanClass, number>> = { other: 0, number: 1, time: 2 };

/** Powers of ten exact as doubles: 10^k for k <= 22. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Where plainLines writes the values of the cells it checks (plainCsvColumns): each number cell as the
 * JS reader's parseNumber reads it and each time cell as its parseTimeUs does (integer microseconds),
 * in row `row` of its field's column. A field that is neither keeps a zero-length column.
 */
export class PlainColumns {
  /** Per header field: its values, `capacity` long (number and time fields), else empty. */
  cols: Float64Array[];
  /** Rows written so far. */
  row = 0;
  /** Where plainLines stopped for want of room (the start of the first line not read), else -1. */
  stoppedAt = -1;
  /** The day of the last time cell (yyyymmdd) and its first microsecond: bars share their day. */
  dayKey = -1;
  dayUs = 0;

  constructor(
    classes: readonly ScanClass[],
    public capacity: number,
  ) {
    this.cols = classes.map((c) => new Float64Array(c === 'other' ? 0 : capacity));
  }

  /** Makes room for at least `capacity` rows, keeping those written. */
  grow(capacity: number): void {
    this.cols = this.cols.map((a) => {
      if (a.length === 0) return a;
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.row));
      return b;
    });
    this.capacity = capacity;
  }

  /**
   * The microseconds of the plain time at bytes [s, e) of `buf` (timeEnd's form), as parseTimeUs gives
   * them (Date.UTC of the fields, the fraction truncated to microseconds); -1 when its date is not a
   * calendar date or its year is outside 1970-2199 (the supported range, schema.ts MIN_TS_US..MAX_TS_US,
   * holds every time of those years): the file is then read another way, which names the cell.
   */
  timeUs(buf: Uint8Array, s: number, e: number): number {
    const year = num(buf, s, 4);
    const key = year * 10000 + num(buf, s + 5, 2) * 100 + num(buf, s + 8, 2);
    if (key !== this.dayKey) {
      const month = num(buf, s + 5, 2);
      const day = num(buf, s + 8, 2);
      if (year < 1970 || year > 2199) return -1;
      const ms = Date.UTC(year, month - 1, day);
      const check = new Date(ms);
      if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return -1;
      this.dayKey = key;
      this.dayUs = ms * 1000;
    }
    let us = this.dayUs;
    if (e - s > 10) {
      // timeEnd proved the clock fields in range: HH:MM, then maybe :SS and a fraction, then maybe Z
      us += num(buf, s + 11, 2) * 3_600_000_000 + num(buf, s + 14, 2) * 60_000_000;
      if (e - s > 16 && buf[s + 16] === 58) {
        us += num(buf, s + 17, 2) * 1_000_000;
        if (buf[s + 19] === 46) {
          let frac = 0;
          let i = s + 20;
          for (let k = 0; k < 6; k++) frac = frac * 10 + (i < e && isDigit(buf[i]!) ? buf[i++]! - 48 : 0);
          us += frac;
        }
      }
    }
    return us;
  }
}

/** The decimal value of `n` digit bytes at `at`. */
function num(buf: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 10 + buf[at + i]! - 48;
  return v;
}

/**
 * Checks the complete lines of buf[s, end) (`end` just after an LF) against the column classes, each
 * byte read once: number cells through the NUMBER_NEXT table as they are split. Returns the number of
 * lines checked, or -1 at the first line that is not plain. A line may end with CRLF; any other CR,
 * a `"`, a blank line or a wrong field count is not plain. With `sink`, the values of the number and
 * time cells are written to it as they are checked (see PlainColumns); when its columns are full it
 * stops before the next line and says where (PlainColumns.stoppedAt); a time cell whose date it
 * refuses (PlainColumns.timeUs) makes the line not plain.
 */
function plainLines(buf: Buffer, s: number, end: number, delimiter: number, classes: Uint8Array, sink: PlainColumns | null): number {
  const last = classes.length - 1;
  const cols = sink === null ? null : sink.cols;
  const room = sink === null ? Infinity : sink.capacity - sink.row; // lines the sink has room for
  const row = sink === null ? 0 : sink.row; // where this call's first line goes
  let lines = 0;
  let i = s;
  while (i < end) {
    if (buf[i] === LF || (buf[i] === CR && buf[i + 1] === LF)) return -1; // a blank line
    if (lines === room) {
      sink!.stoppedAt = i;
      break;
    }
    for (let f = 0; ; f++) {
      const cls = classes[f]!;
      const start = i;
      let b = buf[i]!;
      if (cls === 1) {
        // The common cell first, without the automaton: digits, then optionally a point and digits,
        // up to the cell's end (a subset of what the automaton accepts). Anything else is read again
        // from its first byte by the automaton. Its value: the integer of its digits over a power of
        // ten, when both are exact doubles (the quotient is then correctly rounded, as Number() is).
        let j = i;
        let v = 0;
        while (b >= 48 && b <= 57) {
          v = v * 10 + b - 48;
          b = buf[++j]!;
        }
        let point = j;
        if (b === 46 && j > i) {
          b = buf[++j]!;
          point = j;
          while (b >= 48 && b <= 57) {
            v = v * 10 + b - 48;
            b = buf[++j]!;
          }
        }
        if (j > i && (b === delimiter || b === LF || b === CR)) {
          i = j;
          if (cols !== null) {
            const scale = j - point;
            cols[f]![row + lines] = v <= 9007199254740992 && scale <= 22 ? v / POW10[scale]! : Number(buf.toString('latin1', start, j));
          }
        } else {
          b = buf[i]!;
          let state = 0;
          while (b !== delimiter && b !== LF && b !== CR) {
            state = NUMBER_NEXT[(state << 8) | b]!;
            b = buf[++i]!;
          }
          if (NUMBER_ACCEPT[state] !== 1) return -1;
          if (cols !== null) cols[f]![row + lines] = Number(buf.toString('latin1', start, i)); // Number() skips the spaces and tabs, as trim() does
        }
      } else if (cls === 2) {
        // A time is parsed where it starts (its bytes read once), then must end the cell.
        i = timeEnd(buf, i, end);
        if (i < 0) return -1;
        b = buf[i]!;
        if (b !== delimiter && b !== LF && b !== CR) return -1;
        if (cols !== null) {
          const us = sink!.timeUs(buf, start, i);
          if (us < 0) return -1;
          cols[f]![row + lines] = us;
        }
      } else {
        while (b !== delimiter && b !== LF && b !== CR) {
          if (b === QUOTE) return -1;
          b = buf[++i]!;
        }
      }
      if (b === CR) {
        if (buf[i + 1] !== LF) return -1; // a CR that does not end the line
        i++;
        b = LF;
      }
      i++;
      if (b === LF) {
        if (f !== last) return -1; // too few fields
        break;
      }
      if (f === last) return -1; // too many fields
    }
    lines++;
  }
  if (sink !== null) sink.row += lines;
  return lines;
}

/**
 * Whether every data line of `file` is plain for `classes` (one per header field), split by the
 * one-byte `delimiter`. Reads the file in 4 MB pieces; stops at the first line that is not plain.
 * With `hash`, every byte of the file is also fed to it, in the same pass (to the end of the file,
 * plain or not), so a caller needing the file's digest does not read the file a second time.
 */
export async function scanPlainCsv(file: string, delimiter: string, classes: readonly ScanClass[], hash?: Hash): Promise<boolean> {
  return (await plainCsvRows(file, delimiter, classes, hash)) !== null;
}

/**
 * scanPlainCsv's scan, returning the file's data rows (its lines after the header) when it is plain,
 * else null: a plain file has a row per line, so a reader that streams its rows knows their count
 * before it reads the first.
 */
export async function plainCsvRows(file: string, delimiter: string, classes: readonly ScanClass[], hash?: Hash): Promise<number | null> {
  return plainScan(file, delimiter, classes, null, hash);
}

/**
 * scanPlainCsv's scan that also reads the values of the file's number and time columns into `sink`
 * (see PlainColumns; grown when short) as it checks them: the file's data rows when it is plain and
 * every time in it a calendar date of the supported years, else null (`sink` then holds what was read
 * before the line that stopped it).
 */
export async function plainCsvColumns(file: string, delimiter: string, classes: readonly ScanClass[], sink: PlainColumns): Promise<number | null> {
  return plainScan(file, delimiter, classes, sink);
}

async function plainScan(file: string, delimiter: string, classes: readonly ScanClass[], sink: PlainColumns | null, hash?: Hash): Promise<number | null> {
  const delim = delimiter.charCodeAt(0);
  if (delimiter.length !== 1 || delim > 127 || delim === LF || delim === CR || delim === QUOTE || classes.length === 0) {
    if (hash !== undefined) await hashRest(file, 0, hash);
    return null;
  }
  const codes = Uint8Array.from(classes, (c) => CLASS_CODE[c]);
  const handle = await open(file, 'r');
  let read = 0; // bytes read (and hashed) so far
  let rows = -1;
  try {
    rows = await scanOpen(handle, codes, delim, sink, (bytes) => {
      read += bytes.length;
      hash?.update(bytes);
    });
  } finally {
    await handle.close();
  }
  if (hash !== undefined) await hashRest(file, read, hash);
  return rows > 0 ? rows : null;
}

/** Feeds bytes `from`.. of `file` to `hash`. */
async function hashRest(file: string, from: number, hash: Hash): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const buf = new Uint8Array(CHUNK);
    for (let at = from; ; ) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, at);
      if (bytesRead === 0) return;
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Bytes kept in front of each piece read for the unfinished last line of the piece before it (grown
 * for a longer line).
 */
const CARRY = 64 << 10;

/**
 * The scan of plainCsvRows over an open file: the data lines when every one is plain (0 when there
 * are none), else -1; `onRead` sees every piece read, in order (a piece read ahead of a line that is
 * not plain may be left out: it follows every piece seen).
 *
 * Two buffers: the next piece is read into one (on libuv's thread) while the other is scanned here;
 * reading each piece only once the last was scanned left the main thread idle a quarter of the scan
 * (2.5 M-bar CSV, 151 MB: ~85 of ~300 ms, CPU profile). Each buffer has room in front of its piece for
 * the unfinished line of the piece before it, copied there before that buffer is read into again.
 */
async function scanOpen(handle: FileHandle, codes: Uint8Array, delim: number, sink: PlainColumns | null, onRead: (bytes: Uint8Array) => void): Promise<number> {
  const bufs = [Buffer.alloc(CARRY + CHUNK), Buffer.alloc(CARRY + CHUNK)];
  const zones = [CARRY, CARRY]; // where each buffer's piece starts
  const readInto = (k: number): Promise<number> => handle.read(bufs[k]!, zones[k]!, CHUNK, null).then((r) => r.bytesRead);
  let pending: Promise<number> | null = readInto(0);
  let k = 0; // the buffer being scanned
  let carryFrom = 0; // the unfinished line: bytes [carryFrom, carryEnd) of the other buffer
  let carryEnd = 0;
  let header = true;
  let first = true;
  let lines = 0;
  try {
    for (;;) {
      const bytesRead: number = await pending!;
      pending = null;
      const carry = carryEnd - carryFrom;
      if (carry > zones[k]!) {
        // A line longer than the room in front: this buffer is rebuilt with room for it.
        const zone = Math.max(carry, 2 * zones[k]!);
        const bigger = Buffer.alloc(zone + CHUNK);
        bigger.set(bufs[k]!.subarray(zones[k]!, zones[k]! + bytesRead), zone);
        bufs[k] = bigger;
        zones[k] = zone;
      }
      const buf = bufs[k]!;
      const zone = zones[k]!;
      buf.set(bufs[1 - k]!.subarray(carryFrom, carryEnd), zone - carry);
      if (bytesRead > 0) pending = readInto(1 - k); // the other buffer's line is copied out
      onRead(buf.subarray(zone, zone + bytesRead));
      let s = zone - carry;
      let end = zone + bytesRead;
      if (first && bytesRead >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
      first = false;
      if (bytesRead === 0) {
        // the last line, without a line end: checked with one added (a final CR is not a line end)
        if (s === end) return header ? -1 : lines;
        if (header || buf[end - 1] === CR) return -1;
        buf[end++] = LF; // where the piece would have been: in the buffer
      }
      if (header) {
        const lf = buf.indexOf(LF, s);
        if (lf >= 0 && lf < end) {
          header = false;
          s = lf + 1;
        }
      }
      if (!header) {
        const lf = buf.lastIndexOf(LF, end - 1);
        while (lf >= s) {
          const n = plainLines(buf, s, lf + 1, delim, codes, sink);
          if (n < 0) return -1;
          lines += n;
          if (sink === null || sink.stoppedAt < 0) s = lf + 1;
          else {
            // the sink is full: grown, and the lines from where it stopped read into it
            s = sink.stoppedAt;
            sink.stoppedAt = -1;
            sink.grow(Math.max(16, sink.capacity * 2));
          }
        }
      }
      if (bytesRead === 0) return lines;
      carryFrom = s;
      carryEnd = end;
      k = 1 - k;
    }
  } finally {
    await pending?.catch(() => 0); // no read is under way when the file closes
  }
}
