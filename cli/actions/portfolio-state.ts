import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../datasets/atomic.js';
import { DataError, printable } from '../../engine/core/index.js';
import { mergePortfolios, PORTFOLIO_FILE, readPortfolioFile, serializePortfolioFile, writePortfolioFile, type PortfolioFile } from '../../live/state/portfolio-file.js';
import { formatMoney, formatNumber, shortTime } from '../../reports/html/format.js';
import { UsageError } from '../errors.js';

/** Fills `show` lists, newest last. */
const LAST_FILLS = 10;

/** Returns the portfolio file STATE names: STATE itself, or STATE/portfolio.json for a directory. */
export async function portfolioPath(state: string): Promise<string> {
  const s = await stat(state).catch((err: NodeJS.ErrnoException) => {
    throw new DataError(err.code === 'ENOENT' ? 'no such file or directory (expected a state directory or its portfolio.json)' : `unreadable (${err.code ?? err.message})`, { file: state });
  });
  if (!s.isDirectory()) return state;
  const file = join(state, PORTFOLIO_FILE);
  const f = await stat(file).catch(() => null);
  if (f === null) throw new DataError(`no ${PORTFOLIO_FILE} in this directory (a live session writes it in its --state directory once it saved its portfolio)`, { file: state });
  return file;
}

/** Reads the portfolio of STATE (a state directory or a portfolio.json). */
export async function loadPortfolio(state: string): Promise<PortfolioFile> {
  return readPortfolioFile(await portfolioPath(state));
}

/** Lays out rows as columns: the first `left` columns padded right, the others left (numbers align on the right). */
function table(header: readonly string[], rows: readonly (readonly string[])[], left = 1): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c < left ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A quantity as written: up to 8 decimals, no trailing zeros. */
function qty(x: number): string {
  return String(Number(x.toFixed(8)));
}

/** A price: 2 decimals, more (up to 6) when it has them. */
function price(x: number | null | undefined): string {
  if (x === null || x === undefined) return 'n/a';
  const s = String(Number(x.toFixed(6)));
  return (s.split('.')[1]?.length ?? 0) < 2 ? formatNumber(x, 2) : s;
}

/** The human summary `tapedeck portfolio show` prints. */
export function renderPortfolio(f: PortfolioFile, file: string): string {
  const ret = f.initialCash !== 0 ? ` (${formatNumber(((f.equity - f.initialCash) / Math.abs(f.initialCash)) * 100, 2)}%)` : '';
  const head: [string, string][] = [
    ['portfolio', `${f.name}  as of ${f.asOf}`],
    ['file', file],
    ...(f.sources !== undefined ? [['merged from', f.sources.join(', ')] as [string, string]] : []),
    ...(f.feed !== undefined ? [['feed', `${f.feed.url ?? ''}${f.feed.url !== undefined ? ' ' : ''}stream ${f.feed.stream}, last seq ${f.feed.lastSeq}`] as [string, string]] : []),
    ['initial cash', formatMoney(f.initialCash)],
    ['cash', formatMoney(f.cash)],
    ['equity', `${formatMoney(f.equity)}${ret}`],
    ['realized P&L', formatMoney(f.realizedPnl)],
    ['unrealized P&L', formatMoney(f.unrealizedPnl)],
    ['positions', String(f.positions.length)],
    ['working orders', String(f.workingOrders.length)],
    ['fills', String(f.fills.length)],
    ['strategy state', Object.keys(f.strategies).length === 0 ? 'none' : Object.keys(f.strategies).join(', ')],
  ];
  const w = Math.max(...head.map(([k]) => k.length));
  const lines = head.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  lines.push('');
  if (f.positions.length === 0) lines.push('no open positions');
  else {
    lines.push(
      ...table(
        ['symbol', 'qty', 'avg price', 'mark', 'multiplier', 'market value', 'unrealized P&L'],
        f.positions.map((p) => [p.symbol + (p.future ? ' (future)' : ''), qty(p.qty), price(p.averagePrice), price(p.mark), qty(p.multiplier), formatMoney(p.marketValue), formatMoney(p.unrealizedPnl)]),
      ),
    );
  }
  if (f.fills.length > 0) {
    const last = f.fills.slice(-LAST_FILLS);
    lines.push('', `last fills (${last.length} of ${f.fills.length})`);
    lines.push(
      ...table(
        ['time', 'order', 'strategy', 'symbol', 'side', 'qty', 'price', 'commission'],
        last.map((x) => [shortTime(x.ts), x.orderId, x.strategy ?? '-', x.symbol, x.side, qty(x.qty), price(x.price), formatMoney(x.commission)]),
        5,
      ),
    );
  }
  return lines.join('\n');
}

/** `tapedeck portfolio show STATE [--json]`. */
export async function portfolioShowAction(state: string, opts: { json?: boolean }): Promise<void> {
  const file = await portfolioPath(state);
  const f = await readPortfolioFile(file);
  process.stdout.write(opts.json ? serializePortfolioFile(f) : `${renderPortfolio(f, file)}\n`);
}

/** One CSV field: quoted when it holds a comma, a quote or a line break. */
function csvField(v: string | number | boolean | null): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The positions table as CSV (a header line, one line per position, full precision). */
export function positionsCsv(f: PortfolioFile): string {
  const header = ['symbol', 'qty', 'averagePrice', 'mark', 'multiplier', 'future', 'marketValue', 'unrealizedPnl'] as const;
  const rows = f.positions.map((p) => header.map((k) => csvField(p[k])).join(','));
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

/** Refuses an --out that exists (never overwrites), before any work. */
async function checkNewOut(out: string): Promise<void> {
  const s = await stat(out).catch(() => null);
  if (s !== null) throw new UsageError(`--out ${printable(out)}: already exists; give a new file name (an export never overwrites a file)`);
}

/** `tapedeck portfolio export STATE --out FILE [--format json|csv]`. */
export async function portfolioExportAction(state: string, opts: { out: string; format: string; quiet?: boolean }): Promise<void> {
  if (opts.format !== 'json' && opts.format !== 'csv') throw new UsageError(`--format: expected 'json' or 'csv', was ${printable(opts.format)}`);
  await checkNewOut(opts.out);
  const f = await loadPortfolio(state);
  await writeFileAtomic(opts.out, opts.format === 'csv' ? positionsCsv(f) : serializePortfolioFile(f));
  if (!opts.quiet) process.stdout.write(`wrote ${opts.out} (${opts.format === 'csv' ? `${f.positions.length} positions, csv` : 'portfolio json'})\n`);
}

/** `tapedeck portfolio merge A B --out FILE [--name N]`. */
export async function portfolioMergeAction(a: string, b: string, opts: { out: string; name?: string; quiet?: boolean; json?: boolean }): Promise<void> {
  if (opts.name !== undefined && opts.name.trim() === '') throw new UsageError(`--name: expected a name, was ${printable(opts.name)}`);
  await checkNewOut(opts.out);
  const fa = await loadPortfolio(a);
  const fb = await loadPortfolio(b);
  const merged = mergePortfolios(fa, fb, opts.name);
  await writePortfolioFile(opts.out, merged);
  if (opts.json) process.stdout.write(serializePortfolioFile(merged));
  else if (!opts.quiet) process.stdout.write(`${renderPortfolio(merged, opts.out)}\n\nwrote ${opts.out}\n`);
}
