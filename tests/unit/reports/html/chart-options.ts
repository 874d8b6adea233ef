/** Helpers to read the charts of a rendered page: their names, options and series. */

/** The chart containers of a page, by their data-chart name, in page order. */
export function charts(html: string): string[] {
  return [...html.matchAll(/<figure class="chart" data-chart="([^"]+)">/g)].map((m) => m[1]!);
}

/** The ECharts option of the chart named `name` (parsed from its JSON), or throws when the page has no such chart. */
export function chartOption(html: string, name: string): Record<string, unknown> {
  const at = html.indexOf(`<figure class="chart" data-chart="${name}">`);
  if (at < 0) throw new Error(`no chart '${name}' on the page`);
  const m = /<script type="application\/json" class="chart-option">(.*?)<\/script>/s.exec(html.slice(at));
  return JSON.parse(m![1]!) as Record<string, unknown>;
}

/** The names of the series of a chart option, in order. */
export function seriesNames(option: Record<string, unknown>): string[] {
  return (option.series as { name?: string }[]).map((s) => s.name ?? '');
}

/** The page without the contents of its inline scripts (the ECharts library, the chart script, the options). */
export function withoutScripts(html: string): string {
  return html.replace(/(<script[^>]*>)[\s\S]*?<\/script>/g, '$1</script>');
}
