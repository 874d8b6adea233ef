/**
 * Runs the benchmarks: `npm run bench [-- FILTER...] [--record]`.
 *
 * Every bench/*.bench.ts file is imported and its default export awaited (files whose name contains
 * one of the FILTER arguments, when given). Results are printed as a table; `--record` also appends a
 * dated section with the machine description to bench/RESULTS.md. A bench file that throws is
 * reported and makes the exit code 1; the others still run.
 */
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatTable } from './harness.js';
import type { ThroughputResult } from './harness.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH_DIR, 'RESULTS.md');

function machine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  // The load average says how busy the machine was: on a shared machine wall-clock figures drop with it.
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  return `Node ${process.version}, ${process.platform}/${process.arch}, ${cpu.length} cores (${model}), ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${load}`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const record = args.includes('--record');
  const filters = args.filter((a) => !a.startsWith('--'));
  const files = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) {
    process.stderr.write(`no bench/*.bench.ts file matches ${JSON.stringify(filters)}\n`);
    return 1;
  }
  const results: ThroughputResult[] = [];
  const failures: string[] = [];
  for (const file of files) {
    process.stderr.write(`running ${file}...\n`);
    try {
      const mod = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as {
        default: () => Promise<ThroughputResult[]>;
      };
      const rows = await mod.default();
      results.push(...rows);
      process.stderr.write(`${formatTable(rows)}\n\n`);
    } catch (error) {
      failures.push(file);
      process.stderr.write(`${file} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }
  const table = formatTable(results);
  process.stdout.write(`${table}\n`);
  if (record && results.length > 0) {
    // The date comes from the system clock on purpose: it dates the measurement.
    const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const section = `\n## ${stamp}: ${files.join(', ')}\n\n${machine()}\n\n${table}\n`;
    if (!existsSync(RESULTS)) writeFileSync(RESULTS, '# Benchmark results\n');
    appendFileSync(RESULTS, section);
    process.stderr.write(`recorded in ${RESULTS}\n`);
  }
  if (failures.length > 0) process.stderr.write(`failed: ${failures.join(', ')}\n`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
