import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../../reports/html/escape.js';
import { signClass } from '../../../../reports/html/page.js';
import { dsrVerdict, failureCauses, pboVerdict, renderSweepHtml } from '../../../../reports/html/sweep-html.js';
import { TRIAL_METRIC_COLUMNS, formatTrialMetric, trialMetricValue } from '../../../../reports/html/trial-metrics.js';
import type { SweepTrialRow } from '../../../../reports/research-schema.js';
import { columnsOf, drawnCells } from './record-rows.js';
import { manySweep, sampleSweep } from './sweep-fixture.js';

/** A trial's row as the trial table listed it before it was drawn from data (less the data-v attributes the script does not read). */
function trialCells(t: SweepTrialRow, rank: number): string[] {
  const ruinedAt = t.status === 'ok' ? (t.metrics?.ruinedAt ?? null) : null;
  const status = t.status !== 'ok' ? '<span class="pill sell">failed</span>' : ruinedAt !== null ? `<span class="pill sell" title="account ruined at ${escapeHtml(ruinedAt)}: equity reached zero or below and trading ended">ruined</span>` : '<span class="pill long">ok</span>';
  return [
    `<td class="num">${rank}</td>`,
    `<td class="mono">${escapeHtml(t.key)}</td>`,
    `<td>${status}</td>`,
    ...Object.values(t.params).map((v) => `<td class="num">${escapeHtml(String(v))}</td>`),
    ...TRIAL_METRIC_COLUMNS.map((c) => {
      const v = trialMetricValue(t, c.key);
      const signed = c.key === 'fitness' || c.key === 'sharpe' || c.key === 'totalReturn';
      return `<td class="num${signed ? ` ${signClass(v)}` : ''}">${escapeHtml(formatTrialMetric(c, v))}</td>`;
    }),
    `<td class="num">${t.seed}</td>`,
    t.runHash ? `<td class="mono" title="${escapeHtml(t.runHash)}">${escapeHtml(t.runHash.slice(0, 12))}</td>` : '<td class="mono"></td>',
    `<td class="muted">${escapeHtml(t.error ?? '')}</td>`,
  ];
}

describe('renderSweepHtml', () => {
  const sweep = sampleSweep();
  const html = renderSweepHtml(sweep);

  it('has every section and draws the heatmap and the parameter scatter', () => {
    for (const id of ['best', 'overfitting', 'heatmap', 'params-fitness', 'trials', 'failed', 'setup']) expect(html, id).toContain(`<section id="${id}">`);
    expect(html).toContain('data-chart="sweep-heatmap"');
    expect(html).toContain('data-chart="sweep-scatter"');
    // No resource from elsewhere: the only URLs are SVG namespace names.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|(src|href)="https?:/);
  });

  it('lists every trial in a record table, best fitness first (its row bold), failed ones last', () => {
    const { data, cols } = columnsOf(html, 'trial-table');
    expect(data.n).toBe(sweep.trials.length);
    expect(cols[1]!.val(0)).toBe(sweep.best!.key);
    expect(data.rc).toEqual({ best: [0] });
    expect(cols[2]!.val(data.n - 1)).toBe('failed');
    expect(cols.at(-1)!.val(data.n - 1)).toBe("invalid 'fast': boom");
    expect(html).toContain('<table class="sortable" id="trial-table" data-records>');
    expect(html).not.toContain('are listed');
  });

  it('draws each trial\'s cells as the page listed them before: the same texts, classes, pills and titles', () => {
    const ordered = [...sweep.trials].sort((a, b) => (b.fitness ?? -Infinity) - (a.fitness ?? -Infinity) || (a.key < b.key ? -1 : 1));
    expect(drawnCells(html, 'trial-table')).toEqual(ordered.map((t, i) => trialCells(t, i + 1)));
  });

  it("marks a trial whose account was ruined, with the time, and the others ok", () => {
    const base = sampleSweep({ failed: false });
    const ruinedKey = base.trials[1]!.key;
    const trials = base.trials.map((t) => (t.key === ruinedKey ? { ...t, metrics: { ...t.metrics!, ruinedAt: '2024-03-05T00:00:00.000Z' } } : t));
    const rows = drawnCells(renderSweepHtml({ ...base, trials }), 'trial-table');
    const ruinedRow = rows.find((r) => r[1] === `<td class="mono">${ruinedKey}</td>`)!;
    expect(ruinedRow[2]).toBe('<td><span class="pill sell" title="account ruined at 2024-03-05T00:00:00.000Z: equity reached zero or below and trading ended">ruined</span></td>');
    expect(rows.filter((r) => r[2]!.includes('>ruined</span>'))).toHaveLength(1);
    expect(rows.filter((r) => r[2] === '<td><span class="pill long">ok</span></td>')).toHaveLength(rows.length - 1);
  });

  it('holds every trial of a sweep of 2,500 and every one of its 2,250 failed trials, 100 a page', () => {
    const many = manySweep(2500, 9);
    const page = renderSweepHtml(many);
    expect(page).toContain('<h2>Trials (2,500)</h2>');
    expect(page).toContain('<span class="count muted">rows 1-100 of 2,500</span>');
    expect(page).toContain('Click a column header to sort all 2,500.');
    expect(page).not.toContain('are listed');
    const trials = columnsOf(page, 'trial-table');
    expect(trials.data.n).toBe(2500);
    const keys = Array.from({ length: 2500 }, (_, i) => trials.cols[1]!.val(i));
    expect(new Set(keys)).toEqual(new Set(many.trials.map((t) => t.key)));
    // Every trial's Sharpe is in the page, as a number it sorts by.
    const sharpe = 3 + many.space.parameters.length + 1;
    expect(Array.from({ length: 2500 }, (_, i) => trials.cols[sharpe]!.key(i)).sort((a, b) => (a as number) - (b as number))).toEqual(
      many.trials.map((t) => t.metrics?.sharpe ?? -Infinity).sort((a, b) => a - b),
    );
    expect(trials.data.rc).toEqual({ best: [0] });
    expect(trials.cols[1]!.val(0)).toBe(many.best!.key);
    const failed = columnsOf(page, 'failed-table');
    const failedTrials = many.trials.filter((t) => t.status === 'failed');
    expect(failedTrials).toHaveLength(2250);
    expect(Array.from({ length: failed.data.n }, (_, i) => failed.cols[0]!.val(i))).toEqual(failedTrials.map((t) => t.key));
    expect(page).toContain('<span class="count muted">rows 1-100 of 2,250</span>');
    // The keys, each a trial's own, as their texts alone: no list of codes 0 to n - 1 beside them.
    expect(Object.keys(trials.data.cols[1] as object)).toEqual(['f', 'cls', 'd']);
    expect(Object.keys(failed.data.cols[0] as object)).toEqual(['f', 'cls', 'd']);
    // No trial ruined: the status pill has no titles to write.
    expect(Object.keys(trials.data.cols[2] as object)).toEqual(['f', 'd', 'dc', 'c']);
  });

  it('states the DSR and the PBO with what each means for the decision', () => {
    expect(html).toContain('Deflated Sharpe ratio 0.420</b> (consistent with luck)');
    expect(html).toContain('treat the best trial as luck');
    expect(html).toContain('Probability of backtest overfitting 62.5%</b> (overfit)');
    expect(html).toContain('no better than picking a configuration at random');
  });

  it('counts and lists the failed trials with their causes', () => {
    expect(html).toContain('Failed trials (1 of 8)');
    expect(html).toMatch(/<td class="num">1<\/td><td>invalid &#39;fast&#39;: boom<\/td>/);
    const failed = sweep.trials.find((t) => t.status === 'failed')!;
    expect(drawnCells(html, 'failed-table')).toEqual([[`<td class="mono">${failed.key}</td>`, '<td>fast=10, slow=20, mode=long_short</td>', "<td>invalid &#39;fast&#39;: boom</td>"]]);
  });

  it("groups failures whose messages differ only in their numbers (each names its trial's values) into one cause", () => {
    const errors = [
      "strategies[0].params.fast: not smaller than 'slow' (24), was 55 (in the trial scenario)",
      'strategies[1].params.slow20: missing',
      "strategies[0].params.fast: not smaller than 'slow' (10), was 19.5 (in the trial scenario)",
      "strategies[0].params.fast: not smaller than 'slow' (24), was 55 (in the trial scenario)",
      'strategies[0].params.slow20: missing',
      'equity reached -1.5e+3 at 2020-01-02',
    ];
    expect(failureCauses(errors)).toEqual([
      { trials: 3, example: errors[0], distinct: 2 },
      // An index and a digit inside a name are part of the cause, not a value.
      { trials: 1, example: errors[1], distinct: 1 },
      { trials: 1, example: errors[4], distinct: 1 },
      { trials: 1, example: errors[5], distinct: 1 },
    ]);
    expect(failureCauses([])).toEqual([]);
    // On the page: one row for the 40 trials, its count and how many other messages it stands for.
    const s = sampleSweep();
    const failed = s.trials.map((t, i) => ({ ...t, status: 'failed' as const, metrics: null, runHash: null, fitness: null, error: `fast: not smaller than 'slow' (${20 + (i % 4)}), was ${30 + i}` }));
    const page = renderSweepHtml({ ...s, trials: failed, failedCount: failed.length, best: null, deflatedSharpe: { kind: 'undefined', reason: 'no trial has a finite fitness' } });
    const causes = page.slice(page.indexOf('<h3>Causes</h3>'), page.indexOf('<h3>Trials</h3>'));
    expect(causes.match(/<tr><td class="num">/g)).toHaveLength(1);
    expect(causes).toContain(`<td class="num">${failed.length}</td><td>fast: not smaller than &#39;slow&#39; (20), was 30 <span class="muted">(and ${failed.length - 1} more like it, other numbers)</span></td>`);
  });

  it('says so when nothing failed and when the DSR and PBO are undefined', () => {
    const clean = sampleSweep({ failed: false });
    const page = renderSweepHtml({ ...clean, deflatedSharpe: { kind: 'undefined', reason: 'no dispersion' }, pbo: { kind: 'undefined', reason: 'needs at least 2 successful trials, had 1' } });
    expect(page).toContain('No trial failed');
    expect(page).toContain('Deflated Sharpe ratio: undefined</b> (no dispersion)');
    expect(page).toContain('needs at least 2 successful trials, had 1');
  });

  it('draws the heatmap of the chosen parameters and metric, and names a bad choice', () => {
    const page = renderSweepHtml(sweep, { x: 'mode', y: 'slow', metric: 'maxDrawdown' });
    expect(page).toContain('Heatmap: max dd by parameter pair');
    expect(page).toContain('Max DD for each (mode, slow) pair');
    expect(() => renderSweepHtml(sweep, { metric: 'luck' })).toThrow(/invalid 'metric': expected one of fitness, sharpe/);
    expect(() => renderSweepHtml(sweep, { x: 'speed' })).toThrow(/invalid 'x'/);
  });

  it('reports no best trial when no trial has a finite fitness', () => {
    const s = sampleSweep();
    const failed = s.trials.map((t) => ({ ...t, status: 'failed' as const, metrics: null, runHash: null, fitness: null, error: 'x' }));
    const page = renderSweepHtml({ ...s, trials: failed, failedCount: failed.length, best: null, deflatedSharpe: { kind: 'undefined', reason: 'no trial has a finite fitness' } });
    expect(page).toContain('there is no best trial to report');
    expect(page).toContain('No trial has a finite fitness: nothing to draw.');
  });

  it('gives the same bytes for the same sweep', () => {
    expect(renderSweepHtml(sampleSweep())).toBe(html);
  });
});

describe('verdicts', () => {
  it('reads DSR at 0.5 and 0.95 and PBO at 0.1 and 0.5', () => {
    expect([dsrVerdict(0.3), dsrVerdict(0.5), dsrVerdict(0.95)]).toEqual(['consistent with luck', 'not proven', 'unlikely to be luck']);
    expect([pboVerdict(0.05), pboVerdict(0.1), pboVerdict(0.5)]).toEqual(['selection is informative', 'some overfitting', 'overfit']);
  });
});
