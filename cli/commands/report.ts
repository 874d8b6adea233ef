import type { Command } from 'commander';
import { TRIAL_METRIC_NAMES } from '../../reports/html/trial-metrics.js';
import { lazyAction } from '../lazy-action.js';

/** `tapedeck report DIR`: rebuilds the HTML of whatever DIR holds (report.json, sweep.json, walkforward.json). */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild the HTML page of a run, sweep or walk-forward directory from its JSON (report.json -> report.html, sweep.json -> sweep.html, walkforward.json -> walkforward.html), validated against reports/*.schema.json')
    .argument('<dir>', 'an output directory, or the report.json / sweep.json / walkforward.json file itself')
    .option('--out <file>', 'write the HTML here instead of beside the JSON (one output only)')
    .option('--x <param>', 'sweep heatmap: parameter on the x axis (a space path or its last segment; default: the first numeric one)')
    .option('--y <param>', 'sweep heatmap: parameter on the y axis (default: the next numeric one)')
    .option('--metric <name>', `sweep heatmap: what the cells show, one of ${TRIAL_METRIC_NAMES.join(', ')}`, 'fitness')
    .option('--json', 'print {"kind", "report", "html", "bytes", "outputs"} as JSON')
    .option('-q, --quiet', 'print nothing on success')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tapedeck report out/demo                      # writes out/demo/report.html',
        '  $ tapedeck report out/demo/report.json --out /tmp/demo.html',
        '  $ tapedeck report out/sweep --x fast --y slow --metric sharpe   # rebuilds out/sweep/sweep.html',
        '  $ tapedeck report out/wf                        # writes out/wf/walkforward.html',
        '  $ tapedeck report out/sma-cross --json',
      ].join('\n'),
    )
    .action(lazyAction(async () => (await import('../actions/report.js')).reportAction));
}
