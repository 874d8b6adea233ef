import type { Command } from 'commander';
import { collectSet, seedFlag } from '../flags.js';
import { lazyAction } from '../lazy-action.js';

const LIVE_HELP = `
Runs the scenario on a live feed with the same run assembly as \`tapedeck run\`: the strategies, the
ensemble, risk, execution algorithms and portfolio are the ones a backtest uses; only the data source
(the feed) and the venue adapter differ. Engine time is the data's: a replay of the recording gives
the same orders, fills and runHash (README "Live and paper sessions").

  --paper          orders fill at the paper venue: the simulator's venue models (fees, slippage,
                   fill rules; queue and latency on L2) applied to the live stream
  --broker URL     the same, and every order is also POSTed to a webhook broker (README "Broker
                   webhook"), signed with the secret in the environment variable --secret-env,
                   under an idempotency key (session id + order id) that a restart keeps

--state DIR keeps the session (new or empty directory, or a session to resume): session.json, the
journal of every data message accepted (data.jsonl), the orders sent to the broker (orders.jsonl), and,
when the data ends or the session is stopped, the recording (DIR/recording, a dataset) and the run's
outputs (DIR/report: report.json, report.html, Parquet tables). A session killed (even kill -9) and
started again with the same command replays its journal, resumes the feed after the last message it
received, and sends no order twice. Ctrl-C stops it cleanly (outputs written, exit 130); it stays
resumable until the feed says the stream ended.

Examples:
  $ tapedeck feed serve data/demo --port 8765 --speed 3600x &
  $ tapedeck live scenarios/demo.json --feed ws://127.0.0.1:8765 --paper --state sessions/demo
  $ TAPEDECK_BROKER_SECRET=... tapedeck live my.json --feed ws://127.0.0.1:8765 --broker https://broker.example/hook --state sessions/mine
  $ tapedeck run scenarios/demo.json --set data.bars=sessions/demo/recording   # the same runHash
`;

/** Registers `tapedeck live`. */
export function registerLive(program: Command): void {
  program
    .command('live')
    .description('run a scenario on a live feed: paper trading, or orders mirrored to a webhook broker')
    .argument('<scenario>', 'scenario JSON file')
    .requiredOption('--feed <url>', 'ws:// or wss:// URL of a feed server (tapedeck feed serve), a JSON-lines file, or - for stdin')
    .requiredOption('--state <dir>', "the session's state directory (new or empty, or a session to resume)")
    .option('--paper', 'fill orders at the paper venue (the simulator\'s venue models on the live stream)')
    .option('--broker <url>', 'also send every order to this webhook broker (http or https)')
    .option('--secret-env <name>', "environment variable holding the broker's signing secret", 'TAPEDECK_BROKER_SECRET')
    .option('--seed <n>', 'override the scenario seed, 0 to 2^53-1', seedFlag)
    .option('--set <path=value>', 'override a scenario field by dotted path (repeatable)', collectSet, [])
    .option('--log <format>', "log lines on stderr: 'text' or 'json' (one JSON object per line)", 'text')
    .option('--halt-file <path>', 'kill switch: when this file appears the session halts (its content: cancel or flatten)')
    .option('--restore <portfolio>', "a portfolio.json (or a session's state directory): its strategy snapshots (Q tables, ...) are restored into this session's strategies; positions and cash are not")
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', LIVE_HELP)
    .action(lazyAction(async () => (await import('../actions/live.js')).liveAction));
}
