import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The small research setup the report pages are shown on (tests/integration/report-browser.test.ts and
 * bench/report-screenshots.ts): sma_cross on the dataset at `data`, 100 units, next-open fills, 0.2%
 * commission, and a 3-parameter search space with one categorical parameter.
 */
export function researchScenario(name: string, data: string, fast = 10, slow = 20): Record<string, unknown> {
  return {
    name,
    seed: 1,
    initialCash: 100000,
    data: { bars: data },
    strategies: [{ id: 'sma', type: 'sma_cross', params: { fast, slow, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
    venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
  };
}

export const RESEARCH_SPACE = {
  parameters: {
    'strategies.0.params.fast': { type: 'int', min: 5, max: 25, step: 5 },
    'strategies.0.params.slow': { type: 'int', min: 20, max: 60, step: 10 },
    'strategies.0.params.mode': { type: 'categorical', values: ['long_only', 'long_short'] },
  },
} as const;

/** Writes research.json (named 'sma-sweep') and space.json into `dir`; returns their paths. */
export async function writeResearchFiles(dir: string, data: string): Promise<{ scenario: string; space: string }> {
  const scenario = join(dir, 'research.json');
  const space = join(dir, 'space.json');
  await writeFile(scenario, JSON.stringify(researchScenario('sma-sweep', data)));
  await writeFile(space, JSON.stringify(RESEARCH_SPACE));
  return { scenario, space };
}
