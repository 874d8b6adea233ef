import { escapeHtml } from './escape.js';
import { formatCount } from './format.js';

/**
 * A long table of records (the trade list, the audit trail) as data the page's script renders (see
 * RECORD_TABLE_SCRIPT in page.ts): the table's head in the page, its rows as compact JSON columns in a
 * `<script type="application/json">`, drawn a page of PAGE_ROWS rows at a time with first/prev/next/last and
 * sorted by any column over every row. The page carries every row at ~1/5 of the bytes of their cells as HTML,
 * and builds no cell text: the browser formats the rows it shows, as format.ts would (the script mirrors it).
 *
 * The JSON: `{"n": rows, "page": PAGE_ROWS, "seqs": [...], "cols": [...]}`, one entry of `cols` per column of
 * the head, in order:
 * - `{"f":"idx"}`: the row's number, 1 to n (the records' own order).
 * - `{"f":"text"|"pill","d":[distinct texts],"c":[code per row]}`: text (a pill: `<span class="pill TEXT">`); with
 *   `"xd"`/`"xc"` a second text per row in a muted span after it ('' for none). With `"dc":[class per entry of "d"]`,
 *   a pill's class instead of its text (`<span class="pill">` for ''), a text in a `<span class="CLASS">` (none for
 *   ''): an entry of `"d"` is a text and its class, so a text may be in `"d"` twice. With `"td"`/`"tc"` a title per
 *   row ('' for none), on the pill, or on the cell of a text. One rule writes each of the three (`"d"`/`"c"`,
 *   `"xd"`/`"xc"`, `"td"`/`"tc"`): the entries are in the order rows first show them; the codes are `0` when every
 *   row has the one entry; none when no two rows share an entry (the entries are then the rows' own texts, in order:
 *   a sweep's trial keys); when fewer characters than a code a row, `{"x":[rows],"v":[codes]}`: the rows that repeat
 *   an earlier entry (each row number as its distance from the one before, the first from 0) and their codes, every
 *   other row the next entry (a sweep's runHashes: '' for each failed trial, or two trials of one run); neither
 *   entries nor codes when every row's text is '' (but `"d"` with `"dc"`: its classes are written).
 * - `{"f":"qty"|"price"|"money"|"pct"|"num","v":[numbers]}`: formatNumber(x, x % 1 === 0 ? 0 : 4), formatNumber(x, 2),
 *   formatMoney(x), formatPercent(x), the number as JavaScript writes it (String(x); 'n/a' when not finite);
 *   `"dp":k` gives price, money and pct k decimals instead of 2 (money with 0: formatCount);
 *   `"sign":1` adds the pos/neg class (signClass). A number is JSON's shortest
 *   text (it reads back to the same double), NaN is null and an infinity 1e999 / -1e999 (JSON.parse reads those
 *   as Infinity / -Infinity). A column whose texts are long (a PnL to the last bit: ~19 characters) is instead
 *   `"b":"..."`, its doubles' 8 bytes each, little-endian, in base64 (10 2/3 characters a value, and no number
 *   turned into text); a column of one value is `"k":x`. `{"f":...,"a":k,"x":[...],"v":[...]}` is a column whose
 *   row i is row i - 1 of column k but at the rows x lists (each row number as its distance from the one before,
 *   the first from 0), which hold the values v: a reversal's entry price, the exit price before it.
 * - `{"f":"time","s":k,"o":j}`: a time in microseconds shown as shortTime(formatIsoUs(t)): sequence k of `seqs`
 *   (`{"u": unit, "w": width, "z": [deltas]}`: the times of w columns interleaved row by row, t0, t1, ... each
 *   the one before plus z * u, the first from 0), its member j. A round trip's entry is most often the exit
 *   before it (a reversal): its delta is 0.
 * - `{"f":"iso","v":[texts]}`: a time as ISO-8601 text, shown as shortTime(text), sorted as text.
 * Any column may carry `"cls"`: classes of its cells. After `"cols"`, `"rc":{"CLASS":[rows]}` (when a row has a class)
 * gives the rows (numbers in the records' order, from 0) whose `<tr>` has each class.
 */
export type RecordColumn =
  | { readonly f: 'idx' }
  | {
      readonly f: 'text' | 'pill';
      readonly at: (i: number) => string;
      readonly extra?: (i: number) => string;
      readonly cls?: string;
      /** The class of row i's pill (instead of its text) or of a span around its text (`"dc"`). */
      readonly mark?: (i: number) => string;
      /** Row i's title ('' for none): on the pill, or on the cell of a text. */
      readonly title?: (i: number) => string;
    }
  | { readonly f: 'qty' | 'price' | 'money' | 'pct' | 'num'; readonly values: ArrayLike<number>; readonly sign?: boolean; readonly after?: number; readonly dp?: number }
  | { readonly f: 'time'; readonly seq: number; readonly member: number }
  | { readonly f: 'iso'; readonly at: (i: number) => string; readonly cls?: string };

/** Times in microseconds of `width` columns, read as `at(i, member)`: delta-coded in one sequence (see RecordColumn). */
export interface TimeSequence {
  readonly width: number;
  readonly at: (i: number, member: number) => number;
}

/** Rows a page of a record table shows. */
export const PAGE_ROWS = 100;

/** Values joined into one piece of the JSON: a column of 100,000 rows is a few dozen pieces, never one long string. */
const CHUNK = 4096;

/**
 * The table's markup and its rows' JSON as pieces of the page (see Html): `head` is the `<tr>` of its `<thead>`,
 * `id` the table's id, `note` what the page says under it, `noscript` what a reader without JavaScript reads.
 */
export function recordTablePieces(opts: {
  readonly id: string;
  readonly head: string;
  readonly rows: number;
  readonly columns: readonly RecordColumn[];
  readonly seqs?: readonly TimeSequence[];
  /** Rows (numbers in the records' order) whose `<tr>` has a class, by class. */
  readonly rowClasses?: Readonly<Record<string, readonly number[]>>;
  readonly noscript: string;
}): string[] {
  const n = opts.rows;
  const pieces: string[] = [
    `<div class="records" data-records="${escapeHtml(opts.id)}"><div class="pager" hidden><button type="button" class="toggle" data-go="first">First</button> <button type="button" class="toggle" data-go="prev">Prev</button> <button type="button" class="toggle" data-go="next">Next</button> <button type="button" class="toggle" data-go="last">Last</button> <span class="count muted">rows 1-${formatCount(Math.min(n, PAGE_ROWS))} of ${formatCount(n)}</span></div>`,
    `<div class="scroll"><table class="sortable" id="${escapeHtml(opts.id)}" data-records><thead>${opts.head}</thead><tbody></tbody></table></div><noscript><p class="note">${opts.noscript}</p></noscript>`,
    `<script type="application/json" class="records-data">{"n":${n},"page":${PAGE_ROWS},"seqs":[`,
  ];
  (opts.seqs ?? []).forEach((s, k) => {
    const unit = timeUnit(s, n);
    pieces.push(`${k > 0 ? ',' : ''}{"u":${unit},"w":${s.width},"z":[`);
    let last = 0;
    let out: number[] = [];
    let first = true;
    for (let i = 0; i < n; i++) {
      for (let m = 0; m < s.width; m++) {
        const t = s.at(i, m);
        out.push((t - last) / unit);
        last = t;
      }
      if (out.length >= CHUNK) {
        pieces.push((first ? '' : ',') + out.join(','));
        first = false;
        out = [];
      }
    }
    if (out.length > 0) pieces.push((first ? '' : ',') + out.join(','));
    pieces.push(']}');
  });
  pieces.push('],"cols":[');
  opts.columns.forEach((c, k) => {
    const sep = k > 0 ? ',' : '';
    switch (c.f) {
      case 'idx':
        pieces.push(`${sep}{"f":"idx"}`);
        break;
      case 'time':
        pieces.push(`${sep}{"f":"time","s":${c.seq},"o":${c.member}}`);
        break;
      case 'text':
      case 'pill': {
        pieces.push(`${sep}{"f":"${c.f}"${c.cls ? `,"cls":${jsonText(c.cls)}` : ''}`);
        textColumn(pieces, '', c.at, n, c.mark);
        if (c.extra) textColumn(pieces, 'x', c.extra, n);
        if (c.title) textColumn(pieces, 't', c.title, n);
        pieces.push('}');
        break;
      }
      case 'iso': {
        pieces.push(`${sep}{"f":"iso"${c.cls ? `,"cls":${jsonText(c.cls)}` : ''},"v":[`);
        chunked(pieces, n, (i) => jsonText(c.at(i)));
        pieces.push(']}');
        break;
      }
      default: {
        pieces.push(`${sep}{"f":"${c.f}"${c.dp !== undefined ? `,"dp":${c.dp}` : ''}${c.sign ? ',"sign":1' : ''},`);
        if (c.after !== undefined) afterColumn(pieces, c.values, opts.columns[c.after]!, c.after, n);
        else numberColumn(pieces, c.values, n);
        pieces.push('}');
      }
    }
  });
  pieces.push(']');
  const classes = Object.entries(opts.rowClasses ?? {}).filter(([, rows]) => rows.length > 0);
  if (classes.length > 0) pieces.push(`,"rc":{${classes.map(([cls, rows]) => `${jsonText(cls)}:[${rows.join(',')}]`).join(',')}}`);
  pieces.push('}</script></div>');
  return pieces;
}

/** Pushes the n values `value(i)` gives, joined by commas, in pieces of CHUNK values. */
function chunked(pieces: string[], n: number, value: (i: number) => string): void {
  let out: string[] = [];
  let first = true;
  for (let i = 0; i < n; i++) {
    out.push(value(i));
    if (out.length >= CHUNK) {
      pieces.push((first ? '' : ',') + out.join(','));
      first = false;
      out = [];
    }
  }
  if (out.length > 0) pieces.push((first ? '' : ',') + out.join(','));
}

/**
 * A number column's values (see RecordColumn): `"k":x` when every row holds x, else `"b":"..."` (the doubles'
 * bytes, base64) when their shortest texts (a sample of them) average more than BASE64_CHARS a value, else `"v":[...]`.
 */
function numberColumn(pieces: string[], values: ArrayLike<number>, n: number): void {
  const x0 = values[0]!;
  let same = true;
  for (let i = 1; i < n && same; i++) same = Object.is(values[i], x0);
  if (same) {
    pieces.push(`"k":${jsonNumber(x0)}`);
    return;
  }
  const step = Math.max(1, Math.floor(n / SAMPLE));
  let chars = 0;
  let sampled = 0;
  for (let i = 0; i < n; i += step, sampled++) chars += jsonNumber(values[i]!).length + 1;
  if (chars / sampled <= BASE64_CHARS) {
    pieces.push('"v":[');
    numbers(pieces, values, n);
    pieces.push(']');
    return;
  }
  pieces.push('"b":"');
  // Little-endian doubles (as the script reads them: DataView, littleEndian), a whole number of base64 quanta a piece.
  const bytes = new DataView(new ArrayBuffer(Math.min(n, B64_CHUNK) * 8));
  for (let from = 0; from < n; from += B64_CHUNK) {
    const to = Math.min(n, from + B64_CHUNK);
    for (let i = from; i < to; i++) bytes.setFloat64((i - from) * 8, values[i]!, true);
    pieces.push(Buffer.from(bytes.buffer, 0, (to - from) * 8).toString('base64'));
  }
  pieces.push('"');
}

/**
 * A number column whose row i is most often row i - 1 of column `k` (`other`: a reversal's entry price is the exit
 * price before it) as `"a":k` and the rows that are not (`"x"`: their row numbers, each as its distance from the
 * one before, the first from 0; row 0 always) with their values (`"v"`).
 */
function afterColumn(pieces: string[], values: ArrayLike<number>, other: RecordColumn, k: number, n: number): void {
  if (!('values' in other)) throw new TypeError(`record table: column ${k} is not a number column`);
  const before = other.values;
  const rows: number[] = [];
  const odd: number[] = [];
  let last = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && Object.is(values[i], before[i - 1])) continue;
    rows.push(i - last);
    odd.push(values[i]!);
    last = i;
  }
  pieces.push(`"a":${k},"x":[`);
  numbers(pieces, rows, rows.length);
  pieces.push('],"v":[');
  numbers(pieces, odd, odd.length);
  pieces.push(']');
}

/** Values a number column samples to choose its form (see numberColumn). */
const SAMPLE = 256;
/** Characters a double takes as base64 (8 bytes: 10 2/3 characters). */
const BASE64_CHARS = 32 / 3;
/** Values a piece of a base64 column holds: 3,072 doubles are 24,576 bytes, a multiple of 3 (no '=' inside the text). */
const B64_CHUNK = 3072;

/** Pushes the first n numbers of `values` as JSON (jsonNumber), joined by commas, in pieces of CHUNK values. */
function numbers(pieces: string[], values: ArrayLike<number>, n: number): void {
  for (let from = 0; from < n; from += CHUNK) {
    const to = Math.min(n, from + CHUNK);
    let out = from === 0 ? '' : ',';
    for (let i = from; i < to; i++) {
      const x = values[i]!;
      // A finite number other than -0 is its own text (String(x)); the rest as jsonNumber writes them.
      out += (i === from ? '' : ',') + (Number.isFinite(x) && (x !== 0 || 1 / x > 0) ? String(x) : jsonNumber(x));
    }
    pieces.push(out);
  }
}

/**
 * A text column as its distinct texts (`"PREFIXd"`) and each row's code (`"PREFIXc"`); with `mark`, distinct (text,
 * class) pairs, their classes in `"dc"`. One rule for every text of a column (see RecordColumn): no codes when each
 * row is an entry of its own, only the rows that repeat an entry when that is shorter than a code a row, nothing at
 * all when every row is '' (and no class is given). Written after a comma.
 */
function textColumn(pieces: string[], prefix: string, at: (i: number) => string, n: number, mark?: (i: number) => string): void {
  const codes = new Map<string, number>();
  const dict: string[] = [];
  const marks: string[] = [];
  const code = new Int32Array(n);
  let last: string | undefined;
  let lastCode = -1;
  for (let i = 0; i < n; i++) {
    const text = at(i);
    const cls = mark ? mark(i) : '';
    // A class has no NUL: (class, NUL, text) names one pair.
    const key = mark ? `${cls}\u0000${text}` : text;
    if (key !== last) {
      let c = codes.get(key);
      if (c === undefined) {
        c = dict.length;
        codes.set(key, c);
        dict.push(text);
        marks.push(cls);
      }
      last = key;
      lastCode = c;
    }
    code[i] = lastCode;
  }
  // Every row '' (or no row) and no class: the script reads a missing text as ''.
  if (!mark && dict.length <= 1 && (dict[0] ?? '') === '') return;
  pieces.push(`,"${prefix}d":[${dict.map(jsonText).join(',')}]${mark ? `,"dc":[${marks.map(jsonText).join(',')}]` : ''}`);
  // Each row its own entry (codes 0, 1, ..., n - 1): no code list.
  if (dict.length === n) return;
  // A column of one text (one symbol, one strategy) is its code alone.
  if (dict.length === 1) {
    pieces.push(`,"${prefix}c":0`);
    return;
  }
  // Rows that repeat an earlier entry (its code below the entries before the row), with their codes, when they take
  // fewer characters than a code a row (`each`): a sweep's runHashes, two trials of one run, or '' for each failed
  // trial. The list takes 12 characters and at least 4 a repeating row; a code a row at most the last code's digits
  // and a comma a row: `each` is counted only when the list may be shorter (not for a long/short column of 137,005).
  const repeats = n - dict.length;
  let each = 0;
  if (12 + 4 * repeats < n * (digits(dict.length - 1) + 1)) for (let i = 0; i < n; i++) each += digits(code[i]!) + 1;
  const rows: number[] = [];
  const repeated: number[] = [];
  let listed = 12;
  for (let i = 0, next = 0, from = 0; i < n && listed < each; i++) {
    const c = code[i]!;
    if (c === next) {
      next++;
      continue;
    }
    rows.push(i - from);
    repeated.push(c);
    listed += digits(i - from) + digits(c) + 2;
    from = i;
  }
  if (listed < each) {
    pieces.push(`,"${prefix}c":{"x":[`);
    numbers(pieces, rows, rows.length);
    pieces.push('],"v":[');
    numbers(pieces, repeated, repeated.length);
    pieces.push(']}');
    return;
  }
  pieces.push(`,"${prefix}c":[`);
  numbers(pieces, code, n);
  pieces.push(']');
}

/** The decimal digits of a whole number from 0 (its characters in the JSON). */
function digits(x: number): number {
  let d = 1;
  while (x >= 10) {
    x = Math.floor(x / 10);
    d++;
  }
  return d;
}

/** The largest of 1 s, 1 ms and 1 us (in microseconds) that divides every time of `s`: deltas in that unit are short. */
function timeUnit(s: TimeSequence, n: number): number {
  let unit = 1_000_000;
  for (let i = 0; i < n && unit > 1; i++) {
    for (let m = 0; m < s.width; m++) {
      const t = s.at(i, m);
      while (unit > 1 && t % unit !== 0) unit /= 1000;
    }
  }
  return unit;
}

/** A number as JSON text that reads back to the same value: NaN as null, an infinity as 1e999 (see RecordColumn). */
export function jsonNumber(x: number): string {
  if (Number.isFinite(x)) return x === 0 && 1 / x < 0 ? '-0' : String(x);
  if (Number.isNaN(x)) return 'null';
  return x > 0 ? '1e999' : '-1e999';
}

/** A string as JSON text safe inside a `<script>` element. */
function jsonText(s: string): string {
  return JSON.stringify(s).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
