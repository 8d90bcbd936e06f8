// The ioredis connections BullMQ runs on. Reaching Redis is checked up front
// with a short timeout, so a wrong host or port is one clear error instead of
// ioredis retrying forever.
import { Redis, type RedisOptions } from 'ioredis';
import { QueueError, type QueueAddress } from './address.js';

export { QueueError, parseQueueUrl, type QueueAddress } from './address.js';

function options(address: QueueAddress): RedisOptions {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    password: address.password,
    username: address.username,
    // BullMQ's blocking commands need this (it refuses connections without it for workers).
    maxRetriesPerRequest: null,
  };
}

/** Opens one connection, failing fast (5 s) with a message naming the URL when Redis cannot be reached. */
export async function connect(address: QueueAddress): Promise<Redis> {
  const probe = new Redis({ ...options(address), lazyConnect: true, connectTimeout: 5000, retryStrategy: () => null, maxRetriesPerRequest: 1 });
  // The socket's error (ECONNREFUSED, ENOTFOUND...) says more than connect()'s "Connection is closed".
  let socketError: Error | undefined;
  probe.on('error', (err: Error) => {
    socketError ??= err;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    probe.disconnect();
    const why = (socketError ?? (err as Error)).message;
    throw new QueueError(`cannot reach Redis at ${address.url}: ${why}. Is redis-server running there (see README, "Running on several machines")?`, { cause: socketError ?? err });
  }
  probe.disconnect();
  const redis = new Redis(options(address));
  // Connection drops are retried by ioredis; BullMQ surfaces the errors that matter.
  redis.on('error', () => undefined);
  return redis;
}
