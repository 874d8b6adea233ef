import { resampleDataset, SourceKindAmbiguous } from '../../datasets/build-bars.js';
import { BAR_SOURCE_KINDS, SYMBOL_PATTERN, type BarSourceKind } from '../../datasets/schema.js';
import { parseDurationUs, printable, US_PER_DAY } from '../../engine/core/index.js';
import { UsageError } from '../errors.js';
import { registerTempDir } from '../shutdown.js';

interface ResampleFlags {
  interval: string;
  kind?: string;
  symbol?: string;
  out?: string;
  replace?: boolean;
}

/** Parses --interval: a number and a unit, a whole number of microseconds from 1us to 1d. */
export function intervalFlag(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h|d)\s*$/.exec(value);
  if (m === null) throw new UsageError(`--interval: expected a number and a unit (s, m, h or d), e.g. 5m, was ${printable(value)}`);
  const us = Number(m[1]) * (parseDurationUs(`1${m[2]}`) as number);
  if (!(us >= 1) || !Number.isSafeInteger(us)) {
    throw new UsageError(`--interval: expected a whole positive number of microseconds, was ${printable(value)}`);
  }
  if (us > US_PER_DAY) throw new UsageError(`--interval: at most 1d (bars are aligned to the Unix epoch), was ${printable(value)}`);
  return us;
}

/** What `tapedeck data resample` does once its arguments are parsed (loaded only when the command runs). */
export async function dataResampleAction(dataset: string, flags: ResampleFlags): Promise<void> {
  const intervalUs = intervalFlag(flags.interval);
  if (flags.kind !== undefined && !(BAR_SOURCE_KINDS as readonly string[]).includes(flags.kind)) {
    throw new UsageError(`--kind: expected ${BAR_SOURCE_KINDS.join(' or ')}, was ${printable(flags.kind)}`);
  }
  if (flags.symbol !== undefined && !SYMBOL_PATTERN.test(flags.symbol)) throw new UsageError(`--symbol: expected letters, digits and . _ ^ = - (at most 64), was ${printable(flags.symbol)}`);
  let result;
  try {
    result = await resampleDataset({
      dataset,
      intervalUs,
      intervalText: flags.interval.trim(),
      ...(flags.kind !== undefined ? { kind: flags.kind as BarSourceKind } : {}),
      ...(flags.symbol !== undefined ? { symbols: [flags.symbol] } : {}),
      ...(flags.out !== undefined ? { out: flags.out } : {}),
      replace: flags.replace === true,
      // Ctrl-C or SIGTERM while the dataset is staged removes the staging directory before exiting.
      onStaging: registerTempDir,
    });
  } catch (err) {
    if (err instanceof SourceKindAmbiguous) throw new UsageError(err.message);
    throw err;
  }
  const lines = result.tables.map((t) => `resampled ${t.rows} ${result.kind} rows of ${t.symbol} into ${t.bars} ${flags.interval.trim()} bars (${t.start} .. ${t.end}) in ${result.out}`);
  lines.push(`contentHash ${result.manifest.contentHash}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
