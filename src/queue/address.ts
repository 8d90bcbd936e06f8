// Where the queue lives: a redis://HOST:PORT[/DB] URL, checked once. No
// Redis client here, so importing maskflow does not load one.

export class QueueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueError';
  }
}

export interface QueueAddress {
  /** The URL as given, for messages. */
  url: string;
  host: string;
  port: number;
  db: number;
  password?: string;
  username?: string;
}

export function parseQueueUrl(url: string): QueueAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError(`--queue ${JSON.stringify(url)} is not a URL; expected redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379`);
  }
  if (u.protocol !== 'redis:') throw new QueueError(`--queue ${url}: only redis:// URLs are supported (redis://HOST:PORT[/DB])`);
  if (!u.hostname) throw new QueueError(`--queue ${url}: the URL names no host (redis://HOST:PORT[/DB])`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw new QueueError(`--queue ${url}: the database must be a number (redis://HOST:PORT/DB), got "${path}"`);
  const db = path === '' ? 0 : Number(path);
  if (db > 15) throw new QueueError(`--queue ${url}: database ${db} is out of range (0-15 on a default Redis)`);
  if (u.search || u.hash) throw new QueueError(`--queue ${url}: query strings and fragments are not supported`);
  return {
    url,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
  };
}
