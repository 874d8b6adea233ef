import { loadReport } from '../../cli/actions/report.js';

/**
 * A run's report as one JSON value, as report.json held it whole before schemaVersion 2: report.json with
 * its fills, orders, round trips, audit trail and signals read back from the Parquet tables beside it
 * (`tapedeck report` and `compare` load it the same way). Typed as JSON.parse types a file.
 */
export async function readWholeReport(dir: string): Promise<ReturnType<typeof JSON.parse>> {
  const { report } = await loadReport(dir);
  return JSON.parse(JSON.stringify(report));
}
