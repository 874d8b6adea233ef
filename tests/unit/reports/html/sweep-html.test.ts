import { describe, expect, it } from 'vitest';
import { dsrVerdict, pboVerdict, renderSweepHtml } from '../../../../reports/html/sweep-html.js';
import { sampleSweep } from './sweep-fixture.js';

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

  it('lists every trial in a sortable table, best fitness first, failed ones last', () => {
    const table = html.slice(html.indexOf('id="trial-table"'), html.indexOf('</table>', html.indexOf('id="trial-table"')));
    const rows = table.split('<tr').slice(2);
    expect(rows).toHaveLength(sweep.trials.length);
    expect(rows[0]).toContain(sweep.best!.key);
    expect(rows.at(-1)).toContain('failed');
    expect(rows.at(-1)).toContain("invalid &#39;fast&#39;: boom");
    expect(html).toContain('<table class="sortable" id="trial-table">');
  });

  it("marks a trial whose account was ruined, with the time, and the others ok", () => {
    const base = sampleSweep({ failed: false });
    const ruinedKey = base.trials[1]!.key;
    const trials = base.trials.map((t) => (t.key === ruinedKey ? { ...t, metrics: { ...t.metrics!, ruinedAt: '2024-03-05T00:00:00.000Z' } } : t));
    const page = renderSweepHtml({ ...base, trials });
    const table = page.slice(page.indexOf('id="trial-table"'), page.indexOf('</table>', page.indexOf('id="trial-table"')));
    const rows = table.split('<tr').slice(2);
    const ruinedRow = rows.find((r) => r.includes(ruinedKey))!;
    expect(ruinedRow).toContain('title="account ruined at 2024-03-05T00:00:00.000Z: equity reached zero or below and trading ended">ruined</span>');
    expect(rows.filter((r) => r.includes('>ruined</span>'))).toHaveLength(1);
    expect(rows.filter((r) => r.includes('>ok</span>'))).toHaveLength(rows.length - 1);
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
