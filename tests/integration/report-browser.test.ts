import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparisonLabels, renderComparisonHtml } from '../../reports/html/index.js';
import type { RunReport } from '../../reports/index.js';
import { runCli } from '../support/cli.js';

/**
 * Opens the demo's report.html (and a comparison page) in headless Debian Chromium over file://, the way
 * a user double-clicks it: no console error, no request leaves the file, every chart has drawn SVG paths,
 * the trade table sorts, and a full-page screenshot is saved (its path is printed).
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
  const demo = runCli(['demo', '--out', join(dir, 'demo')]);
  expect(demo.code, demo.stderr).toBe(0);
  context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    offline: true,
  });
}, 180_000);

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

/** Every chart container on the page: its name, how many SVG paths it drew, and its rendered size. */
async function chartStats(page: Page): Promise<{ name: string; paths: number; width: number; height: number }[]> {
  return page.$$eval('figure.chart', (figs) =>
    figs.map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return { name: f.getAttribute('data-chart') ?? '', paths: f.querySelectorAll('svg path').length, width: box?.width ?? 0, height: box?.height ?? 0 };
    }),
  );
}

describe('report.html in headless Chromium', () => {
  it.skipIf(!hasChromium)('renders the demo report with every chart drawn, no console error and no request off the file', async () => {
    const { page, problems } = await open(join(dir, 'demo', 'report.html'));
    expect(problems).toEqual({ console: [], failed: [], foreign: [] });
    const charts = await chartStats(page);
    expect(charts.map((c) => c.name)).toEqual(['equity-drawdown', 'rolling-sharpe', 'price-0', 'price-1', 'price-2', 'price-3', 'exposure', 'attribution']);
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

  it.skipIf(!hasChromium)('sorts the trade list by a numeric column, ascending then descending', async () => {
    const { page } = await open(join(dir, 'demo', 'report.html'));
    const pnl = () => page.$$eval('#trade-table tbody tr', (rows) => rows.map((r) => Number(r.cells[9]!.getAttribute('data-v'))));
    const before = await pnl();
    expect(before.length).toBeGreaterThan(10);
    const header = page.locator('#trade-table thead th', { hasText: 'PnL' });
    await header.click();
    const asc = await pnl();
    expect(asc).toEqual([...before].sort((a, b) => a - b));
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    await header.click();
    expect(await pnl()).toEqual([...before].sort((a, b) => b - a));
    expect(await header.getAttribute('aria-sort')).toBe('descending');
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
});
