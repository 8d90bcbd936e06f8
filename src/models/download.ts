// Downloads one file safely: into `<dest>.part`, resumed with HTTP Range after a
// cut connection, checked (size, sha256 and/or md5) and only then renamed onto
// `dest`, so a reader never sees half a model. Transient failures (connection
// errors, truncated bodies, stalls, 5xx, 429) are retried with exponential
// backoff; a 4xx or a wrong checksum is not (the mirror serves something else).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DownloadProgress {
  received: number;
  /** Total bytes when known (Content-Length / Content-Range, or the registry's size). */
  total?: number;
  /** Bytes already on disk from an earlier attempt when this one started. */
  resumedFrom: number;
}

export interface DownloadOptions {
  url: string;
  dest: string;
  sha256?: string;
  md5?: string;
  size?: number;
  /** Attempts after the first (default 4). */
  retries?: number;
  /** First backoff delay; doubles each retry (default 1000 ms). */
  backoffMs?: number;
  /** Abort an attempt when no byte arrives for this long (default 30 s). */
  stallTimeoutMs?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** Called before each retry, with why. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  file: string;
  sha256: string;
  md5: string;
  size: number;
  attempts: number;
  /** True when some attempt continued a partial file with a Range request. */
  resumed: boolean;
}

export class DownloadError extends Error {
  constructor(
    readonly url: string,
    detail: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(`${url}: ${detail}`);
    this.name = 'DownloadError';
  }
}

export async function hashFile(file: string): Promise<{ sha256: string; md5: string; size: number }> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    sha.update(chunk as Buffer);
    md5.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: sha.digest('hex'), md5: md5.digest('hex'), size };
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** One attempt: returns whether it continued a partial file. Throws DownloadError. */
async function attempt(options: DownloadOptions, part: string): Promise<boolean> {
  const have = existsSync(part) ? (await stat(part)).size : 0;
  const stallMs = options.stallTimeoutMs ?? 30_000;
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallMs);
  };
  try {
    arm();
    let res: Response;
    try {
      res = await fetch(options.url, { headers: have > 0 ? { range: `bytes=${have}-` } : {}, signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason as Error;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new DownloadError(options.url, stalled ? `no response within ${stallMs} ms` : `cannot connect (${cause?.code ?? cause?.message ?? (err as Error).message})`, true);
    }
    if (res.status === 416 && have > 0) {
      // The part may already be whole (a crash between the last byte and the rename): let the check decide.
      await res.body?.cancel();
      return true;
    }
    if (res.status === 429 || res.status >= 500) {
      await res.body?.cancel();
      throw new DownloadError(options.url, `server answered ${res.status} ${res.statusText}`, true, res.status);
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      const what = res.status === 404 ? 'not found (404): the file is not on this host' : `server answered ${res.status} ${res.statusText}`;
      throw new DownloadError(options.url, what, false, res.status);
    }
    let start = 0;
    if (res.status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== have) {
        await res.body?.cancel();
        await rm(part, { force: true });
        throw new DownloadError(options.url, `server sent a range that does not continue the partial file (${res.headers.get('content-range') ?? 'no Content-Range'}); starting again`, true);
      }
      start = have;
    }
    const length = res.headers.get('content-length');
    const total = length !== null ? start + Number(length) : options.size;
    if (options.size !== undefined && length !== null && total !== options.size) {
      await res.body?.cancel();
      throw new DownloadError(options.url, `the server's file has ${total} bytes, expected ${options.size}: this host serves a different file`, false, res.status);
    }
    await mkdir(dirname(part), { recursive: true });
    const handle = await open(part, start > 0 ? 'a' : 'w');
    let received = start;
    try {
      options.onProgress?.({ received, total, resumedFrom: start });
      if (!res.body) throw new DownloadError(options.url, 'empty response body', true);
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          arm();
          await handle.write(chunk);
          received += chunk.length;
          options.onProgress?.({ received, total, resumedFrom: start });
        }
      } catch (err) {
        if (options.signal?.aborted) throw options.signal.reason as Error;
        throw new DownloadError(options.url, stalled ? `stalled: no data for ${stallMs} ms after ${received} bytes` : `connection lost after ${received} bytes (${(err as Error).message})`, true);
      }
    } finally {
      await handle.close();
    }
    if (total !== undefined && received < total) {
      throw new DownloadError(options.url, `response ended after ${received} of ${total} bytes`, true);
    }
    return start > 0;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Downloads `url` to `dest` (see the file comment). */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const part = `${options.dest}.part`;
  const retries = options.retries ?? 4;
  const backoff = options.backoffMs ?? 1000;
  let resumed = false;
  let restartedAfterMismatch = false;
  for (let n = 0; ; n++) {
    try {
      const continued = await attempt(options, part);
      resumed ||= continued;
      const got = await hashFile(part);
      const problems: string[] = [];
      if (options.size !== undefined && got.size !== options.size) problems.push(`${got.size} bytes, expected ${options.size}`);
      if (options.sha256 && got.sha256 !== options.sha256.toLowerCase()) problems.push(`sha256 ${got.sha256}, expected ${options.sha256}`);
      if (options.md5 && got.md5 !== options.md5.toLowerCase()) problems.push(`md5 ${got.md5}, expected ${options.md5}`);
      if (problems.length) {
        await rm(part, { force: true });
        // A resumed file may mix two versions of the file: one fresh try. A fresh file that is wrong is wrong.
        if (continued && !restartedAfterMismatch) {
          restartedAfterMismatch = true;
          throw new DownloadError(options.url, `checksum mismatch after resuming (${problems.join('; ')}); downloading it again from the start`, true);
        }
        throw new DownloadError(options.url, `checksum mismatch: ${problems.join('; ')}; the file was deleted. The host (or mirror) serves a different or corrupt file`, false);
      }
      await rename(part, options.dest);
      return { file: options.dest, ...got, attempts: n + 1, resumed };
    } catch (err) {
      if (!(err instanceof DownloadError) || !err.retryable || n >= retries) {
        if (err instanceof DownloadError && err.retryable) {
          throw new DownloadError(options.url, `${err.message.slice(options.url.length + 2)} (gave up after ${n + 1} attempts; run the command again to resume from ${existsSync(part) ? (await stat(part)).size : 0} bytes)`, false, err.status);
        }
        throw err;
      }
      const delayMs = backoff * 2 ** n;
      options.onRetry?.({ attempt: n + 1, delayMs, reason: err.message });
      await sleep(delayMs, options.signal);
    }
  }
}
