import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** Debian's redis-server (CI installs it); the tests that need it start their own on 127.0.0.1. */
export const REDIS_SERVER = '/usr/bin/redis-server';

/** Whether redis-server is installed; prints why `label`'s tests skip when it is not. */
export function redisServerAvailable(label: string): boolean {
  const available = existsSync(REDIS_SERVER);
  if (!available) console.log(`${label}: skipped, ${REDIS_SERVER} is not installed (apt-get install -y redis-server)`);
  return available;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

/**
 * Starts a throwaway redis-server on 127.0.0.1:`port` (no persistence) and resolves once it accepts
 * connections; `extraArgs` are added to its command line. Stop it with `kill()`.
 */
export async function startRedisServer(port: number, extraArgs: readonly string[] = [], timeoutMs = 30_000): Promise<ChildProcess> {
  const redis = spawn(REDIS_SERVER, ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  redis.stdout!.on('data', (b: Buffer) => {
    log += b.toString();
  });
  const until = Date.now() + timeoutMs;
  while (!/Ready to accept connections/.test(log)) {
    if (redis.exitCode !== null || Date.now() > until) {
      redis.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return redis;
}
