import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { serveFeed } from '../../live/feed/serve.js';
import type { FeedServer } from '../../live/feed/serve.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * Operating `tapedeck live` (issue 17 point 7): the kill switch by file (cancel working orders, flatten,
 * refuse new orders), Ctrl-C (outputs written, exit 130, the session resumable), JSON logs, and the
 * usage errors of the command.
 */

let dir: string;
let data: string;
let scenarioFile: string;
let feed: FeedServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-live-ops-'));
  data = join(dir, 'data');
  await generateDataset({ seed: 4, out: data, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], days: 300, kinds: ['bars'] });
  const s = JSON.parse(await readFile(join(REPO, 'scenarios/demo.json'), 'utf8')) as Record<string, unknown>;
  delete s.$schema;
  scenarioFile = join(dir, 'demo.json');
  await writeFile(scenarioFile, JSON.stringify({ ...s, data: { bars: data } }));
  // 300 days at 30 days of data per second: ~10 s per session.
  feed = await serveFeed({ dataset: data, speed: 30 * 86_400, port: 0, heartbeatMs: 200 });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await feed?.close();
  await rm(dir, { recursive: true, force: true });
});

function startLive(args: readonly string[]): { child: ChildProcess; exited: Promise<number | null>; out: () => string; err: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'cli/main.ts'), 'live', scenarioFile, '--feed', feed.url, '--paper', ...args], { cwd: REPO });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))), out: () => out, err: () => err };
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('tapedeck live operations', () => {
  it('a halt file with "flatten" cancels working orders, closes every position and refuses new orders; JSON logs say so', async () => {
    const state = join(dir, 'halted');
    const haltFile = join(dir, 'HALT');
    const live = startLive(['--state', state, '--halt-file', haltFile, '--log', 'json']);
    await waitFor(() => existsSync(join(state, 'data.jsonl')) && live.err().includes('session.started'), 30_000);
    // Let it trade a while, then pull the switch.
    await new Promise((r) => setTimeout(r, 3000));
    await writeFile(haltFile, 'flatten\n');
    expect(await live.exited, live.err()).toBe(0);
    const report = JSON.parse(await readFile(join(state, 'report', 'report.json'), 'utf8'));
    expect(report.live.halt.mode).toBe('flatten');
    expect(report.live.halt.refusedOrders).toBeGreaterThan(0);
    expect(Object.values(report.positions as Record<string, number>).every((q) => q === 0)).toBe(true);
    // Every log line is one JSON object; the halt is one of them.
    const lines = live.err().trim().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { event: string; level: string; time: string });
    expect(events.some((e) => e.event === 'session.halted' && e.level === 'warn')).toBe(true);
    expect(events.every((e) => typeof e.time === 'string')).toBe(true);
  }, 90_000);

  it('Ctrl-C stops the session: outputs written, exit 130, and the same command resumes it to the end', async () => {
    const state = join(dir, 'stopped');
    const live = startLive(['--state', state]);
    await waitFor(() => live.err().includes('session.started'), 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    live.child.kill('SIGINT');
    expect(await live.exited).toBe(130);
    expect(live.out()).toContain('stopped (resumable with the same command)');
    const stopped = JSON.parse(await readFile(join(state, 'report', 'report.json'), 'utf8'));
    expect(stopped.live.ended).toBe('stopped');
    const session = JSON.parse(await readFile(join(state, 'session.json'), 'utf8'));
    expect(session.state).toBe('running');
    const again = startLive(['--state', state]);
    expect(await again.exited, again.err()).toBe(0);
    const ended = JSON.parse(await readFile(join(state, 'report', 'report.json'), 'utf8'));
    expect(ended.live.ended).toBe('end');
    expect(ended.live.restarts).toBe(1);
    expect(ended.counts.bars).toBe(4 * 300);
  }, 90_000);

  it('a dropped connection is waited out and resumed: the process stays alive through the reconnect backoff and exits 0', async () => {
    const dropping = await serveFeed({ dataset: data, speed: 'max', port: 0, faults: { dropAfterSeq: [100] } });
    try {
      const state = join(dir, 'dropped');
      const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'cli/main.ts'), 'live', scenarioFile, '--feed', dropping.url, '--paper', '--state', state], { cwd: REPO });
      children.push(child);
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code, err).toBe(0);
      const report = JSON.parse(await readFile(join(state, 'report', 'report.json'), 'utf8'));
      expect(report.live.gaps.reconnects).toBe(1);
      expect(report.counts.bars).toBe(4 * 300);
    } finally {
      await dropping.close();
    }
  }, 90_000);

  it('refuses bad usage in one line with exit 2, and never writes into a directory of other files', async () => {
    const both = runCli(['live', scenarioFile, '--feed', feed.url, '--paper', '--broker', 'http://127.0.0.1:9/x', '--state', join(dir, 'x')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give exactly one of --paper and --broker URL');
    const noSecret = runCli(['live', scenarioFile, '--feed', feed.url, '--broker', 'http://127.0.0.1:9/x', '--state', join(dir, 'y'), '--secret-env', 'TAPEDECK_TEST_UNSET_SECRET']);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('TAPEDECK_TEST_UNSET_SECRET');
    const noFile = runCli(['live', scenarioFile, '--feed', join(dir, 'missing.jsonl'), '--paper', '--state', join(dir, 'z')]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('--feed');
    const noRestore = runCli(['live', scenarioFile, '--feed', feed.url, '--paper', '--state', join(dir, 'z'), '--restore', join(dir, 'missing')]);
    expect(noRestore.code).toBe(2);
    expect(noRestore.stderr).toContain('--restore: no such file or directory');
    expect(existsSync(join(dir, 'z'))).toBe(false);
    const userDir = join(dir, 'user-files');
    await writeFile(join(dir, 'placeholder'), '');
    await rm(userDir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(userDir));
    await writeFile(join(userDir, 'notes.txt'), 'mine');
    const refused = runCli(['live', scenarioFile, '--feed', feed.url, '--paper', '--state', userDir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('holds no live session');
    expect(await readFile(join(userDir, 'notes.txt'), 'utf8')).toBe('mine');
  }, 60_000);
});
