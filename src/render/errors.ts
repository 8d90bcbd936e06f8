// Errors of the render workers, and their passage from a worker thread to the
// pool: structured clone keeps only built-in error names, so an error is sent
// as plain data and rebuilt with its class, own fields and `cause` chain.
import { ProcessError } from '../media/process/index.js';
import type { BatchJob } from './job.js';

export class FrameCountError extends Error {
  constructor(job: BatchJob, got: number) {
    const expected = job.endFrame - job.startFrame;
    super(
      `batch ${job.batch}: ffmpeg decoded ${got} frames for frames [${job.startFrame}, ${job.endFrame}) of ${job.input}, ` +
        `expected ${expected}. The input may have a variable frame rate or a broken stream; ` +
        're-encode it to a constant frame rate first (ffmpeg -i in -vsync cfr ...).',
    );
    this.name = 'FrameCountError';
  }
}

/** A failure of the pool itself (a worker thread that crashed or exited), naming the batch when known. */
export class BatchError extends Error {
  constructor(
    readonly batch: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BatchError';
  }
}

/** A render worker thread that died (an uncaught error, a non-zero exit) instead of reporting its batch. */
export class WorkerCrashError extends BatchError {
  constructor(
    readonly worker: number,
    batch: number | undefined,
    what: string,
    cause?: unknown,
  ) {
    super(batch ?? -1, `render worker ${worker} ${what}${batch === undefined ? '' : ` while rendering batch ${batch}`}`, { cause });
    this.name = 'WorkerCrashError';
  }
}

export interface SentError {
  name: string;
  message: string;
  stack?: string;
  /** Own enumerable fields with plain values (ProcessError's failure, lastLine, ...). */
  fields: Record<string, string | number | boolean | null>;
  cause?: SentError | { value: string };
}

/** Classes rebuilt with their prototype, so `instanceof` holds in the main thread too. */
const CLASSES: Record<string, { prototype: Error }> = { FrameCountError, ProcessError, BatchError, WorkerCrashError };

export function sendError(err: unknown, depth = 0): SentError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: SentError['fields'] = {};
  for (const [k, v] of Object.entries(err)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v as string | number | boolean | null;
  }
  const sent: SentError = { name: err.name, message: err.message, stack: err.stack, fields };
  if (err.cause !== undefined && depth < 8) sent.cause = err.cause instanceof Error ? sendError(err.cause, depth + 1) : { value: typeof err.cause === 'string' ? err.cause : JSON.stringify(err.cause) ?? 'undefined' };
  return sent;
}

export function receiveError(sent: SentError): Error {
  const err = Object.create((CLASSES[sent.name] ?? Error).prototype) as Error;
  Object.defineProperty(err, 'message', { value: sent.message, writable: true, configurable: true });
  Object.defineProperty(err, 'name', { value: sent.name, writable: true, configurable: true });
  if (sent.stack) Object.defineProperty(err, 'stack', { value: sent.stack, writable: true, configurable: true });
  Object.assign(err, sent.fields);
  if (sent.cause) {
    const cause = 'value' in sent.cause ? sent.cause.value : receiveError(sent.cause);
    Object.defineProperty(err, 'cause', { value: cause, writable: true, configurable: true });
  }
  return err;
}
