import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { WsFeed } from '../../live/feed/ws-feed.js';
import { REPO, runCli } from '../support/cli.js';

/** `tapedeck feed serve` as a child process: where it listens, how it stops, what it refuses. */

let dir: string;
let data: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-feed-cli-'));
  data = join(dir, 'data');
  await generateDataset({ seed: 3, out: data, symbols: ['AAA', 'BBB'], days: 5, kinds: ['bars'] });
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

/** Starts `feed serve` and waits for the URL it prints once listening. */
async function startServe(args: readonly string[]): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'cli/main.ts'), 'feed', 'serve', ...args], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' } });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.startsWith('ws://'));
      if (line !== undefined) resolveUrl(line.trim());
    });
    void exited.then((code) => reject(new Error(`feed serve exited ${code} before listening: ${err}`)));
  });
  return { child, url, stderr: () => err, exited };
}

/** Resolves with the error code of a TCP connection to host:port ('connected' when it is accepted). */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((r) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      r('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? e.message));
  });
}

describe('tapedeck feed serve', () => {
  it('listens on 127.0.0.1 only, serves every bar, and exits 130 on SIGINT', async () => {
    const s = await startServe([data, '--port', '0', '--speed', 'max']);
    const m = /^ws:\/\/127\.0\.0\.1:(\d+)$/.exec(s.url);
    expect(m, s.url).not.toBeNull();
    const port = Number(m![1]);
    expect(await tryConnect('127.0.0.1', port)).toBe('connected');
    const outside = Object.values(networkInterfaces()).flat().filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
    for (const a of outside) expect(await tryConnect(a!.address, port), a!.address).toBe('ECONNREFUSED');
    const feed = new WsFeed({ url: s.url, symbols: ['AAA', 'BBB'], kinds: ['bars'] }).start();
    let rows = 0;
    for await (const b of feed.batches.bars!) rows += b.length;
    const report = await feed.done;
    expect(rows).toBe(10);
    expect(report.gaps).toMatchObject({ ended: true, seqGaps: [], reconnects: 0 });
    expect(s.stderr()).toMatch(/serving .* \(bars of AAA, BBB: 10 rows\) at ws:\/\/127\.0\.0\.1:\d+, speed max/);
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(130);
    expect(s.stderr()).toMatch(/tapedeck feed: stopped\n$/);
    expect(await tryConnect('127.0.0.1', port)).toBe('ECONNREFUSED');
  }, 120_000);

  it('exits 143 on SIGTERM while a client is connected', async () => {
    const s = await startServe([data, '--port', '0', '--speed', '1x', '--quiet']);
    const feed = new WsFeed({ url: s.url, symbols: ['AAA', 'BBB'], maxAttempts: 1 }).start();
    // At 1x the daily bars are days apart: the client sits connected until the server goes, once it
    // has the first day's two bars (waited for: a loaded machine takes more than a moment to connect).
    for (const end = Date.now() + 30_000; feed.stats.accepted < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(143);
    expect(s.stderr()).toBe('');
    const report = await feed.done;
    expect(report.failure).toMatch(/^gave up after 1 failed connection attempts/);
    expect(report.stats.accepted).toBe(2); // the first day's two bars go out at once
  }, 120_000);

  it('refuses bad input in one line with exit code 2', async () => {
    await writeFile(join(dir, 'file.txt'), 'x');
    const cases: [string[], RegExp][] = [
      [[join(dir, 'missing')], /^tapedeck: DATASET: no such directory: ".*missing"\n$/],
      [[join(dir, 'file.txt')], /^tapedeck: DATASET: expected a dataset directory, was the file ".*file\.txt"\n$/],
      [[dir], /^tapedeck: DATASET: .* is not a Tapedeck dataset \(/],
      [[data, '--speed', 'fast'], /^tapedeck: --speed: expected a positive multiple such as 60x, 1x or 0\.5x, or max, was "fast"\n$/],
      [[data, '--speed', '0x'], /^tapedeck: --speed: /],
      [[data, '--port', '70000'], /^tapedeck: --port: expected an integer from 0 to 65535, was "70000"\n$/],
      [[data, '--port', 'http'], /^tapedeck: --port: /],
      [[data, '--heartbeat', '0'], /^tapedeck: --heartbeat: /],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['feed', 'serve', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const none = runCli(['feed', 'serve']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing required argument 'dataset'/);
  }, 300_000);
});
