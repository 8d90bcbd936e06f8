// Messages between the render pool (main thread) and its workers.
import type { ChildInfo } from '../media/process/index.js';
import type { SentError } from './errors.js';
import type { BatchJob, BatchResult } from './job.js';

export interface WorkerData {
  worker: number;
  /** The mask atlas bytes. A SharedArrayBuffer: every worker sees the same memory. */
  atlas: SharedArrayBuffer;
}

// 'stop': kill and reap this thread's ffmpeg children, answer 'stopped', then wait to be terminated.
export type PoolMessage = { type: 'job'; job: BatchJob } | { type: 'exit' } | { type: 'stop' };

export type WorkerMessage =
  | { type: 'ready'; worker: number; atlasAddress: bigint; atlasShared: boolean }
  | { type: 'progress'; batch: number; frames: number }
  | { type: 'done'; result: BatchResult }
  | { type: 'failed'; batch: number; error: SentError }
  | { type: 'stopped' }
  // Each ffmpeg child as it is spawned and reaped: the pool can kill it by pid if the thread dies abruptly.
  | { type: 'child'; event: 'spawned' | 'reaped'; child: ChildInfo };
