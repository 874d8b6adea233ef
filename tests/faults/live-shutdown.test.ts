import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

/**
 * Real signals to a process wired like a live session (tests/support/live-shutdown-child.ts): the
 * CLI's handlers (cli/shutdown.ts) plus flushOnShutdown. Ctrl-C flushes and exits 130, SIGTERM 143,
 * a flush that hangs is cut at its timeout, and a second Ctrl-C during the flush exits at once.
 */

function child(mode: 'ok' | 'hang', timeoutMs: number) {
  const p = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'tests/support/live-shutdown-child.ts'), mode, String(timeoutMs)], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((res) => p.on('exit', (code) => res(code)));
  return { p, exited, stdout: () => stdout, stderr: () => stderr };
}

async function waitFor(what: () => boolean, text: () => string): Promise<void> {
  const until = Date.now() + 30_000;
  while (!what()) {
    if (Date.now() > until) throw new Error(`timed out: ${text()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const events = (stderr: string): string[] =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { event: string }).event);

describe('live session shutdown (real signals)', () => {
  it('Ctrl-C flushes once and exits 130; SIGTERM exits 143', async () => {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const c = child('ok', 30_000);
      await waitFor(() => c.stdout().includes('ready'), c.stderr);
      c.p.kill(signal);
      expect(await c.exited, c.stderr()).toBe(code);
      expect(c.stdout()).toBe('ready\nflushed\n');
      expect(events(c.stderr())).toEqual(['shutdown.flushing', 'shutdown.flushed']);
    }
  }, 60_000);

  it('a flush that hangs is cut at its timeout: exit 143 and a flush_timeout line', async () => {
    const c = child('hang', 300);
    await waitFor(() => c.stdout().includes('ready'), c.stderr);
    c.p.kill('SIGTERM');
    expect(await c.exited, c.stderr()).toBe(143);
    expect(events(c.stderr())).toEqual(['shutdown.flushing', 'shutdown.flush_timeout']);
  }, 60_000);

  it('a second Ctrl-C during a hanging flush exits 130 at once (the flush timeout is 10 minutes)', async () => {
    const c = child('hang', 600_000);
    await waitFor(() => c.stdout().includes('ready'), c.stderr);
    c.p.kill('SIGINT');
    await waitFor(() => events(c.stderr()).includes('shutdown.flushing'), c.stderr);
    c.p.kill('SIGINT');
    expect(await c.exited, c.stderr()).toBe(130);
    expect(events(c.stderr())).toEqual(['shutdown.flushing']);
  }, 60_000);
});
