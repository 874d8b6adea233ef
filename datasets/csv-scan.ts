import { open } from 'node:fs/promises';

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

/** Whether bytes [s, e) of `buf` are the JS reader's decimal number, optionally padded with spaces/tabs. */
export function plainNumber(buf: Uint8Array, s: number, e: number): boolean {
  let state = 0;
  for (let i = s; i < e; i++) {
    const b = buf[i]!;
    const ws = b === 32 || b === 9;
    const digit = isDigit(b);
    switch (state) {
      case 0: // leading spaces
        if (ws) state = 0;
        else if (b === 43 || b === 45) state = 1;
        else if (digit) state = 2;
        else if (b === 46) state = 3;
        else return false;
        break;
      case 1: // after the sign
        if (digit) state = 2;
        else if (b === 46) state = 3;
        else return false;
        break;
      case 2: // integer digits
        if (digit) state = 2;
        else if (b === 46) state = 4;
        else if (b === 101 || b === 69) state = 5;
        else if (ws) state = 8;
        else return false;
        break;
      case 3: // a leading point: a digit must follow
        if (digit) state = 4;
        else return false;
        break;
      case 4: // fraction digits
        if (digit) state = 4;
        else if (b === 101 || b === 69) state = 5;
        else if (ws) state = 8;
        else return false;
        break;
      case 5: // after e
        if (b === 43 || b === 45) state = 6;
        else if (digit) state = 7;
        else return false;
        break;
      case 6: // after the exponent's sign
        if (digit) state = 7;
        else return false;
        break;
      case 7: // exponent digits
        if (digit) state = 7;
        else if (ws) state = 8;
        else return false;
        break;
      default: // trailing spaces
        if (!ws) return false;
    }
  }
  return state === 2 || state === 4 || state === 7 || state === 8;
}

function digits(buf: Uint8Array, at: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (!isDigit(buf[at + i]!)) return false;
  return true;
}

/** Whether bytes [s, e) of `buf` are a plain ISO date or datetime (see the module comment). */
export function plainTime(buf: Uint8Array, s: number, e: number): boolean {
  const len = e - s;
  if (len < 10 || !digits(buf, s, 4) || buf[s + 4] !== 45 || !digits(buf, s + 5, 2) || buf[s + 7] !== 45 || !digits(buf, s + 8, 2)) return false;
  let i = s + 10;
  if (i === e) return true;
  const sep = buf[i]!;
  if (sep !== 84 && sep !== 32) return false;
  if (e - i < 6 || !digits(buf, i + 1, 2) || buf[i + 3] !== 58 || !digits(buf, i + 4, 2)) return false;
  const hour = (buf[i + 1]! - 48) * 10 + (buf[i + 2]! - 48);
  if (hour > 23 || buf[i + 4]! > 53) return false;
  i += 6;
  if (i < e && buf[i] === 58) {
    if (e - i < 3 || !digits(buf, i + 1, 2) || buf[i + 1]! > 53) return false;
    i += 3;
    if (i < e && buf[i] === 46) {
      i++;
      let n = 0;
      while (i < e && isDigit(buf[i]!)) {
        i++;
        n++;
      }
      if (n < 1 || n > 9) return false;
    }
    if (i < e && buf[i] === 90) i++; // Z after the seconds only: DuckDB's cast refuses `09:30Z`
  }
  return i === e;
}

/** Checks one data line [s, e) (without its line end) against the column classes. */
function plainLine(buf: Uint8Array, s: number, e: number, delimiter: number, classes: readonly ScanClass[]): boolean {
  if (e === s) return false; // a blank line
  let field = 0;
  let start = s;
  for (let i = s; i <= e; i++) {
    const b = i < e ? buf[i]! : delimiter;
    if (b === QUOTE || b === CR) return false;
    if (b !== delimiter) continue;
    if (field >= classes.length) return false;
    const cls = classes[field]!;
    if (cls === 'number' ? !plainNumber(buf, start, i) : cls === 'time' ? !plainTime(buf, start, i) : false) return false;
    field++;
    start = i + 1;
  }
  return field === classes.length;
}

/**
 * Whether every data line of `file` is plain for `classes` (one per header field), split by the
 * one-byte `delimiter`. Reads the file in 4 MB pieces; stops at the first line that is not plain.
 */
export async function scanPlainCsv(file: string, delimiter: string, classes: readonly ScanClass[]): Promise<boolean> {
  const delim = delimiter.charCodeAt(0);
  if (delimiter.length !== 1 || delim > 127) return false;
  const handle = await open(file, 'r');
  try {
    let buf = new Uint8Array(CHUNK);
    let carry = 0; // bytes of an unfinished line kept at the start of buf
    let header = true;
    let first = true;
    let lines = 0;
    for (;;) {
      if (carry === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, carry, buf.length - carry, null);
      const end = carry + bytesRead;
      let s = 0;
      if (first && end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) s = 3;
      first = false;
      for (let i = s; i < end; i++) {
        if (buf[i] !== LF) continue;
        const lineEnd = i > s && buf[i - 1] === CR ? i - 1 : i;
        if (header) header = false;
        else if (!plainLine(buf, s, lineEnd, delim, classes)) return false;
        else lines++;
        s = i + 1;
      }
      if (bytesRead === 0) {
        // the last line, without a line end
        if (s < end) {
          if (header) return false;
          if (!plainLine(buf, s, end, delim, classes)) return false;
          lines++;
        }
        return !header && lines > 0;
      }
      buf.copyWithin(0, s, end);
      carry = end - s;
    }
  } finally {
    await handle.close();
  }
}
