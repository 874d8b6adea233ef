import { z } from 'zod';
import { parseIsoUs } from '../../engine/core/index.js';
import { inTimeRange, SYMBOL_PATTERN, TIME_RANGE_TEXT } from '../../datasets/schema.js';

/**
 * The Tapedeck feed protocol: one JSON object per WebSocket text message (or per line of a JSON-lines
 * file), discriminated on `type`. README "Live feeds" documents it for people writing a server.
 *
 * Server to client: `hello` (once, on connect), then after the client's `subscribe` or `resume` the
 * data messages `bar`, `trade`, `quote`, `book` (one row each), `heartbeat` while nothing else is
 * sent, and `end` when a finite stream (a served dataset) is over; `error` before the server closes a
 * connection it refuses. Client to server: `subscribe` (from the start) or `resume` (after `lastSeq`).
 *
 * `ts` is integer microseconds since the Unix epoch, or an ISO-8601 string (read to the microsecond,
 * `Z` or an offset). `seq` numbers the data messages of a stream 1, 2, 3, ... (consecutive on a
 * connection; a resumed connection continues after the client's `lastSeq`): a jump is a gap, a repeat a
 * duplicate. Unknown extra fields are ignored (forward compatible); a missing or bad field refuses
 * the message, named in one line.
 */
export const PROTOCOL_VERSION = 1;

/** The data kinds a feed carries, by their dataset names. */
export const FEED_KINDS = ['bars', 'trades', 'quotes', 'book'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

/** The message `type` of each data kind. */
export const KIND_MESSAGE = { bars: 'bar', trades: 'trade', quotes: 'quote', book: 'book' } as const satisfies Record<FeedKind, string>;

const timestamp = z.union([z.number(), z.string()]).transform((v, ctx): number => {
  let us: number;
  if (typeof v === 'string') {
    try {
      us = parseIsoUs(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected epoch microseconds or an ISO-8601 time, was ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}` });
      return z.NEVER;
    }
  } else if (!Number.isSafeInteger(v)) {
    ctx.addIssue({ code: 'custom', message: `expected integer epoch microseconds, was ${v}` });
    return z.NEVER;
  } else us = v;
  if (!inTimeRange(us)) {
    ctx.addIssue({ code: 'custom', message: `outside the supported range ${TIME_RANGE_TEXT}` });
    return z.NEVER;
  }
  return us;
});

const symbol = z.string().regex(SYMBOL_PATTERN, 'expected a symbol (letters, digits, . _ ^ = -, up to 64)');
const seq = z.int().min(1);
const price = z.number().finite().positive();
const nonNegative = z.number().finite().min(0);
const kinds = z.array(z.enum(FEED_KINDS)).min(1);

export const BarMessage = z
  .object({ type: z.literal('bar'), symbol, ts: timestamp, seq: seq.optional(), barTs: timestamp, open: price, high: price, low: price, close: price, volume: nonNegative })
  .superRefine((m, ctx) => {
    if (m.barTs > m.ts) ctx.addIssue({ code: 'custom', path: ['barTs'], message: `the bar's open time is after its close time ts (${m.barTs} > ${m.ts})` });
    if (m.high < m.low) ctx.addIssue({ code: 'custom', path: ['high'], message: `high ${m.high} is below low ${m.low}` });
    else if (m.open < m.low || m.open > m.high) ctx.addIssue({ code: 'custom', path: ['open'], message: `open ${m.open} is outside [low ${m.low}, high ${m.high}]` });
    else if (m.close < m.low || m.close > m.high) ctx.addIssue({ code: 'custom', path: ['close'], message: `close ${m.close} is outside [low ${m.low}, high ${m.high}]` });
  });

export const TradeMessage = z.object({ type: z.literal('trade'), symbol, ts: timestamp, seq: seq.optional(), price, size: nonNegative, side: z.enum(['buy', 'sell', 'unknown']) });

export const QuoteMessage = z
  .object({ type: z.literal('quote'), symbol, ts: timestamp, seq: seq.optional(), bid: nonNegative, bidSize: nonNegative, ask: nonNegative, askSize: nonNegative })
  .superRefine((m, ctx) => {
    if (m.bid > m.ask) ctx.addIssue({ code: 'custom', path: ['bid'], message: `crossed quote: bid ${m.bid} is above ask ${m.ask}` });
  });

export const BookMessage = z
  .object({
    type: z.literal('book'),
    symbol,
    ts: timestamp,
    seq: seq.optional(),
    side: z.enum(['bid', 'ask']),
    price: nonNegative,
    size: nonNegative,
    action: z.enum(['update', 'delete', 'snapshot']),
    /** Bit flags: 1 the first row of a snapshot, 2 its last (see datasets BOOK_FLAGS). */
    flags: z.int().min(0).max(3).default(0),
  })
  .superRefine((m, ctx) => {
    if (m.price === 0 && !(m.action === 'snapshot' && m.size === 0)) ctx.addIssue({ code: 'custom', path: ['price'], message: 'expected a positive price (0 only on a snapshot row listing no level)' });
    if (m.action === 'update' && !(m.size > 0)) ctx.addIssue({ code: 'custom', path: ['size'], message: `an update needs a positive size, was ${m.size}` });
  });

export const HeartbeatMessage = z.object({ type: z.literal('heartbeat'), ts: timestamp, seq: z.int().min(0).optional() });
export const EndMessage = z.object({ type: z.literal('end'), seq: z.int().min(0) });
export const HelloMessage = z.object({
  type: z.literal('hello'),
  protocol: z.literal(PROTOCOL_VERSION),
  /** Identifies the stream: a resume is only valid against the same stream. */
  stream: z.string().min(1),
  symbols: z.array(symbol),
  kinds: z.array(z.enum(FEED_KINDS)),
  heartbeatMs: z.int().positive(),
});
export const ErrorMessage = z.object({ type: z.literal('error'), message: z.string() });
export const SubscribeMessage = z.object({ type: z.literal('subscribe'), symbols: z.array(symbol).min(1).optional(), kinds: kinds.optional() });
export const ResumeMessage = z.object({ type: z.literal('resume'), stream: z.string().min(1), lastSeq: z.int().min(0), symbols: z.array(symbol).min(1).optional(), kinds: kinds.optional() });

export type BarMessage = z.output<typeof BarMessage>;
export type TradeMessage = z.output<typeof TradeMessage>;
export type QuoteMessage = z.output<typeof QuoteMessage>;
export type BookMessage = z.output<typeof BookMessage>;
export type HeartbeatMessage = z.output<typeof HeartbeatMessage>;
export type EndMessage = z.output<typeof EndMessage>;
export type HelloMessage = z.output<typeof HelloMessage>;
export type ErrorMessage = z.output<typeof ErrorMessage>;
export type SubscribeMessage = z.output<typeof SubscribeMessage>;
export type ResumeMessage = z.output<typeof ResumeMessage>;
export type DataMessage = BarMessage | TradeMessage | QuoteMessage | BookMessage;
export type FeedMessage = DataMessage | HeartbeatMessage | EndMessage | HelloMessage | ErrorMessage | SubscribeMessage | ResumeMessage;

const SCHEMAS = {
  bar: BarMessage,
  trade: TradeMessage,
  quote: QuoteMessage,
  book: BookMessage,
  heartbeat: HeartbeatMessage,
  end: EndMessage,
  hello: HelloMessage,
  error: ErrorMessage,
  subscribe: SubscribeMessage,
  resume: ResumeMessage,
} as const;
export type MessageType = keyof typeof SCHEMAS;
export const MESSAGE_TYPES = Object.keys(SCHEMAS) as readonly MessageType[];

/** The data kind of a data message type, or null for the other types. */
export function kindOf(type: MessageType): FeedKind | null {
  switch (type) {
    case 'bar':
      return 'bars';
    case 'trade':
      return 'trades';
    case 'quote':
      return 'quotes';
    case 'book':
      return 'book';
    default:
      return null;
  }
}

/** Why a message was refused before it reached the stream checks. */
export type ParseRefusal = 'malformed' | 'unknownType' | 'invalid';

/** The result of {@link parseFeedMessage}: the message, or why it was refused in one line. */
export type ParsedMessage = { readonly ok: true; readonly message: FeedMessage } | { readonly ok: false; readonly refusal: ParseRefusal; readonly reason: string };

const shown = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);

/**
 * Parses one message (a WebSocket text message or a JSON line). Never throws: text that is not a JSON
 * object is `malformed`, an unknown `type` is `unknownType`, a missing or bad field is `invalid` with
 * the field named: `invalid bar (seq 12): 'close': expected number, received string`.
 */
export function parseFeedMessage(text: string): ParsedMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, refusal: 'malformed', reason: `not JSON (${(err as Error).message}): ${shown(text)}` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, refusal: 'malformed', reason: `not a JSON object: ${shown(text)}` };
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(SCHEMAS, type)) {
    return { ok: false, refusal: 'unknownType', reason: `unknown message type ${type === undefined ? '(no type field)' : JSON.stringify(type)}; expected one of ${MESSAGE_TYPES.join(', ')}` };
  }
  const parsed = SCHEMAS[type as MessageType].safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data as FeedMessage };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(message)';
  const s = (raw as { seq?: unknown }).seq;
  const where = typeof s === 'number' ? ` (seq ${s})` : '';
  const message = issue.message.replace(/^Invalid input: /, '');
  return { ok: false, refusal: 'invalid', reason: `invalid ${type}${where}: '${field}': ${message}` };
}

/** Serialises a message as sent: one JSON object, no newline. */
export function encodeMessage(message: FeedMessage | Record<string, unknown>): string {
  return JSON.stringify(message);
}
