/**
 * Writes a full-page screenshot of each report kind at 1400 px width into a directory, for a human to
 * look at: the demo's run report, a sweep report, a walk-forward report with 48 folds, and a comparison
 * of three runs with long labels. Uses Debian's Chromium (/usr/bin/chromium) through playwright-core.
 *
 *   node --import tsx bench/report-screenshots.ts [OUT_DIR]     (default out/screenshots)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { researchScenario, writeResearchFiles } from '../tests/support/research-scenario.js';

const REPO = resolve(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const WIDTH = 1400;

function cli(args: readonly string[]): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'cli/main.ts'), ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(`tapedeck ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
}

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? join(REPO, 'out/screenshots'));
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  await mkdir(out, { recursive: true });
  const work = join(out, 'reports');
  cli(['demo', '--out', join(work, 'demo'), '--quiet']);
  const data = join(work, 'research-data');
  if (!existsSync(data)) cli(['data', 'generate', '--seed', '11', '--symbols', 'AAA', '--days', '400', '--kinds', 'bars', '--out', data]);
  const { scenario, space } = await writeResearchFiles(work, data);
  cli(['sweep', scenario, '--space', space, '--workers', '2', '--out', join(work, 'sweep'), '--quiet']);
  const small = join(work, 'space-small.json');
  await writeFile(small, JSON.stringify({ parameters: { 'strategies.0.params.fast': { type: 'int', min: 5, max: 15, step: 5 } } }));
  cli(['walkforward', scenario, '--space', small, '--train', '60d', '--test', '7d', '--workers', '2', '--out', join(work, 'wf'), '--quiet']);
  // Three runs with long directory names: the comparison's legend has to hold them.
  const runs: string[] = [];
  for (const [fast, slow] of [
    [5, 20],
    [10, 40],
    [20, 60],
  ] as const) {
    const dir = join(work, `sma-cross-fast-${fast}-slow-${slow}-long-short-fraction-fees`);
    const file = join(work, `sma-${fast}-${slow}.json`);
    await writeFile(file, JSON.stringify(researchScenario(`sma ${fast}/${slow}`, data, fast, slow)));
    cli(['run', file, '--out', dir, '--quiet']);
    runs.push(dir);
  }
  cli(['compare', join(work, 'demo'), ...runs, '--out', join(work, 'compare.html'), '--quiet']);

  const pages: [string, string][] = [
    ['run-report.png', join(work, 'demo', 'report.html')],
    ['sweep-report.png', join(work, 'sweep', 'sweep.html')],
    ['walkforward-report.png', join(work, 'wf', 'walkforward.html')],
    ['compare-report.png', join(work, 'compare.html')],
  ];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 1000 }, deviceScaleFactor: 1 });
    for (const [png, html] of pages) {
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(out, png), fullPage: true });
      console.log(join(out, png));
    }
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
