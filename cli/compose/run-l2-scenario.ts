import { ConfigError, DataError, parseDurationUs, parseIsoUs } from '../../engine/core/index.js';
import { RiskEngine, describeRiskConfig } from '../../engine/risk/index.js';
import { openReader } from '../../datasets/index.js';
import type { DatasetReader } from '../../datasets/index.js';
import { buildRunReport } from '../../reports/index.js';
import type { DataProvenance } from '../../reports/index.js';
import { l2LatencyConfig, runL2Replay } from '../../sim/backtest/l2-replay.js';
import type { BookBatch, L2Feeds, L2LatencyConfig } from '../../sim/backtest/l2-replay.js';
import { l2VenueConfig } from '../../sim/venue/l2/index.js';
import type { L2VenueConfig, L2VenueConfigInput, LatencyConfig } from '../../sim/venue/l2/index.js';
import { composeStrategies, riskWithConstraints, strategyFactory } from './ensemble-compose.js';
import type { QualifiedScenario } from './load-scenario.js';
import { codeMap, openDataPath, runWarnings, strategyAlgorithms, tradeFeed } from './run-scenario.js';
import type { OpenedData, ScenarioRun } from './run-scenario.js';

/** Returns the L2 venue and latency configuration of a scenario's `venue` section (`latency` split off). */
export function qualifyL2Venue(venue: Readonly<Record<string, unknown>>): { venue: L2VenueConfig; latency: L2LatencyConfig } {
  const { latency, ...rest } = venue as { latency?: Partial<Record<keyof L2LatencyConfig, LatencyConfig>> } & Record<string, unknown>;
  return { venue: l2VenueConfig(rest as L2VenueConfigInput, 'venue'), latency: l2LatencyConfig(latency ?? {}, 'venue.latency') };
}

async function* bookFeed(reader: DatasetReader, map: Int32Array): AsyncGenerator<BookBatch> {
  for await (const b of reader) {
    const symbol = Int32Array.from(b.symbol, (c) => map[c]!);
    const c = b.columns;
    yield { length: b.length, ts: c.ts!, symbol, side: c.side!, price: c.price!, size: c.size!, action: c.action!, flags: c.flags! };
  }
}

/**
 * Runs a scenario with `data.book` through the L2 venue ({@link runL2Replay}): book rows (and
 * `data.trades` prints when given), the venue and latency from the `venue` section, strategies and
 * risk as for any run. The report's assumptions list the L2 rules, latencies and the book repairs.
 */
export async function runL2Scenario(scenario: QualifiedScenario): Promise<ScenarioRun> {
  if (scenario.ensemble !== undefined) throw new ConfigError('ensemble', 'an ensemble is not supported on an L2 run (data.book) yet');
  const opened: OpenedData[] = [];
  try {
    const requested = scenario.data.symbols;
    const book = await openDataPath(scenario.data.book!, 'book', 'book', requested);
    opened.push(book);
    const trades = scenario.data.trades ? await openDataPath(scenario.data.trades, 'trades', 'trades', requested) : null;
    if (trades) opened.push(trades);
    const available = [...new Set(book.manifest.files.filter((f) => f.kind === 'book').map((f) => f.symbol))].sort();
    const symbols = requested ? [...requested] : available;
    for (const [i, s] of symbols.entries()) {
      if (!available.includes(s)) throw new ConfigError(`data.symbols[${i}]`, `symbol '${s}' has no book in the data (available: ${available.join(', ')})`);
    }
    const start = scenario.data.start !== undefined ? parseIsoUs(scenario.data.start, 'data.start') : undefined;
    const end = scenario.data.end !== undefined ? parseIsoUs(scenario.data.end, 'data.end') : undefined;
    if (start !== undefined && end !== undefined && end <= start) throw new ConfigError('data.end', `must be after data.start (${scenario.data.start}), was ${scenario.data.end}`);
    const range = { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
    const { venue, latency } = qualifyL2Venue(scenario.venue as Record<string, unknown>);

    const strategySpecs = scenario.strategies.map(({ execution: _e, ...s }) => ({ ...s, symbols: s.symbols ?? symbols }));
    strategySpecs.forEach((s, i) => {
      s.symbols.forEach((sym, j) => {
        if (!symbols.includes(sym)) throw new ConfigError(`strategies[${i}].symbols[${j}]`, `symbol '${sym}' is not replayed (symbols: ${symbols.join(', ')})`);
      });
    });
    const composed = await composeStrategies(scenario, strategySpecs, symbols);
    const createStrategies = strategyFactory(composed.specs);
    const algorithms = strategyAlgorithms(scenario, composed.specs.map((s) => s.id));
    const riskConfig = riskWithConstraints(scenario.risk, scenario);
    const hasLimits = Object.keys(riskConfig).some((k) => k !== 'reducingAlwaysAllowed');

    const readers: DatasetReader[] = [];
    let result;
    try {
      const br = await openReader(book.dir, { kind: 'book', symbols, ...range });
      readers.push(br);
      const feeds: { book: AsyncIterable<BookBatch>; trades?: L2Feeds['trades'] } = { book: bookFeed(br, codeMap(br, symbols)) };
      if (trades) {
        const tradeSymbols = symbols.filter((s) => trades.manifest.files.some((f) => f.kind === 'trades' && f.symbol === s));
        const tr = await openReader(trades.dir, { kind: 'trades', symbols: tradeSymbols, ...range });
        readers.push(tr);
        feeds.trades = tradeFeed(tr, codeMap(tr, symbols));
      }
      result = await runL2Replay(
        {
          symbols,
          initialCash: scenario.initialCash,
          equityEveryUs: parseDurationUs(scenario.engine.equityEvery, 'engine.equityEvery'),
          lookback: scenario.engine.lookback,
          venue,
          latency,
          seed: scenario.seed,
          createStrategies,
          createRisk: hasLimits ? () => new RiskEngine(riskConfig) : null,
          ...(algorithms !== undefined ? { algorithms } : {}),
        },
        feeds,
      );
    } finally {
      for (const r of readers) r.close();
    }
    if (result.l2.bookRows === 0) throw new DataError(`no book rows in the selected range for ${symbols.join(', ')}`);
    const data: DataProvenance = {
      source: book.source,
      kinds: [...new Set(opened.flatMap((d) => d.manifest.kinds))],
      symbols,
      start: book.manifest.start,
      end: book.manifest.end,
      rows: book.manifest.rows,
      contentHash: book.manifest.contentHash,
      barInterval: null,
    };
    const asRun = { ...scenario, file: undefined, data: { ...scenario.data, symbols }, venue: { ...venue, latency }, strategies: composed.specs };
    delete (asRun as { file?: string }).file;
    const repairs = Object.entries(result.l2.repairs).map(
      ([s, c]) => `Book repairs for ${s} (policy '${venue.repair}'): ${c.skippedRows} rows skipped, ${c.crossedRows} crossing rows, ${c.droppedLevels} levels dropped, ${c.negativeSize} negative sizes, ${c.invalidPrice} invalid prices, ${c.unknownLevel} deletes of absent levels, ${c.malformed} malformed rows`,
    );
    const assumptions = [...result.assumptions, ...repairs, ...(hasLimits ? describeRiskConfig(riskConfig) : ['No pre-trade risk limits.']), ...composed.assumptions];
    const report = buildRunReport({ ...result, assumptions }, asRun, scenario.seed, data);
    return { result, report, warnings: runWarnings(result, symbols) };
  } finally {
    for (const d of opened) await d.cleanup();
  }
}
