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

/**
 * Bytes read at a time. The scan's two buffers are fresh memory, paid in page faults when first written
 * (~4 ms per MiB on the VMs measured): with 4 MB pieces a 3.8 MB file's scan took 24-38 ms, with 256 KB
 * 8-9 ms, and a 151 MB file's no slower (~250 ms CPU either way; 64 KB pieces cost more in reads).
 */
const CHUNK = 256 << 10;
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

/**
 * Checks the complete lines of buf[s, end) (`end` just after an LF) against the column classes, each
 * byte read once: number cells through the NUMBER_NEXT table as they are split. Returns the number of
 * lines checked, or -1 at the first line that is not plain. A line may end with CRLF; any other CR,
 * a `"`, a blank line or a wrong field count is not plain.
 */
function plainLines(buf: Uint8Array, s: number, end: number, delimiter: number, classes: Uint8Array): number {
  const last = classes.length - 1;
  let lines = 0;
  let i = s;
  while (i < end) {
    if (buf[i] === LF || (buf[i] === CR && buf[i + 1] === LF)) return -1; // a blank line
    for (let f = 0; ; f++) {
      const cls = classes[f]!;
      const start = i;
      let b = buf[i]!;
      if (cls === 1) {
        // The common cell first, without the automaton: digits, then optionally a point and digits,
        // up to the cell's end (a subset of what the automaton accepts). Anything else is read again
        // from its first byte by the automaton.
        let j = i;
        while (b >= 48 && b <= 57) b = buf[++j]!;
        if (b === 46 && j > i) {
          b = buf[++j]!;
          while (b >= 48 && b <= 57) b = buf[++j]!;
        }
        if (j > i && (b === delimiter || b === LF || b === CR)) {
          i = j;
        } else {
          b = buf[i]!;
          let state = 0;
          while (b !== delimiter && b !== LF && b !== CR) {
            state = NUMBER_NEXT[(state << 8) | b]!;
            b = buf[++i]!;
          }
          if (NUMBER_ACCEPT[state] !== 1) return -1;
        }
      } else if (cls === 2) {
        // A time is parsed where it starts (its bytes read once), then must end the cell.
        i = timeEnd(buf, i, end);
        if (i < 0) return -1;
        b = buf[i]!;
        if (b !== delimiter && b !== LF && b !== CR) return -1;
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
  return lines;
}

/**
 * Whether every data line of `file` is plain for `classes` (one per header field), split by the
 * one-byte `delimiter`. Reads the file in 256 KB pieces; stops at the first line that is not plain.
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
    rows = await scanOpen(handle, codes, delim, (bytes) => {
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
async function scanOpen(handle: FileHandle, codes: Uint8Array, delim: number, onRead: (bytes: Uint8Array) => void): Promise<number> {
  const bufs = [new Uint8Array(CARRY + CHUNK), new Uint8Array(CARRY + CHUNK)];
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
        const bigger = new Uint8Array(zone + CHUNK);
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
        if (lf >= s) {
          const n = plainLines(buf, s, lf + 1, delim, codes);
          if (n < 0) return -1;
          lines += n;
          s = lf + 1;
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
