/** What the HTML report reads from the scenario as run (report.json keeps it as an opaque value). */
export interface ScenarioInfo {
  readonly name: string;
  readonly description: string | null;
  readonly initialCash: number | null;
  readonly strategies: readonly { readonly id: string; readonly type: string; readonly symbols: readonly string[] | null; readonly params: unknown }[];
  readonly venue: Readonly<Record<string, unknown>> | null;
  readonly risk: Readonly<Record<string, unknown>> | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Returns the fields the report shows from a scenario value, tolerating any shape (missing fields read as absent). */
export function scenarioInfo(scenario: unknown): ScenarioInfo {
  const s = isRecord(scenario) ? scenario : {};
  const strategies = Array.isArray(s.strategies)
    ? s.strategies.filter(isRecord).map((x, i) => ({
        id: typeof x.id === 'string' ? x.id : `strategy ${i + 1}`,
        type: typeof x.type === 'string' ? x.type : '',
        symbols: Array.isArray(x.symbols) ? x.symbols.map(String) : null,
        params: x.params ?? null,
      }))
    : [];
  return {
    name: typeof s.name === 'string' && s.name !== '' ? s.name : 'unnamed scenario',
    description: typeof s.description === 'string' ? s.description : null,
    initialCash: typeof s.initialCash === 'number' ? s.initialCash : null,
    strategies,
    venue: isRecord(s.venue) ? s.venue : null,
    risk: isRecord(s.risk) ? s.risk : null,
  };
}

/** Returns a compact one-line rendering of a JSON value: `fast=20, sizing={kind: units, units: 500}`. */
export function compactValue(v: unknown, top = true): string {
  if (v === null || v === undefined) return top ? '' : 'null';
  if (Array.isArray(v)) return `[${v.map((x) => compactValue(x, false)).join(', ')}]`;
  if (isRecord(v)) {
    const parts = Object.entries(v).map(([k, x]) => (top ? `${k}=${compactValue(x, false)}` : `${k}: ${compactValue(x, false)}`));
    return top ? parts.join(', ') : `{${parts.join(', ')}}`;
  }
  return String(v);
}
