import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DataError, formatIsoUs, InvalidArgumentError, parseIsoUs } from '../../engine/core/index.js';
import type { Fill } from '../../engine/model/events.js';
import type { OrderSnapshot } from '../../engine/model/order-snapshot.js';
import type { OrderStatus } from '../../engine/model/orders.js';
import type { Portfolio } from '../../engine/portfolio/portfolio.js';
import type { Strategy } from '../../engine/strategies/context.js';
import { strategySnapshots } from '../../engine/strategies/snapshots.js';
import { writeFileDurable } from '../../datasets/atomic.js';

/**
 * `portfolio.json`: the state of a live or paper account that outlives the session (seed 003's
 * virtual portfolio): cash, positions, working orders, the trade history and what the strategies
 * chose to persist. A session writes it crash-safely (writePortfolioFile); `tapedeck portfolio
 * show|export|merge` read it.
 *
 * Accounting (all amounts in the account currency):
 * - `realizedPnl` is net of every commission paid (those of open positions too), so
 *   equity = initialCash + realizedPnl + unrealizedPnl (exactly, up to rounding, when every open
 *   position has a mark).
 * - A position is the account's net quantity in a symbol. Several strategies' ledgers in one symbol
 *   are combined as {@link netLots} does: the ledgers on the net position's side give the average
 *   price (quantity-weighted); ledgers on the other side are netted against them, and the P&L of the
 *   netted quantity, (average sell price - average buy price) x netted qty x multiplier, is realized.
 *   The remaining position keeps the average price of the side that remains.
 * - `marketValue` is qty x mark x multiplier (the exposure); `unrealizedPnl` is
 *   (mark - averagePrice) x qty x multiplier; a position never priced has mark null and counts 0.
 * - Futures (`future: true`) settle by variation margin: equity counts their unrealized P&L, not
 *   their market value, and P&L they realize is in cash.
 * - equity = cash + sum of market values (unrealized P&L for a future).
 */
export const PORTFOLIO_FORMAT = 'tapedeck-portfolio';
/**
 * The file's name in a session's state directory (live/session/session-state.ts names it too; this one
 * is for readers that must not load the session's modules, e.g. `tapedeck portfolio show`).
 */
export const PORTFOLIO_FILE = 'portfolio.json';
export const PORTFOLIO_VERSION = 1;

/** Amounts this close are equal when a file's totals are checked against its positions (relative to the account's size). */
const SUM_TOLERANCE = 1e-7;

const money = z.number();
const isoTime = z.string().refine((s) => {
  try {
    parseIsoUs(s);
    return true;
  } catch {
    return false;
  }
}, 'not an ISO-8601 time');
const microseconds = z.number().int();

export const portfolioPositionSchema = z.strictObject({
  symbol: z.string().min(1),
  /** Signed net quantity (units or contracts). */
  qty: z.number().refine((q) => q !== 0, 'a position of 0 is not listed'),
  averagePrice: z.number().nonnegative(),
  /** Last price, null when the symbol was never priced. */
  mark: z.number().nullable(),
  multiplier: z.number().positive(),
  future: z.boolean(),
  marketValue: money,
  unrealizedPnl: money,
});

export const portfolioWorkingOrderSchema = z.strictObject({
  orderId: z.string().min(1),
  strategy: z.string().nullable(),
  symbol: z.string().min(1),
  side: z.enum(['buy', 'sell']),
  qty: z.number().positive(),
  filledQty: z.number().nonnegative(),
  type: z.enum(['market', 'limit', 'stop', 'stop_limit']),
  limitPrice: z.number().optional(),
  stopPrice: z.number().optional(),
  timeInForce: z.enum(['GTC', 'DAY', 'IOC', 'FOK']),
});

export const portfolioFillSchema = z.strictObject({
  ts: isoTime,
  tsUs: microseconds,
  orderId: z.string().min(1),
  strategy: z.string().nullable(),
  symbol: z.string().min(1),
  side: z.enum(['buy', 'sell']),
  qty: z.number().positive(),
  price: z.number(),
  commission: z.number().nonnegative(),
});

export const portfolioFileSchema = z
  .strictObject({
    format: z.literal(PORTFOLIO_FORMAT),
    version: z.literal(PORTFOLIO_VERSION),
    name: z.string().min(1),
    asOf: isoTime,
    asOfUs: microseconds,
    initialCash: money,
    cash: money,
    equity: money,
    realizedPnl: money,
    unrealizedPnl: money,
    positions: z.array(portfolioPositionSchema),
    workingOrders: z.array(portfolioWorkingOrderSchema),
    /** The trade history, oldest first. */
    fills: z.array(portfolioFillSchema),
    /** Strategy id -> the JSON its snapshot() returned. */
    strategies: z.record(z.string(), z.unknown()),
    /** The feed stream the session last read (absent for a merged portfolio). */
    feed: z.strictObject({ url: z.string().optional(), stream: z.string(), lastSeq: z.number().int().nonnegative() }).optional(),
    /** Names of the portfolios merged into this one. */
    sources: z.array(z.string().min(1)).optional(),
  })
  .superRefine((f, ctx) => {
    if (formatIsoUs(f.asOfUs) !== formatIsoUs(parseIsoUs(f.asOf))) ctx.addIssue({ code: 'custom', path: ['asOf'], message: `is not the time of asOfUs ${f.asOfUs} (${formatIsoUs(f.asOfUs)})` });
    const seen = new Set<string>();
    f.positions.forEach((p, i) => {
      if (seen.has(p.symbol)) ctx.addIssue({ code: 'custom', path: ['positions', i, 'symbol'], message: `${p.symbol} is listed twice` });
      seen.add(p.symbol);
    });
    f.fills.forEach((x, i) => {
      if (parseIsoUs(x.ts) !== x.tsUs) ctx.addIssue({ code: 'custom', path: ['fills', i, 'ts'], message: `is not the time of tsUs ${x.tsUs} (${formatIsoUs(x.tsUs)})` });
      if (i > 0 && x.tsUs < f.fills[i - 1]!.tsUs) ctx.addIssue({ code: 'custom', path: ['fills', i, 'tsUs'], message: 'fills are not in time order' });
    });
    const scale = Math.max(1, Math.abs(f.initialCash), Math.abs(f.cash), Math.abs(f.equity));
    const equity = f.cash + positionsValue(f.positions);
    if (Math.abs(equity - f.equity) > SUM_TOLERANCE * scale) ctx.addIssue({ code: 'custom', path: ['equity'], message: `${f.equity} is not cash plus the positions' value (${equity})` });
    const unrealized = f.positions.reduce((u, p) => u + p.unrealizedPnl, 0);
    if (Math.abs(unrealized - f.unrealizedPnl) > SUM_TOLERANCE * scale) ctx.addIssue({ code: 'custom', path: ['unrealizedPnl'], message: `${f.unrealizedPnl} is not the sum of the positions' (${unrealized})` });
  });

export type PortfolioPosition = z.infer<typeof portfolioPositionSchema>;
export type PortfolioWorkingOrder = z.infer<typeof portfolioWorkingOrderSchema>;
export type PortfolioFill = z.infer<typeof portfolioFillSchema>;
export type PortfolioFile = z.infer<typeof portfolioFileSchema>;

/** Equity's share of the positions: market value, or unrealized P&L for a future. */
function positionsValue(positions: readonly PortfolioPosition[]): number {
  let v = 0;
  for (const p of positions) v += p.future ? p.unrealizedPnl : p.marketValue;
  return v;
}

/** A signed quantity held at an average price. */
export interface Lot {
  readonly qty: number;
  readonly averagePrice: number;
}

/** Quantities this close to zero are zero (as in engine/portfolio). */
const QTY_EPS = 1e-9;

/**
 * Combines lots of one symbol into one position, the rule of an account holding them together:
 * the long lots give one quantity-weighted average buy price, the short lots one average sell price;
 * the smaller side is netted against the larger, and its P&L per unit of multiplier,
 * (average sell - average buy) x netted qty, is realized. The remaining position keeps the average
 * price of the side that remains (0 when flat). The result does not depend on the lots' order.
 */
export function netLots(lots: readonly Lot[]): { qty: number; averagePrice: number; realized: number } {
  let longQty = 0;
  let longCost = 0;
  let shortQty = 0;
  let shortCost = 0;
  for (const l of lots) {
    if (l.qty > 0) {
      longQty += l.qty;
      longCost += l.qty * l.averagePrice;
    } else if (l.qty < 0) {
      shortQty -= l.qty;
      shortCost -= l.qty * l.averagePrice;
    }
  }
  const buy = longQty > 0 ? longCost / longQty : 0;
  const sell = shortQty > 0 ? shortCost / shortQty : 0;
  const netted = Math.min(longQty, shortQty);
  const realized = netted > 0 ? (sell - buy) * netted : 0;
  const qty = longQty - shortQty;
  if (Math.abs(qty) < QTY_EPS) return { qty: 0, averagePrice: 0, realized };
  return { qty, averagePrice: qty > 0 ? buy : sell, realized };
}

/** A position row from its net lot, mark and contract terms. */
function positionRow(symbol: string, lot: Lot, mark: number | null, multiplier: number, future: boolean): PortfolioPosition {
  const priced = mark !== null && Number.isFinite(mark);
  return {
    symbol,
    qty: lot.qty,
    averagePrice: lot.averagePrice,
    mark: priced ? mark : null,
    multiplier,
    future,
    marketValue: priced ? lot.qty * mark * multiplier : 0,
    unrealizedPnl: priced ? (mark - lot.averagePrice) * lot.qty * multiplier : 0,
  };
}

/** What {@link buildPortfolioFile} reads: the engine's objects of a session at one moment. */
export interface PortfolioBuildInput {
  /** The portfolio's name (the state directory's, or the scenario's). */
  readonly name: string;
  /** Data time of the state, epoch microseconds. */
  readonly asOfUs: number;
  /** The run's symbols, in the portfolio's symbol index order. */
  readonly symbols: readonly string[];
  /** The run's strategies (under an ensemble more than the portfolio's ledgers); those with snapshot() are saved. */
  readonly strategies: readonly Pick<Strategy, 'id' | 'snapshot'>[];
  readonly portfolio: Portfolio;
  /** Every fill of the account so far, in the order they happened. */
  readonly fills: readonly Fill[];
  /** The working orders (an order in a final state, filled, cancelled, ..., is left out). */
  readonly workingOrders: readonly OrderSnapshot[];
  readonly feed?: { readonly url?: string; readonly stream: string; readonly lastSeq: number };
}

const WORKING: ReadonlySet<OrderStatus> = new Set(['initialized', 'submitted', 'accepted', 'partially_filled']);

/**
 * Builds `portfolio.json` from a session's engine objects (see the module comment for the
 * accounting). Ledgers of several strategies in one symbol are combined by {@link netLots}; P&L that
 * netting realizes goes to realizedPnl (and, for a future, to cash).
 */
export function buildPortfolioFile(input: PortfolioBuildInput): PortfolioFile {
  const pf = input.portfolio;
  if (input.symbols.length !== pf.symbolCount) throw new InvalidArgumentError(`buildPortfolioFile: ${input.symbols.length} symbols given, the portfolio has ${pf.symbolCount}`);
  let cash = pf.cash;
  let realized = pf.realizedGross - pf.commissions;
  const positions: PortfolioPosition[] = [];
  for (let i = 0; i < pf.symbolCount; i++) {
    if (pf.netPosition[i] === 0) continue;
    const lots: Lot[] = [];
    for (let s = 0; s < pf.strategyCount; s++) {
      const q = pf.position(s, i);
      if (q !== 0) lots.push({ qty: q, averagePrice: pf.averagePrice(s, i) });
    }
    const net = netLots(lots);
    const mult = pf.multiplier[i]!;
    const future = pf.isFuture[i] === 1;
    realized += net.realized * mult;
    if (future) cash += net.realized * mult;
    if (net.qty === 0) continue;
    const m = pf.mark[i]!;
    positions.push(positionRow(input.symbols[i]!, net, Number.isNaN(m) ? null : m, mult, future));
  }
  const fills: PortfolioFill[] = input.fills.map((f) => ({
    ts: formatIsoUs(f.ts),
    tsUs: f.ts,
    orderId: String(f.orderId),
    strategy: f.strategyId === null ? null : String(f.strategyId),
    symbol: String(f.symbol),
    side: f.side,
    qty: f.qty,
    price: f.price,
    commission: f.commission,
  }));
  const workingOrders: PortfolioWorkingOrder[] = input.workingOrders
    .filter((o) => WORKING.has(o.status))
    .map((o) => ({
      orderId: String(o.id),
      strategy: o.strategyId === null ? null : String(o.strategyId),
      symbol: String(o.symbol),
      side: o.side,
      qty: o.qty,
      filledQty: o.filledQty,
      type: o.type,
      ...(o.limitPrice !== null ? { limitPrice: o.limitPrice } : {}),
      ...(o.stopPrice !== null ? { stopPrice: o.stopPrice } : {}),
      timeInForce: o.timeInForce,
    }));
  const unrealized = positions.reduce((u, p) => u + p.unrealizedPnl, 0);
  return {
    format: PORTFOLIO_FORMAT,
    version: PORTFOLIO_VERSION,
    name: input.name,
    asOf: formatIsoUs(input.asOfUs),
    asOfUs: input.asOfUs,
    initialCash: pf.initialCash,
    cash,
    equity: cash + positionsValue(positions),
    realizedPnl: realized,
    unrealizedPnl: unrealized,
    positions,
    workingOrders,
    fills,
    strategies: strategySnapshots(input.strategies as readonly Strategy[]),
    ...(input.feed !== undefined ? { feed: { ...(input.feed.url !== undefined ? { url: input.feed.url } : {}), stream: input.feed.stream, lastSeq: input.feed.lastSeq } } : {}),
  };
}

/** The file's text: pretty JSON with a final newline. */
export function serializePortfolioFile(file: PortfolioFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Writes `file` to `path` crash-safely: a temporary sibling, fsync'ed, renamed over `path`, then the
 * directory fsync'ed. A crash leaves the old file or the new one, never a mix. The file is checked
 * against the schema first (a bad state is never written).
 */
export async function writePortfolioFile(path: string, file: PortfolioFile): Promise<void> {
  const checked = portfolioFileSchema.safeParse(file);
  if (!checked.success) throw new InvalidArgumentError(`portfolio ${file.name}: ${issueText(checked.error)} (not written to ${path})`);
  await writeFileDurable(path, serializePortfolioFile(file));
}

/** `path: message` of the first zod issue, the path dotted with [i] for indices. */
function issueText(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`)).join('');
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    return `${path ? `${path}.` : ''}${keys[0]}: unknown key`;
  }
  const message = issue.code === 'invalid_type' && / received undefined$/.test(issue.message) ? 'missing' : issue.message;
  return `${path || '(root)'}: ${message}`;
}

/** Parses the text of a portfolio.json; DataError naming `file` and the field when it is not one. */
export function parsePortfolioFile(text: string, file: string): PortfolioFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DataError(`not valid JSON: ${(err as Error).message}`, { file });
  }
  if (json !== null && typeof json === 'object' && (json as { kind?: unknown }).kind === 'portfolio' && (json as { generator?: unknown }).generator === 'tapedeck') {
    throw new DataError(`a 'portfolio search' result, not a portfolio state (expected "format": "${PORTFOLIO_FORMAT}")`, { file });
  }
  if (json === null || typeof json !== 'object' || (json as { format?: unknown }).format !== PORTFOLIO_FORMAT) {
    throw new DataError(`not a Tapedeck portfolio (expected "format": "${PORTFOLIO_FORMAT}")`, { file });
  }
  const version = (json as { version?: unknown }).version;
  if (version !== PORTFOLIO_VERSION) throw new DataError(`version: ${JSON.stringify(version)} is not supported (this Tapedeck reads version ${PORTFOLIO_VERSION})`, { file });
  const parsed = portfolioFileSchema.safeParse(json);
  if (!parsed.success) throw new DataError(issueText(parsed.error), { file });
  return parsed.data;
}

/** Reads and checks a portfolio.json; DataError naming the file (and the field) when it is missing or not one. */
export async function readPortfolioFile(path: string): Promise<PortfolioFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a portfolio.json' : `unreadable (${code ?? (err as Error).message})`, { file: path });
  }
  return parsePortfolioFile(text, path);
}

/**
 * Merges two portfolios into one account (seed 003's merge):
 * - initialCash, cash and realizedPnl are summed;
 * - positions of one symbol are combined by {@link netLots} (same side: quantity-weighted average
 *   price; opposite sides: the side that remains keeps its average price and the netted quantity's
 *   P&L, (sell average - buy average) x netted qty x multiplier, moves to realizedPnl, and for a
 *   future to cash); a symbol whose multiplier (or future flag) differs is refused;
 * - a symbol's mark is the mark of the portfolio with the later asOf (A's on a tie), or the only one;
 *   market values, unrealized P&L and equity are recomputed from the marks;
 * - fills are concatenated in time order (A's before B's at the same microsecond);
 * - order ids, strategy ids (in workingOrders, fills and strategies) are prefixed with their source's
 *   name, `<name>/<id>` (two portfolios of the same name are told apart as `<name>#1` and `<name>#2`);
 * - asOf is the later of the two; the feed is dropped (the merged account reads no stream);
 *   `sources` lists the two names.
 */
export function mergePortfolios(a: PortfolioFile, b: PortfolioFile, name?: string): PortfolioFile {
  const [na, nb] = a.name === b.name ? [`${a.name}#1`, `${b.name}#2`] : [a.name, b.name];
  const later = b.asOfUs > a.asOfUs ? b : a;
  const bySymbol = new Map<string, { a?: PortfolioPosition; b?: PortfolioPosition }>();
  for (const p of a.positions) bySymbol.set(p.symbol, { a: p });
  for (const p of b.positions) bySymbol.set(p.symbol, { ...bySymbol.get(p.symbol), b: p });
  let cash = a.cash + b.cash;
  let realized = a.realizedPnl + b.realizedPnl;
  const positions: PortfolioPosition[] = [];
  for (const [symbol, pair] of bySymbol) {
    const pa = pair.a;
    const pb = pair.b;
    if (pa !== undefined && pb !== undefined) {
      if (pa.multiplier !== pb.multiplier) {
        throw new DataError(`cannot merge ${symbol}: its multiplier is ${pa.multiplier} in ${a.name} and ${pb.multiplier} in ${b.name} (not the same contract)`);
      }
      if (pa.future !== pb.future) throw new DataError(`cannot merge ${symbol}: it is a future in ${pa.future ? a.name : b.name} and not in ${pa.future ? b.name : a.name}`);
    }
    const first = (pa ?? pb)!;
    const net = netLots([pa, pb].filter((p): p is PortfolioPosition => p !== undefined));
    realized += net.realized * first.multiplier;
    if (first.future) cash += net.realized * first.multiplier;
    if (net.qty === 0) continue;
    const markLater = (later === a ? pa : pb)?.mark ?? null;
    const mark = markLater ?? (later === a ? pb : pa)?.mark ?? null;
    positions.push(positionRow(symbol, net, mark, first.multiplier, first.future));
  }
  const fills = [...a.fills.map((f) => prefixFill(f, na)), ...b.fills.map((f) => prefixFill(f, nb))];
  // Array.prototype.sort is stable: at the same microsecond A's fills stay before B's.
  fills.sort((x, y) => x.tsUs - y.tsUs);
  const workingOrders = [...a.workingOrders.map((o) => prefixOrder(o, na)), ...b.workingOrders.map((o) => prefixOrder(o, nb))];
  const strategies: Record<string, unknown> = {};
  for (const [src, f] of [
    [na, a],
    [nb, b],
  ] as const) {
    for (const [id, state] of Object.entries(f.strategies)) strategies[`${src}/${id}`] = state;
  }
  return {
    format: PORTFOLIO_FORMAT,
    version: PORTFOLIO_VERSION,
    name: name ?? `${na}+${nb}`,
    asOf: later.asOf,
    asOfUs: later.asOfUs,
    initialCash: a.initialCash + b.initialCash,
    cash,
    equity: cash + positionsValue(positions),
    realizedPnl: realized,
    unrealizedPnl: positions.reduce((u, p) => u + p.unrealizedPnl, 0),
    positions,
    workingOrders,
    fills,
    strategies,
    sources: [na, nb],
  };
}

function prefixFill(f: PortfolioFill, source: string): PortfolioFill {
  return { ...f, orderId: `${source}/${f.orderId}`, strategy: f.strategy === null ? null : `${source}/${f.strategy}` };
}

function prefixOrder(o: PortfolioWorkingOrder, source: string): PortfolioWorkingOrder {
  return { ...o, orderId: `${source}/${o.orderId}`, strategy: o.strategy === null ? null : `${source}/${o.strategy}` };
}
