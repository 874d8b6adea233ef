import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { accountSeries } from '../../reports/account-view.js';
import { comparisonLabels, formatMoney, formatNumber, renderComparisonHtml, renderRunReportHtml, renderSweepHtml } from '../../reports/html/index.js';
import type { RunReport } from '../../reports/index.js';
import type { SweepJsonReport } from '../../reports/research-schema.js';
import { runCli } from '../support/cli.js';
import { writeResearchFiles } from '../support/research-scenario.js';
import { sampleReport } from '../unit/reports/html/fixture.js';
import { manySweep } from '../unit/reports/html/sweep-fixture.js';

const START_US = Date.parse('2023-01-02T00:00:00Z') * 1000;
const HOUR_US = 3_600_000_000;

/**
 * Opens the demo's report.html, a comparison page, a sweep's sweep.html and a walk-forward's
 * walkforward.html in headless Debian Chromium over file://, the way a user double-clicks them: no
 * console error, no request leaves the file, ECharts (inlined in the page) has drawn every chart, the
 * tables sort, hovering the equity chart shows the date and value, zooming it zooms every time chart of
 * the run, and a full-page screenshot of each is saved (its path is printed).
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`report-browser: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

/** Launch flags for a sandbox-less CI container with no network: nothing phones home. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: string;
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (!hasChromium) return;
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-report-browser-'));
  const demo = runCli(['demo', '--out', join(dir, 'demo'), '--quiet']);
  expect(demo.code, demo.stderr).toBe(0);
  // A small real sweep (3 parameters, one categorical, a few failed trials) and a walk-forward over it.
  const data = join(dir, 'research-data');
  await generateDataset({ seed: 11, symbols: ['AAA'], days: 400, kinds: ['bars'], out: data });
  const { scenario, space } = await writeResearchFiles(dir, data);
  const sweep = runCli(['sweep', scenario, '--space', space, '--workers', '2', '--pbo-blocks', '8', '--out', join(dir, 'sweep'), '--quiet']);
  expect(sweep.code, sweep.stderr).toBe(0);
  const wf = runCli(['walkforward', scenario, '--space', space, '--train', '200d', '--test', '100d', '--workers', '2', '--out', join(dir, 'wf'), '--quiet']);
  expect(wf.code, wf.stderr).toBe(0);
  context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    offline: true,
  });
}, 300_000);

afterAll(async () => {
  await context?.close();
  // The screenshots stay for a human to look at; the browser profile goes.
  if (dir) await rm(join(dir, 'chromium-profile'), { recursive: true, force: true });
});

interface Problems {
  readonly console: string[];
  readonly failed: string[];
  readonly foreign: string[];
}

/** Opens a local HTML file, recording console errors, page errors, failed requests and any request for another URL. */
async function open(file: string): Promise<{ page: Page; problems: Problems }> {
  const page = await context!.newPage();
  const url = pathToFileURL(file).href;
  const problems: Problems = { console: [], failed: [], foreign: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.console.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => {
    if (r.url() !== url) problems.foreign.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/**
 * Every chart container on the page: its name, how many SVG paths ECharts drew (for a chart drawn on a
 * canvas: how many of its pixels are not transparent), and its rendered size.
 */
async function chartStats(page: Page): Promise<{ name: string; paths: number; width: number; height: number }[]> {
  return page.$$eval('figure.chart', (figs) =>
    figs.map((f) => {
      const canvas = f.querySelector('canvas');
      const drawn = canvas ?? f.querySelector('svg');
      const box = drawn?.getBoundingClientRect();
      let paths = f.querySelectorAll('svg path').length;
      if (canvas) {
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        paths = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) paths++;
      }
      return { name: f.getAttribute('data-chart') ?? '', paths, width: box?.width ?? 0, height: box?.height ?? 0 };
    }),
  );
}

describe('report.html in headless Chromium', () => {
  it.skipIf(!hasChromium)('renders the demo report with every chart drawn, no console error and no request off the file', async () => {
    const { page, problems } = await open(join(dir, 'demo', 'report.html'));
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    const charts = await chartStats(page);
    // The buying power and margin pane is drawn when the run recorded them (every run once accounts exist).
    const demoReport = JSON.parse(await readFile(join(dir, 'demo', 'report.json'), 'utf8')) as RunReport;
    const account = accountSeries(demoReport) !== null ? ['account'] : [];
    expect(charts.map((c) => c.name)).toEqual(['equity-drawdown', ...account, 'price-0', 'price-1', 'price-2', 'price-3', 'exposure', 'yearly', 'distribution', 'rolling', 'attribution']);
    for (const c of charts) {
      expect(c.paths, c.name).toBeGreaterThan(0);
      expect(c.width, c.name).toBeGreaterThan(600);
      expect(c.height, c.name).toBeGreaterThan(100);
    }
    const heatCells = await page.$$eval('table.heat tbody td', (tds) => tds.filter((td) => /%$/.test(td.textContent ?? '')).length);
    expect(heatCells).toBeGreaterThan(20);
    const shot = join(dir, 'demo-report.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`report-browser: screenshot of the demo report at ${shot}`);
    await page.close();
  });

  it.skipIf(!hasChromium)('draws the trade list a page at a time from its data: the first 100 rows, then 101-155, the count line right', async () => {
    const { page, problems } = await open(join(dir, 'demo', 'report.html'));
    const demoReport = JSON.parse(await readFile(join(dir, 'demo', 'report.json'), 'utf8')) as RunReport;
    const n = demoReport.tables!.trades.rows;
    expect(n).toBe(155);
    const rows = () => page.$$eval('#trade-table tbody tr', (trs) => trs.map((r) => Array.from(r.cells as ArrayLike<{ textContent: string | null }>).map((c) => c.textContent ?? '')));
    const count = () => page.locator('[data-records="trade-table"] .count').textContent();
    const first = await rows();
    expect(first).toHaveLength(100);
    expect(first.map((r) => r[0])).toEqual(Array.from({ length: 100 }, (_, i) => String(i + 1)));
    expect(first[0]).toHaveLength(12);
    expect(await count()).toBe('rows 1-100 of 155');
    expect(await page.locator('[data-records="trade-table"] button[data-go="prev"]').isDisabled()).toBe(true);
    await page.locator('[data-records="trade-table"] button[data-go="next"]').click();
    expect((await rows()).map((r) => r[0])).toEqual(Array.from({ length: 55 }, (_, i) => String(i + 101)));
    expect(await count()).toBe('rows 101-155 of 155');
    expect(await page.locator('[data-records="trade-table"] button[data-go="next"]').isDisabled()).toBe(true);
    await page.locator('[data-records="trade-table"] button[data-go="first"]').click();
    expect(await rows()).toEqual(first);
    // Without JavaScript the reader is told where the rows are.
    expect(await page.locator('[data-records="trade-table"] noscript').count()).toBe(1);
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    await page.close();
  });

  it.skipIf(!hasChromium)('sorts every row of the trade list by PnL, ascending then descending, not only the page shown', async () => {
    // 250 round trips (three pages) of known PnL, in a page written by the library.
    const trades = Array.from({ length: 250 }, (_, j) => {
      // PnL to the last bit (the page holds such a column as its doubles' bytes, base64).
      const pnl = ((j * 7919) % 250) - 124.5 + (j % 3) / 8 + Math.PI * 1e-9 * j;
      return { symbol: j % 2 ? 'AAA' : 'BBB', strategyId: 'trend', side: j % 2 ? ('long' as const) : ('short' as const), qty: 10, entryTs: START_US + j * HOUR_US, entryPrice: 100, exitTs: START_US + (j + 1) * HOUR_US, exitPrice: 100 + pnl / 10, pnl, returnPct: pnl / 1000, commission: 0.5 };
    });
    const file = join(dir, 'many-trades.html');
    const html = renderRunReportHtml(sampleReport({ trades }));
    expect(html).toContain('{"f":"money","sign":1,"b":"');
    await writeFile(file, html);
    const { page, problems } = await open(file);
    const table = page.locator('[data-records="trade-table"]');
    const pnl = () => page.$$eval('#trade-table tbody tr', (trs) => trs.map((r) => r.cells[9]!.textContent ?? ''));
    const numbers = () => page.$$eval('#trade-table tbody tr', (trs) => trs.map((r) => Number(r.cells[0]!.textContent)));
    const count = () => table.locator('.count').textContent();
    expect(await count()).toBe('rows 1-100 of 250');
    await table.locator('button[data-go="next"]').click();
    expect(await numbers()).toEqual(Array.from({ length: 100 }, (_, i) => i + 101));
    expect(await count()).toBe('rows 101-200 of 250');
    await table.locator('button[data-go="last"]').click();
    expect(await count()).toBe('rows 201-250 of 250');
    /** Every page's PnL, first to last (a sort shows the first page). */
    const all = async (): Promise<string[]> => {
      expect(await count()).toBe('rows 1-100 of 250');
      const out = await pnl();
      for (let k = 1; k < 3; k++) {
        await table.locator('button[data-go="next"]').click();
        out.push(...(await pnl()));
      }
      return out;
    };
    const header = page.locator('#trade-table thead th', { hasText: 'PnL' });
    await header.click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    expect(await count()).toBe('rows 1-100 of 250');
    const asc = await all();
    expect(asc).toEqual(trades.map((t) => t.pnl).sort((a, b) => a - b).map((x) => formatMoney(x)));
    await header.click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    expect(await all()).toEqual(trades.map((t) => t.pnl).sort((a, b) => b - a).map((x) => formatMoney(x)));
    // The lowest PnL of all 250 is on the first page ascending, with its row number and its loss's class.
    await header.click();
    const low = trades.reduce((a, t, j) => (t.pnl < trades[a]!.pnl ? j : a), 0);
    expect(await page.$eval('#trade-table tbody tr', (r) => [r.cells[0]!.textContent, r.cells[9]!.className])).toEqual([String(low + 1), 'num neg']);
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    await page.close();
  });

  it.skipIf(!hasChromium)('sorts a plain table and a record table from the keyboard: every header focusable, Enter sorts ascending, then descending', async () => {
    const { page, problems } = await open(join(dir, 'demo', 'report.html'));
    // Both sorters' headers are in the tab order: the strategies' plain table (6 columns) and the trade list (12).
    const tabIndexes = await page.$$eval('table.sortable thead th', (ths) => ths.map((th) => (th as unknown as { tabIndex: number }).tabIndex));
    expect(tabIndexes.length).toBeGreaterThanOrEqual(18);
    expect(tabIndexes.every((t) => t === 0)).toBe(true);
    /** The cells of column k of a table's shown rows: each one's data-v (a plain table's number) or its text. */
    const column = (table: string, k: number) =>
      page.$$eval(`${table} tbody tr`, (trs, k) => trs.map((r) => { const td = (r as unknown as { cells: ArrayLike<{ getAttribute(n: string): string | null; textContent: string | null }> }).cells[k]!; return td.getAttribute('data-v') ?? td.textContent ?? ''; }), k);
    const enter = async (table: string, label: string) => {
      const header = page.locator(`${table} thead th`, { hasText: new RegExp(`^${label}$`) });
      await header.focus();
      await page.keyboard.press('Enter');
      return header.getAttribute('aria-sort');
    };
    const plain = 'section#attribution table.sortable';
    const trades = (await column(plain, 1)).map(Number);
    expect(trades.length).toBeGreaterThan(1);
    expect(await enter(plain, 'Trades')).toBe('ascending');
    expect((await column(plain, 1)).map(Number)).toEqual([...trades].sort((a, b) => a - b));
    expect(await enter(plain, 'Trades')).toBe('descending');
    expect((await column(plain, 1)).map(Number)).toEqual([...trades].sort((a, b) => b - a));
    // The trade list (155 round trips, two pages): Enter at a header sorts all of them, the first page shown.
    const next = page.locator('[data-records="trade-table"] button[data-go="next"]');
    const exits = await column('#trade-table', 8);
    await next.click();
    exits.push(...(await column('#trade-table', 8)));
    expect(exits).toHaveLength(155);
    const byValue = (a: string, b: string) => Number(a.replace(/,/g, '')) - Number(b.replace(/,/g, ''));
    expect(await enter('#trade-table', 'Exit price')).toBe('ascending');
    expect(await column('#trade-table', 8)).toEqual([...exits].sort(byValue).slice(0, 100));
    expect(await enter('#trade-table', 'Exit price')).toBe('descending');
    expect(await column('#trade-table', 8)).toEqual([...exits].sort(byValue).reverse().slice(0, 100));
    expect(await enter('#trade-table', '#')).toBe('ascending');
    expect(await enter('#trade-table', '#')).toBe('descending');
    expect(await column('#trade-table', 0)).toEqual(Array.from({ length: 100 }, (_, i) => String(155 - i)));
    // A header of the other table of the page keeps its own state: one table's sort is no other's.
    expect(await page.locator(`${plain} thead th[aria-sort]`).count()).toBe(1);
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    await page.close();
  });

  it.skipIf(!hasChromium)('shows the date and the values in a tooltip when the pointer is over the equity chart', async () => {
    const { page, problems } = await open(join(dir, 'demo', 'report.html'));
    const box = (await page.locator('figure[data-chart="equity-drawdown"] div.echart').boundingBox())!;
    // The middle of the equity grid (78 px from the left, 30 px from the top, 250 px high).
    await page.mouse.move(box.x + 78 + (box.width - 102) / 2, box.y + 30 + 125);
    const tooltip = page.locator('figure[data-chart="equity-drawdown"] div.echart > div').filter({ hasText: 'Equity:' });
    await tooltip.waitFor({ state: 'visible', timeout: 5000 });
    const text = (await tooltip.innerText()).replace(/\s+/g, ' ');
    // The demo runs daily bars over 2023-2024: the date, then the equity, buy and hold and the drawdown.
    expect(text).toMatch(/^202[34]-\d\d-\d\d Equity: \d{1,3}(,\d{3})+ Buy & hold: \d{1,3}(,\d{3})+ Drawdown: -?\d+\.\d\d% ?$/);
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    await page.close();
  });

  it.skipIf(!hasChromium)('zooms every time chart of the run when the equity chart is zoomed (Ctrl + wheel)', async () => {
    const { page, problems } = await open(join(dir, 'demo', 'report.html'));
    /** The visible time window [start, end] in milliseconds of each chart of the run's zoom group, by chart name. */
    const windows = () =>
      page.evaluate(`(function(){var out={};document.querySelectorAll('figure.chart').forEach(function(f){var el=f.querySelector('div.echart');if(el.getAttribute('data-group')!=='run')return;
        var c=echarts.getInstanceByDom(el);var ax=c.getModel().getComponent('xAxis',0).axis.scale.getExtent();out[f.getAttribute('data-chart')]=[ax[0],ax[1]];});return out;})()`) as Promise<Record<string, [number, number]>>;
    const before = await windows();
    const names = Object.keys(before);
    expect(names).toEqual(expect.arrayContaining(['equity-drawdown', 'price-0', 'price-3', 'exposure', 'rolling', 'attribution']));
    const full = before['equity-drawdown']!;
    for (const n of names) expect(before[n], n).toEqual(full);
    const box = (await page.locator('figure[data-chart="equity-drawdown"] div.echart').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 150);
    await page.keyboard.down('Control');
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -400);
    await page.keyboard.up('Control');
    await page.waitForTimeout(200);
    const after = await windows();
    const zoomed = after['equity-drawdown']!;
    expect(zoomed[1] - zoomed[0]).toBeLessThan((full[1] - full[0]) * 0.7);
    for (const n of names) {
      expect(after[n]![0], n).toBeCloseTo(zoomed[0], -4);
      expect(after[n]![1], n).toBeCloseTo(zoomed[1], -4);
    }
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    await page.close();
  });

  it.skipIf(!hasChromium)('switches the equity axis to a log scale and back', async () => {
    const { page, problems } = await open(join(dir, 'demo', 'report.html'));
    const axisType = () => page.evaluate(`echarts.getInstanceByDom(document.querySelector('figure[data-chart="equity-drawdown"] div.echart')).getOption().yAxis.map(function(a){return a.type;})`);
    expect(await axisType()).toEqual(['value', 'value']);
    const button = page.locator('button[data-log-chart="equity-drawdown"]');
    await button.click();
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    expect(await axisType()).toEqual(['log', 'value']);
    await button.click();
    expect(await axisType()).toEqual(['value', 'value']);
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    await page.close();
  });

  it.skipIf(!hasChromium)('renders a comparison page with both charts drawn', async () => {
    const file = join(dir, 'demo', 'report.json');
    const report = JSON.parse(await readFile(file, 'utf8')) as RunReport;
    const sources = [file, join(dir, 'copy', 'report.json')];
    const labels = comparisonLabels(sources.map((source) => ({ source, report })));
    const out = join(dir, 'compare.html');
    await writeFile(out, renderComparisonHtml(sources.map((source, i) => ({ label: labels[i]!, source, report }))));
    const { page, problems } = await open(out);
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    const charts = await chartStats(page);
    expect(charts.map((c) => c.name)).toEqual(['compare-equity', 'compare-drawdown']);
    for (const c of charts) expect(c.paths, c.name).toBeGreaterThan(0);
    const shot = join(dir, 'compare.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`report-browser: screenshot of the comparison page at ${shot}`);
    await page.close();
  });

  it.skipIf(!hasChromium)('renders a sweep report with the heatmap and the scatter drawn, and sorts its trial table by fitness', async () => {
    const { page, problems } = await open(join(dir, 'sweep', 'sweep.html'));
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    const charts = await chartStats(page);
    expect(charts.map((c) => c.name)).toEqual(['sweep-heatmap', 'sweep-scatter']);
    for (const c of charts) {
      expect(c.paths, c.name).toBeGreaterThan(10);
      expect(c.width, c.name).toBeGreaterThan(600);
      expect(c.height, c.name).toBeGreaterThan(150);
    }
    // The heatmap draws a labelled cell per (fast, slow) pair (5 x 5), plus the two ends of its colour scale.
    const cellLabels = await page.$$eval('figure[data-chart="sweep-heatmap"] svg text', (ts) => ts.map((t) => t.textContent ?? '').filter((x) => /^-?\d+\.\d\d$|^failed$/.test(x)).length);
    expect(cellLabels).toBe(25 + 2);
    // Every trial on one page: no pager; a header click sorts them by fitness, ascending then descending.
    const sweep = JSON.parse(await readFile(join(dir, 'sweep', 'sweep.json'), 'utf8')) as SweepJsonReport;
    const fitness = () => page.$$eval('#trial-table tbody tr', (rows) => rows.map((r) => r.cells[6]!.textContent ?? ''));
    expect(await fitness()).toHaveLength(50);
    expect(await page.locator('[data-records="trial-table"] .pager').isHidden()).toBe(true);
    const header = page.locator('#trial-table thead th', { hasText: /^Fitness$/ });
    await header.click();
    const key = (v: number | null) => (v === null ? -Infinity : v);
    const sorted = sweep.trials.map((t) => t.fitness).sort((a, b) => key(a) - key(b));
    expect(await fitness()).toEqual(sorted.map((v) => formatNumber(v)));
    await header.click();
    expect(await fitness()).toEqual([...sorted].reverse().map((v) => formatNumber(v)));
    expect(await page.locator('#failed h2').textContent()).toMatch(/^Failed trials \(\d+ of 50\)$/);
    // Sorting scrolled the page; the sticky navigation bar belongs at the top of a full-page screenshot.
    await page.evaluate('window.scrollTo(0, 0)');
    const shot = join(dir, 'sweep-report.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`report-browser: screenshot of the sweep report at ${shot}`);
    await page.close();
  });

  it.skipIf(!hasChromium)('draws a sweep of 2,500 trials a page at a time: rows 101-200 on page 2, a header click sorts all of them, the best trial bold', async () => {
    const sweep = manySweep(2500, 1);
    const file = join(dir, 'many-trials.html');
    await writeFile(file, renderSweepHtml(sweep));
    const { page, problems } = await open(file);
    const table = page.locator('[data-records="trial-table"]');
    const count = () => table.locator('.count').textContent();
    const rows = () => page.$$eval('#trial-table tbody tr', (trs) => trs.map((r) => ({ rank: Number(r.cells[0]!.textContent), key: r.cells[1]!.textContent, sharpe: r.cells[7]!.textContent, cls: r.className, weight: (globalThis as unknown as { getComputedStyle(e: unknown): { fontWeight: string } }).getComputedStyle(r.cells[1]!).fontWeight })));
    expect(await table.locator('.pager').isVisible()).toBe(true);
    expect(await count()).toBe('rows 1-100 of 2,500');
    // The best trial is rank 1, its row bold; no other row is.
    const first = await rows();
    expect(first[0]).toMatchObject({ rank: 1, key: sweep.best!.key, cls: 'best', weight: '650' });
    expect(first.slice(1).every((r) => r.cls === '' && r.weight === '400')).toBe(true);
    /** The runHash cells of the page shown: text and title (the column's codes list only the rows that repeat an entry). */
    const hashes = () => page.$$eval('#trial-table tbody tr', (trs) => trs.map((r) => { const td = r.cells[r.cells.length - 2]!; return [td.textContent, td.getAttribute('title')]; }));
    const ranked = [...sweep.trials].sort((a, b) => (b.fitness ?? -Infinity) - (a.fitness ?? -Infinity) || (a.key < b.key ? -1 : 1));
    const hashCells = (from: number, to: number) => ranked.slice(from, to).map((t) => (t.runHash ? [t.runHash.slice(0, 12), t.runHash] : ['', null]));
    expect(await hashes()).toEqual(hashCells(0, 100));
    await table.locator('button[data-go="last"]').click();
    expect(await hashes()).toEqual(hashCells(2400, 2500));
    expect(await hashes()).toContainEqual(['', null]);
    await table.locator('button[data-go="first"]').click();
    await table.locator('button[data-go="next"]').click();
    expect((await rows()).map((r) => r.rank)).toEqual(Array.from({ length: 100 }, (_, i) => i + 101));
    expect(await count()).toBe('rows 101-200 of 2,500');
    // Sharpe descending (a second click): the first row is the highest Sharpe of all 2,500, not of the page shown.
    const header = page.locator('#trial-table thead th', { hasText: /^Sharpe$/ });
    await header.click();
    await header.click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    expect(await count()).toBe('rows 1-100 of 2,500');
    const top = sweep.trials.reduce((b, t) => ((t.metrics?.sharpe ?? -Infinity) > (b.metrics?.sharpe ?? -Infinity) ? t : b));
    // The highest Sharpe's trial is far down the page's own order (best fitness first).
    expect(ranked.indexOf(top)).toBeGreaterThan(200);
    const sorted = await rows();
    expect(sorted[0]).toMatchObject({ rank: ranked.indexOf(top) + 1, key: top.key, sharpe: formatNumber(top.metrics!.sharpe) });
    expect(sorted.map((r) => r.sharpe)).toEqual([...sweep.trials].map((t) => t.metrics?.sharpe ?? -Infinity).sort((a, b) => b - a).slice(0, 100).map((x) => formatNumber(x)));
    // The best row stays bold wherever the sort puts it.
    await page.locator('#trial-table thead th', { hasText: /^Fitness$/ }).click();
    await page.locator('#trial-table thead th', { hasText: /^Fitness$/ }).click();
    expect((await rows())[0]).toMatchObject({ key: sweep.best!.key, cls: 'best', weight: '650' });
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    await page.close();
  });

  it.skipIf(!hasChromium)('renders a walk-forward report with the stitched curve and the per-fold bars drawn, and sorts its fold table', async () => {
    const { page, problems } = await open(join(dir, 'wf', 'walkforward.html'));
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    const charts = await chartStats(page);
    expect(charts.map((c) => c.name)).toEqual(['wf-stitched', 'wf-is-oos']);
    for (const c of charts) {
      expect(c.paths, c.name).toBeGreaterThan(3);
      expect(c.width, c.name).toBeGreaterThan(600);
      expect(c.height, c.name).toBeGreaterThan(150);
    }
    const folds = () => page.$$eval('#fold-table tbody tr', (rows) => rows.map((r) => Number(r.cells[0]!.getAttribute('data-v'))));
    const before = await folds();
    expect(before.length).toBeGreaterThanOrEqual(2);
    await page.locator('#fold-table thead th', { hasText: /^Fold$/ }).click();
    await page.locator('#fold-table thead th', { hasText: /^Fold$/ }).click();
    expect(await folds()).toEqual([...before].sort((a, b) => b - a));
    // Sorting scrolled the page; the sticky navigation bar belongs at the top of a full-page screenshot.
    await page.evaluate('window.scrollTo(0, 0)');
    const shot = join(dir, 'walkforward-report.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`report-browser: screenshot of the walk-forward report at ${shot}`);
    await page.close();
  });
});
