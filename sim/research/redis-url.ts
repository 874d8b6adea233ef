import type { ConnectionOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { ConfigError, printable } from '../../engine/core/index.js';

// Type-only imports above: parsing a --queue URL loads neither BullMQ nor ioredis.

/**
 * Returns ioredis options for a redis:// or rediss:// URL (BullMQ needs maxRetriesPerRequest null).
 * Throws ConfigError('--queue') for a URL without a host, a port outside 1-65535 or a database that is
 * not a non-negative integer (whether the server has that database is checked on connecting).
 */
export function redisOptions(url: string): RedisOptions & ConnectionOptions {
  const expected = `expected redis://HOST:PORT[/DB], was ${printable(url)}`;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // new URL() refuses a port above 65535 among other things: say which when it is that.
    const port = /^rediss?:\/\/[^/:]*:(\d+)/.exec(url)?.[1];
    if (port !== undefined && Number(port) > 65535) throw new ConfigError('--queue', `port must be 1-65535, was ${port}`);
    throw new ConfigError('--queue', expected);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new ConfigError('--queue', expected);
  if (u.hostname === '') throw new ConfigError('--queue', `no host: ${expected}`);
  const port = u.port ? Number(u.port) : 6379;
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) throw new ConfigError('--queue', `port must be 1-65535, was ${printable(u.port)}`);
  const dbText = u.pathname.length > 1 ? u.pathname.slice(1) : '0';
  if (!/^\d{1,9}$/.test(dbText)) throw new ConfigError('--queue', `database must be a non-negative integer, was ${printable(decodeURIComponent(dbText))}`);
  if (u.search !== '' || u.hash !== '') throw new ConfigError('--queue', `unexpected ${u.search || u.hash} in ${printable(url)}: ${expected}`);
  const db = Number(dbText);
  return {
    host: u.hostname,
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  } as RedisOptions & ConnectionOptions;
}

/** The URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return printable(url);
  }
}

