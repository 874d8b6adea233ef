import { wallTimers } from '../clock.js';
import type { LiveTimers } from '../clock.js';

/**
 * The live session's event log: one line per event on stderr (stdout carries results), as text for a
 * person or as JSON lines for a machine (`--log json`). Every line passes through the redaction of the
 * registered secrets and of URL credentials, whatever the field holds (nested objects, errors and
 * their stacks), so a secret never reaches the log's bytes.
 */

/** The levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Where log lines go: a writable stream, or a {@link StatusLine}'s wrapper of one. */
export interface LogStream {
  write(text: string): unknown;
}

/** Options of {@link LiveLog}. */
export interface LiveLogOptions {
  /** 'text' (default) or 'json' (one object per line). */
  readonly format?: LogFormat;
  /** Least severe level written (default 'info'). */
  readonly level?: LogLevel;
  /** Default process.stderr. */
  readonly stream?: LogStream;
  /** Source of the lines' time (default the wall clock). */
  readonly timers?: LiveTimers;
  /** Secrets known at construction; {@link LiveLog.addSecret} adds more. */
  readonly secrets?: readonly string[];
}

/** Fields of an event: anything; errors, BigInts, cycles and functions are rendered, never thrown on. */
export type LogFields = Readonly<Record<string, unknown>>;

export const REDACTED = '[redacted]';
const MAX_DEPTH = 8;
/** `scheme://user:pass@` (the userinfo of a URL), in any text. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** Returns `text` with the URL credentials (`https://user:pass@host` -> `https://[redacted]@host`) hidden. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, `$1${REDACTED}@`);
}

/** Returns `level` when it is a log level; otherwise throws an Error naming it. */
export function parseLogLevel(level: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new Error(`unknown log level '${level}' (expected one of ${LOG_LEVELS.join(', ')})`);
}

/** Writes the live session's events, one line each, redacted. */
export class LiveLog {
  readonly format: LogFormat;
  private readonly minRank: number;
  private readonly stream: LogStream;
  private readonly timers: LiveTimers;
  /** Every form a secret may take in a line, longest first. */
  private hidden: string[] = [];
  private readonly redactors: ((text: string) => string)[] = [];

  constructor(options: LiveLogOptions = {}) {
    this.format = options.format ?? 'text';
    this.minRank = LOG_LEVELS.indexOf(options.level ?? 'info');
    this.stream = options.stream ?? process.stderr;
    this.timers = options.timers ?? wallTimers;
    for (const s of options.secrets ?? []) this.addSecret(s);
  }

  /**
   * Registers a secret: from now on it is replaced by `[redacted]` wherever it appears in a line, also
   * URL-encoded or JSON-escaped. An empty string is ignored.
   */
  addSecret(value: string): void {
    if (typeof value !== 'string' || value === '') return;
    const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
    for (const f of forms) if (f !== '' && !this.hidden.includes(f)) this.hidden.push(f);
    // Longest first, so a secret containing another is hidden whole.
    this.hidden.sort((a, b) => b.length - a.length);
  }

  /**
   * Adds a redaction another component knows how to do (the webhook client's `redact`, which hides
   * its URL's path too); it runs on every string and on every whole line, after the secrets.
   */
  addRedactor(fn: (text: string) => string): void {
    this.redactors.push(fn);
  }

  /** Returns `text` with every registered secret and URL credential replaced by `[redacted]`. */
  redact(text: string): string {
    let out = text;
    for (const h of this.hidden) if (out.includes(h)) out = out.split(h).join(REDACTED);
    for (const fn of this.redactors) {
      try {
        out = fn(out);
      } catch {
        // A redaction that fails cannot vouch for the text: none of it is written.
        return '[redaction failed]';
      }
    }
    return redactUrlCredentials(out);
  }

  /** Whether a line of `level` is written. */
  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.minRank;
  }

  debug(event: string, fields?: LogFields): void {
    this.log('debug', event, fields);
  }

  info(event: string, fields?: LogFields): void {
    this.log('info', event, fields);
  }

  warn(event: string, fields?: LogFields): void {
    this.log('warn', event, fields);
  }

  error(event: string, fields?: LogFields): void {
    this.log('error', event, fields);
  }

  /** Writes one line for `event` at `level` (when enabled). Never throws. */
  log(level: LogLevel, event: string, fields: LogFields = {}): void {
    if (!this.enabled(level)) return;
    let line: string;
    try {
      line = this.format === 'json' ? this.jsonLine(level, event, fields) : this.textLine(level, event, fields);
    } catch (e) {
      // A getter that throws: the event is still logged, without its fields.
      const why = { logError: `fields not rendered: ${e instanceof Error ? e.message : String(e)}` };
      line = this.format === 'json' ? this.jsonLine(level, event, why) : this.textLine(level, event, why);
    }
    try {
      this.stream.write(`${this.redact(line)}\n`);
    } catch {
      // a closed stderr: nothing left to tell
    }
  }

  /** Returns the line's ISO time (wall time of the timers, millisecond precision). */
  private time(): string {
    return new Date(Math.floor(this.timers.nowUs() / 1000)).toISOString();
  }

  private jsonLine(level: LogLevel, event: string, fields: LogFields): string {
    // time, level and event come first and a field of the same name cannot overwrite them.
    const out: Record<string, unknown> = { time: this.time(), level, event: this.redact(event) };
    for (const [k, v] of Object.entries(plain(fields, this, [], 0) as Record<string, unknown>)) if (!(k in out)) out[k] = v;
    return JSON.stringify(out);
  }

  private textLine(level: LogLevel, event: string, fields: LogFields): string {
    const parts = [this.time(), level.padEnd(5), this.redact(event).replace(/\s/g, '_')];
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      // An error is its name and message on a text line; the JSON format also carries its stack.
      const value = v instanceof Error ? this.redact(`${v.name}: ${v.message}`) : plain(v, this, [fields], 1);
      parts.push(`${this.redact(k).replace(/[\s=]/g, '_')}=${textValue(value)}`);
    }
    return parts.join(' ');
  }
}

/** A field's value on a text line: bare when it is a simple token, JSON otherwise. */
function textValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=\\]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? 'null';
}

/**
 * Returns `v` as plain JSON data with every string (and key) redacted: errors become
 * {name, message, stack, cause}, BigInts and non-finite numbers strings, cycles '[circular]',
 * functions '[function]'. `ancestors` holds the objects on the path (a shared, non-circular object is
 * rendered each time).
 */
function plain(v: unknown, log: LiveLog, ancestors: object[], depth: number): unknown {
  switch (typeof v) {
    case 'string':
      return log.redact(v);
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v;
    case 'undefined':
      return null;
    case 'symbol':
      return log.redact(v.toString());
    case 'function':
      return '[function]';
    default:
      break;
  }
  if (v === null) return null;
  const o = v as object;
  if (ancestors.includes(o)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString();
  if (ArrayBuffer.isView(o)) return `[${o.constructor.name} ${o.byteLength} bytes]`;
  ancestors.push(o);
  try {
    if (o instanceof Error) {
      const e: Record<string, unknown> = { name: log.redact(o.name), message: log.redact(o.message) };
      if (typeof o.stack === 'string') e.stack = log.redact(o.stack);
      for (const [k, val] of Object.entries(o)) if (!(k in e)) e[log.redact(k)] = plain(val, log, ancestors, depth + 1);
      if (o.cause !== undefined) e.cause = plain(o.cause, log, ancestors, depth + 1);
      return e;
    }
    if (Array.isArray(o)) return o.map((x) => plain(x, log, ancestors, depth + 1));
    if (o instanceof Map) return [...o].map(([k, val]) => [plain(k, log, ancestors, depth + 1), plain(val, log, ancestors, depth + 1)]);
    if (o instanceof Set) return [...o].map((x) => plain(x, log, ancestors, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(o)) if (val !== undefined) out[log.redact(k)] = plain(val, log, ancestors, depth + 1);
    return out;
  } finally {
    ancestors.pop();
  }
}
