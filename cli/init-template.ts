import { formatIsoUs } from '../engine/core/index.js';
import type { BarColumns } from '../datasets/synthetic/index.js';

/**
 * The project `tapedeck init DIR` writes: a package.json depending on tapedeck, one strategy module
 * written against the public API only (`import { defineStrategy, indicators } from 'tapedeck'`), one
 * scenario naming it with its own small bar file, a sweep space, one test run by `node --test` (no
 * devDependency) and a README. Everything here is text; cli/actions/init.ts writes it.
 */

/** Symbol of the sample bars (a single-file bar source is named by the scenario's first symbol). */
export const SAMPLE_SYMBOL = 'AAA';
/** Seed and length of the sample bars: fixed, so every new project starts from the same data and runHash. */
export const SAMPLE_SEED = 7;
export const SAMPLE_DAYS = 504;
/** Where the sample bars go, relative to the project. */
export const SAMPLE_FILE = `data/${SAMPLE_SYMBOL}.csv`;

/** What the templates are filled with. */
export interface ProjectOptions {
  /** The project's npm name. */
  readonly name: string;
  /** The dependency spec of tapedeck (`file:/abs/path`, a version range or a tarball). */
  readonly tapedeck: string;
  /** The sample daily bars. */
  readonly bars: BarColumns;
}

/** One file of the project: its path relative to the project directory and its text. */
export interface ProjectFile {
  readonly path: string;
  readonly text: string;
}

/** Returns every file of a new project, in the order they are listed to the user. */
export function projectFiles(o: ProjectOptions): ProjectFile[] {
  return [
    { path: 'package.json', text: packageJson(o) },
    { path: 'strategies/breakout.ts', text: STRATEGY_SOURCE },
    { path: 'scenario.json', text: SCENARIO_SOURCE },
    { path: 'space.json', text: SPACE },
    { path: SAMPLE_FILE, text: barsCsv(o.bars) },
    { path: 'test/breakout.test.mjs', text: TEST },
    { path: 'README.md', text: readme(o) },
    { path: '.gitignore', text: 'node_modules/\nout/\n.tapedeck/\n' },
  ];
}

/** Returns an npm package name made from a directory name (lower case, `-` for anything else). */
export function packageName(dirName: string): string {
  const name = dirName
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '')
    .slice(0, 214);
  return name === '' ? 'tapedeck-project' : name;
}

function packageJson(o: ProjectOptions): string {
  const pkg = {
    name: o.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    description: 'Backtests of my own strategies with Tapedeck',
    scripts: {
      backtest: 'tapedeck run scenario.json',
      sweep: 'tapedeck sweep scenario.json --space space.json --out out/sweep',
      walkforward: 'tapedeck walkforward scenario.json --space space.json --train 180d --test 60d --out out/walkforward',
      test: 'node --test test/',
    },
    dependencies: { tapedeck: o.tapedeck },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** The sample bars as a CSV Tapedeck reads directly (`data.bars` names it): ISO dates, OHLCV. */
export function barsCsv(bars: BarColumns): string {
  const lines = ['date,open,high,low,close,volume'];
  for (let i = 0; i < bars.ts.length; i++) {
    const date = formatIsoUs(bars.ts[i]!).slice(0, 10);
    lines.push(`${date},${bars.open[i]},${bars.high[i]},${bars.low[i]},${bars.close[i]},${bars.volume[i]}`);
  }
  return `${lines.join('\n')}\n`;
}

/** strategies/breakout.ts of a new project (the README's "Write your own strategy" shows it). */
export const STRATEGY_SOURCE = `import { defineStrategy, indicators } from 'tapedeck';

/**
 * Donchian breakout, long only: buys \`units\` when a bar closes above the highest high of the
 * \`entryBars\` bars before it, and sells when a bar closes below the lowest low of the \`exitBars\` bars
 * before it (the turtle traders' rule, without pyramiding).
 *
 * Tapedeck calls onBar once per symbol each time a bar closes; \`ctx.setTarget\` asks for a position
 * (in units) and the engine sends the difference as a market order, filled at the next bar's open
 * (the scenario's \`venue.marketFill\`).
 */
export default defineStrategy({
  name: 'breakout',
  description: 'Donchian breakout, long only: enter above the highest high of entryBars bars, exit below the lowest low of exitBars bars.',
  // Every parameter with its default; a scenario's "params" override them and any other key is refused.
  defaults: { entryBars: 20, exitBars: 10, units: 100 },
  // A run on fewer bars than this is refused before it starts, naming this strategy.
  warmup: (p) => ({ bars: Math.max(p.entryBars, p.exitBars) + 1, because: \`entryBars=\${p.entryBars}, exitBars=\${p.exitBars}\` }),
  create({ symbols, params }) {
    for (const key of ['entryBars', 'exitBars'] as const) {
      const v = params[key];
      if (!Number.isInteger(v) || v < 1) throw new Error(\`invalid '\${key}': expected a whole number of bars >= 1, was \${v}\`);
    }
    if (!(params.units > 0)) throw new Error(\`invalid 'units': expected a positive number, was \${params.units}\`);
    // One pair of channels per symbol, fed with each bar after the decision on it, so that they
    // always describe the bars BEFORE the one being judged.
    const channels = new Map(
      symbols.map((s) => [s, { entry: new indicators.DonchianChannel(params.entryBars), exit: new indicators.DonchianChannel(params.exitBars) }]),
    );
    return {
      onBar(ctx, bars) {
        const ch = channels.get(bars.symbol)!;
        const close = bars.close();
        if (ctx.position(bars.symbol) === 0) {
          if (ch.entry.ready && close > ch.entry.upper) ctx.setTarget(bars.symbol, params.units);
        } else if (ch.exit.ready && close < ch.exit.lower) {
          ctx.setTarget(bars.symbol, 0);
        }
        ch.entry.update(bars.high(), bars.low());
        ch.exit.update(bars.high(), bars.low());
      },
    };
  },
});
`;

/** scenario.json of a new project. */
export const SCENARIO_SOURCE = `{
  "$schema": "./node_modules/tapedeck/scenarios/scenario.schema.json",
  "name": "breakout",
  "description": "Donchian breakout (20-bar entry, 10-bar exit, 100 units) on two years of seeded synthetic daily bars; market orders fill at the next open; 0.1% commission.",
  "seed": 1,
  "initialCash": 100000,
  "data": { "bars": "${SAMPLE_FILE}", "symbols": ["${SAMPLE_SYMBOL}"] },
  "strategies": [
    { "id": "breakout", "type": "./strategies/breakout.ts", "params": { "entryBars": 20, "exitBars": 10, "units": 100 } }
  ],
  "venue": { "marketFill": "next_open", "fees": { "kind": "fraction", "rate": 0.001 } }
}
`;

const SPACE = `{
  "parameters": {
    "strategies.0.params.entryBars": { "type": "int", "min": 10, "max": 40, "step": 10 },
    "strategies.0.params.exitBars": { "type": "int", "min": 5, "max": 20, "step": 5 }
  },
  "constraints": ["strategies.0.params.exitBars < strategies.0.params.entryBars"]
}
`;

const TEST = `// Run with \`npm test\` (node's own test runner: no test framework to install).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { backtest } from 'tapedeck';

const scenario = fileURLToPath(new URL('../scenario.json', import.meta.url));

test('the breakout trades the sample bars long only, 0 or 100 units at a time', async () => {
  const result = await backtest(scenario);
  assert.ok(result.fills.length >= 2, \`expected an entry and an exit, got \${result.fills.length} fills\`);
  let position = 0;
  for (const fill of result.fills) {
    position += fill.side === 'buy' ? fill.qty : -fill.qty;
    assert.ok(position === 0 || position === 100, \`position \${position} after the fill at \${fill.ts}\`);
  }
});

test('the same scenario gives the same runHash; other parameters give another', async () => {
  const a = await backtest(scenario);
  const b = await backtest(scenario);
  assert.equal(b.runHash, a.runHash);
  const c = await backtest(scenario, { overrides: ['strategies.0.params.entryBars=40'] });
  assert.notEqual(c.runHash, a.runHash);
});
`;

function readme(o: ProjectOptions): string {
  return `# ${o.name}

A Tapedeck project: a strategy of your own, a scenario that runs it, sample data and a test.

\`\`\`sh
npm install
npx tapedeck run scenario.json            # one backtest: prints the metrics and the runHash, writes out/breakout/
npm test                                  # test/breakout.test.mjs: calls backtest() from tapedeck
npm run sweep                             # every entryBars x exitBars of space.json on worker threads
npm run walkforward                       # optimize on 180 days, trade the next 60, roll
\`\`\`

| file | what it is |
|---|---|
| \`strategies/breakout.ts\` | the strategy: \`export default defineStrategy({ name, description, defaults, warmup, create })\`; TypeScript runs without a build step |
| \`scenario.json\` | what to run: data, strategy (\`"type": "./strategies/breakout.ts"\`, relative to this file) with its \`params\`, venue, fees; \`$schema\` lets an editor complete and check it |
| \`space.json\` | the parameters a sweep or walk-forward explores |
| \`${SAMPLE_FILE}\` | ${SAMPLE_DAYS} days of seeded synthetic daily bars (\`tapedeck data generate --seed ${SAMPLE_SEED}\`'s ${SAMPLE_SYMBOL}); use your own CSV with \`--set data.bars=prices.csv\` |
| \`test/breakout.test.mjs\` | a test of the strategy, run by \`node --test\` |

Edit the strategy and run again: the runHash changes, because the module's source is part of the
run's identity (a sweep never reuses trials of an older version either).

Tapedeck: ${o.tapedeck}
`;
}
