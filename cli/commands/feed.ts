import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';

const SERVE_HELP = `
Serves the dataset's bars, trades, quotes and book rows (options and sentiment are not served) over
the Tapedeck feed protocol (README "Live feeds"): rows in the replay's time order, paced by their
timestamps divided by --speed, heartbeats while nothing else is sent, resume after a client's last seq,
and an 'end' message after the last row. Every client that connects gets the stream from its start.
The URL is printed on stdout once listening; Ctrl-C (exit 130) or SIGTERM (143) stops the server.

Examples:
  $ tapedeck data generate --seed 8 --out data/intraday --symbols SPY --days 2 --interval 1m --kinds bars,trades,quotes
  $ tapedeck feed serve data/intraday --port 8765 --speed 60x     # an hour of data per minute
  $ tapedeck feed serve data/intraday --port 0 --speed max        # a free port, as fast as the client reads
`;

/** Registers `tapedeck feed` and its `serve` subcommand. */
export function registerFeed(program: Command): void {
  const feed = program
    .command('feed')
    .description('live market-data feeds: serve a dataset over the feed protocol')
    .addHelpText('after', '\nExample:\n  $ tapedeck feed serve data/demo --port 8765 --speed 60x');
  feed
    .command('serve')
    .description('serve a dataset over WebSocket at a multiple of its own pace')
    .argument('<dataset>', 'dataset directory')
    .option('--port <n>', 'TCP port (0: a free one, printed)', '8765')
    .option('--host <address>', 'address to listen on (0.0.0.0 only if you mean every interface)', '127.0.0.1')
    .option('--speed <s>', "data time per wall time: 1x (real time), 60x, 0.5x, or 'max'", '1x')
    .option('--heartbeat <ms>', 'heartbeat interval while no data is sent, milliseconds', '1000')
    .option('-q, --quiet', 'no connection log on stderr')
    .addHelpText('after', SERVE_HELP)
    .action(lazyAction(async () => (await import('../actions/feed-serve.js')).feedServeAction));
}
