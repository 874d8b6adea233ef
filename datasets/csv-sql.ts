import { sqlString } from './duckdb.js';
import { MAX_TS_US, MIN_TS_US } from './schema.js';

/**
 * SQL that converts one CSV cell (a DuckDB VARCHAR, NULL when the field is empty) the way the
 * streaming JS reader of import.ts does, or gives NULL. The fast CSV path (import.ts) reads every
 * column as VARCHAR with DuckDB's CSV reader and converts it with these expressions; a NULL anywhere
 * sends the whole file to the JS reader, which then accepts the file or names the first bad cell
 * exactly as before. So these expressions accept only a subset of what the JS reader accepts (the
 * common, plain forms), and for that subset give the same values bit for bit:
 * - numbers: the JS reader's decimal form (`parseNumber`) after trimming spaces and tabs, converted by
 *   DuckDB's correctly rounded string-to-double cast (the same double as JS `Number`), the special
 *   words nan/inf/+inf/-inf/infinity/-infinity, the kind's code words, and empty values of optional
 *   columns (NaN); anything else (other whitespace, `1_000`, `+-1`, `0x10`, `-nan`) is NULL;
 * - times: `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM`, `:SS` and 1-9 fraction digits
 *   (truncated to microseconds), and after the seconds an optional `Z`, through DuckDB's timestamp cast (which checks
 *   the calendar date); hours 00-23, minutes and seconds 00-59 by the pattern (DuckDB alone would take
 *   `24:00:00`); zone offsets, lower-case `t`/`z` and other spellings are left to the JS reader;
 *   numeric epoch times only with a unit, unsigned; then the supported range (schema MIN_TS_US..MAX_TS_US);
 * - strings: trimmed of spaces and tabs, when they start and end with a visible ASCII character.
 */

/** The JS reader's decimal number form (import.ts DECIMAL), for RE2. */
const NUMBER_RE = '[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?';
const TIME_RE = '[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,9})?Z?)?)?';
/** Unsigned epoch numbers per unit, with few enough digits that the value in microseconds fits a BIGINT. */
const EPOCH: Readonly<Record<'s' | 'ms' | 'us' | 'ns', { re: string; us: (t: string) => string }>> = {
  s: { re: '[0-9]{1,12}(?:\\.[0-9]+)?', us: (t) => `CAST(split_part(${t}, '.', 1) AS BIGINT) * 1000000 + CAST(left(split_part(${t}, '.', 2) || '000000', 6) AS BIGINT)` },
  ms: { re: '[0-9]{1,15}(?:\\.[0-9]+)?', us: (t) => `CAST(split_part(${t}, '.', 1) AS BIGINT) * 1000 + CAST(left(split_part(${t}, '.', 2) || '000', 3) AS BIGINT)` },
  us: { re: '[0-9]{1,17}(?:\\.[0-9]+)?', us: (t) => `CAST(split_part(${t}, '.', 1) AS BIGINT)` },
  ns: { re: '[0-9]{1,19}(?:\\.[0-9]+)?', us: (t) => `CAST(CAST(split_part(${t}, '.', 1) AS HUGEINT) // 1000 AS BIGINT)` },
};
/** Special number words of the JS reader (import.ts SPECIAL), lower case. */
const SPECIAL_SQL: Readonly<Record<string, string>> = {
  nan: `'NaN'::DOUBLE`,
  inf: `'Infinity'::DOUBLE`,
  '+inf': `'Infinity'::DOUBLE`,
  '-inf': `'-Infinity'::DOUBLE`,
  infinity: `'Infinity'::DOUBLE`,
  '-infinity': `'-Infinity'::DOUBLE`,
};

function trimmed(col: string): string {
  return `trim(${col}, ' \t')`;
}

/** `re` with optional spaces and tabs around it (DuckDB's casts skip them, as JS's trim() does). */
function padded(re: string): string {
  return `[ \t]*${re}[ \t]*`;
}

/**
 * A numeric cell as DOUBLE. `words` are the column's code words (lower case); `optional` columns read
 * an empty cell as NaN; `decimalComma` reads a `,` as the decimal point in a cell with no `.`.
 * The plain number is tested first and without trimming (the cast skips the spaces): that is the
 * common case, and trimming every cell costs as much as converting it.
 */
export function numberCellSql(col: string, options: { optional: boolean; words: Readonly<Record<string, number>>; decimalComma: boolean }): string {
  const t = trimmed(col);
  const words = { ...SPECIAL_SQL, ...Object.fromEntries(Object.entries(options.words).map(([k, v]) => [k, `${v}::DOUBLE`])) };
  const cases = Object.entries(words).map(([k, v]) => `WHEN ${sqlString(k)} THEN ${v}`).join(' ');
  const comma = `replace(${col}, ',', '.')`;
  return (
    `CASE WHEN regexp_full_match(${col}, '${padded(NUMBER_RE)}') THEN TRY_CAST(${col} AS DOUBLE) ` +
    (options.decimalComma ? `WHEN strpos(${col}, '.') = 0 AND regexp_full_match(${comma}, '${padded(NUMBER_RE)}') THEN TRY_CAST(${comma} AS DOUBLE) ` : '') +
    `WHEN ${col} IS NULL OR regexp_full_match(${col}, '[ \t]*') THEN ${options.optional ? `'NaN'::DOUBLE` : 'NULL'} ` +
    `WHEN regexp_full_match(${col}, '${padded('[A-Za-z+-]{1,12}')}') THEN CASE lower(${t}) ${cases} END END`
  );
}

/** A time cell as DOUBLE integer microseconds inside the supported range; `epochUnit` allows numbers. */
export function timeCellSql(col: string, epochUnit: 's' | 'ms' | 'us' | 'ns' | undefined): string {
  const epoch = epochUnit === undefined ? '' : `WHEN regexp_full_match(${col}, '${padded(EPOCH[epochUnit].re)}') THEN ${EPOCH[epochUnit].us(trimmed(col))} `;
  const us = `(CASE WHEN regexp_full_match(${col}, '${padded(TIME_RE)}') THEN epoch_us(TRY_CAST(${trimmed(col)} AS TIMESTAMP)) ${epoch}END)`;
  return `CASE WHEN ${us} BETWEEN ${MIN_TS_US} AND ${MAX_TS_US} THEN CAST(${us} AS DOUBLE) END`;
}

/** A time cell that scanPlainCsv proved a plain ISO date/datetime: the cast checks the calendar date. */
export function plainTimeSql(col: string): string {
  const us = `epoch_us(TRY_CAST(${col} AS TIMESTAMP))`;
  return `CASE WHEN ${us} BETWEEN ${MIN_TS_US} AND ${MAX_TS_US} THEN CAST(${us} AS DOUBLE) END`;
}

/** A string cell, trimmed; NULL when it starts or ends with anything but a visible ASCII character. */
export function stringCellSql(col: string): string {
  const t = trimmed(col);
  return `CASE WHEN ${col} IS NULL OR ${t} = '' THEN '' WHEN regexp_full_match(${t}, '(?s)[!-~](?:.*[!-~])?') THEN ${t} END`;
}
