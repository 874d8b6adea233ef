/**
 * The live side of Tapedeck (issue 17): what a live or paper session plugs into the ports instead of
 * the simulation's adapters. It imports engine/, datasets/, sim/, reports/ (types) and the run assembly
 * (cli/compose), never the other way round (tests/unit/architecture): the session (the run assembly
 * over a live feed, its journals, recording, kill switch and broker mirror), the wall clock, the
 * market-data feeds, the webhook broker's execution client, and the operations (log, status line,
 * kill switch, shutdown flush).
 * the simulation's adapters. It imports engine/, datasets/ and the run assembly (cli/compose), never
 * the other way round (tests/unit/architecture). So far: the wall clock, the market-data feeds, the
 * webhook broker's execution client, the operations (log, status line, kill switch, shutdown flush) and
 * the portfolio state file.
 */
export { ManualTimers, sleep, wallTimers } from './clock.js';
export type { LiveTimers, TimerHandle } from './clock.js';
export * from './feed/protocol.js';
export { BatchBuilder, BatchQueue, KIND_COLUMNS } from './feed/batch-builder.js';
export type { KindBatch } from './feed/batch-builder.js';
export { batchesOf, FeedAssembler } from './feed/feed-assembler.js';
export type { FeedBatches, FeedStats, GapReport, Outage, SeqGap } from './feed/feed-assembler.js';
export { backoffDelayMs, WsFeed } from './feed/ws-feed.js';
export type { BackoffConfig, FeedReport, WsFeedOptions } from './feed/ws-feed.js';
export { JsonlFeed } from './feed/jsonl-feed.js';
export type { JsonlFeedOptions } from './feed/jsonl-feed.js';
export { DatasetFrames } from './feed/dataset-frames.js';
export type { DataFrame, FrameFilter } from './feed/dataset-frames.js';
export { serveFeed } from './feed/serve.js';
export type { FeedFaults, FeedServer, FeedServerOptions } from './feed/serve.js';
export { idempotencyKey, isRetryableStatus, webhookBody, webhookSignature, WebhookExecutionClient } from './broker/webhook-client.js';
export type { BrokerAlert, FillReport, WebhookBackoff, WebhookClientOptions, WebhookOrderBody } from './broker/webhook-client.js';
export { LiveLog, LOG_FORMATS, LOG_LEVELS, parseLogLevel, REDACTED, redactUrlCredentials } from './ops/live-log.js';
export type { LiveLogOptions, LogFields, LogFormat, LogLevel, LogStream } from './ops/live-log.js';
export { formatStatus, StatusLine } from './ops/status-line.js';
export type { SessionState, StatusInput, StatusLineOptions, StatusPosition, StatusStream, StatusView } from './ops/status-line.js';
export { HALT_SIGNALS, haltFileMode, HaltSwitch } from './ops/halt-switch.js';
export type { HaltMode, HaltRequest, HaltSource, HaltSwitchOptions, SignalSource } from './ops/halt-switch.js';
export { flushOnShutdown, shutdownExitCode } from './ops/shutdown.js';
export type { FlushOnShutdownOptions, ShutdownFlush } from './ops/shutdown.js';
export { feedLabel, runLiveSession, scenarioHash } from './session/live-session.js';
export type { BrokerSettings, LiveSession, LiveSessionOptions, LiveSessionRun, LiveSummary, SessionLog, SessionStatus } from './session/live-session.js';
export { JsonlJournal, OrderJournal } from './session/journal.js';
export { BrokerMirror, HALT_TAG, SessionOrderRouter } from './session/order-router.js';
export { writeRecording } from './session/recording.js';
export { DATA_JOURNAL, ORDER_JOURNAL, RECORDING_DIR, REPORT_DIR, SESSION_FILE, openSessionState } from './session/session-state.js';
export {
  buildPortfolioFile,
  mergePortfolios,
  netLots,
  parsePortfolioFile,
  portfolioFileSchema,
  PORTFOLIO_FORMAT,
  PORTFOLIO_VERSION,
  readPortfolioFile,
  serializePortfolioFile,
  writePortfolioFile,
} from './state/portfolio-file.js';
export type { Lot, PortfolioBuildInput, PortfolioFile, PortfolioFill, PortfolioPosition, PortfolioWorkingOrder } from './state/portfolio-file.js';
