// The shape of a render on the queue: one BullMQ flow in the queue "maskflow",
// N "batch" children and a "finish" parent. Job ids are the render id (a hash
// of everything that decides the output) plus the batch index, so submitting
// the same render twice names the same jobs.
import { createHash } from 'node:crypto';
import type { BatchJob } from '../render/job.js';
import type { InputIdentity } from './storage.js';

export const QUEUE_NAME = 'maskflow';
export const CANCEL_CHANNEL = 'maskflow:cancel';
export const RENDERS_KEY = 'maskflow:renders';
export const cancelKey = (renderId: string): string => `maskflow:cancelled:${renderId}`;
// Per render, not per hash: two renders of one input must not drop each other's atlas.
export const atlasKey = (renderId: string): string => `maskflow:atlas:${renderId}`;

export const batchJobId = (renderId: string, index: number): string => `${renderId}-batch-${String(index).padStart(5, '0')}`;
export const finishJobId = (renderId: string): string => `${renderId}-finish`;

/** Atlases up to this size travel as bytes in Redis; larger ones as a content-addressed file beside the batches. */
export const ATLAS_IN_REDIS_MAX_BYTES = 8 * 2 ** 20;

/** Where the mask atlas is: a Redis key or a file, named by the SHA-256 of its bytes (checked on arrival). */
export type AtlasRef = { sha256: string; bytes: number } & ({ where: 'redis'; key: string } | { where: 'file'; file: string });

export interface BatchJobData {
  renderId: string;
  /** The same plain job a local render hands its worker threads; outFile is the batch's final path. */
  job: BatchJob;
  input: InputIdentity;
  atlas: AtlasRef;
  workDir: string;
}

export interface BatchJobResult {
  index: number;
  frames: number;
  file: string;
  sha256: string;
  bytes: number;
  worker: string;
  /** True when an earlier run's batch file was verified and kept instead of rendering again. */
  reused: boolean;
  ms: { decodeWait: number; effects: number; encodeWait: number; total: number };
  /** Wall time of the whole job on the worker, atlas fetch and checks included. */
  jobMs: number;
}

export interface FinishJobData {
  renderId: string;
  input: InputIdentity;
  audioCodecs: string[];
  output: string;
  overwrite: boolean;
  workDir: string;
  batches: { index: number; startFrame: number; endFrame: number; file: string }[];
  frames: number;
  atlas: AtlasRef;
  submittedAt: number;
}

export interface FinishJobResult {
  output: { file: string; width: number; height: number; frames: number; fps: number };
  batches: BatchJobResult[];
  worker: string;
  /** Checking every batch file (hash, frame count). */
  verifyMs: number;
  /** Concatenation + audio mux + output probe + rename. */
  joinMs: number;
  warnings: string[];
}

/** Written beside each batch file once it is complete: what the finish job checks. */
export interface BatchRecord {
  renderId: string;
  index: number;
  frames: number;
  sha256: string;
  bytes: number;
  worker: string;
}

export const batchRecordFile = (batchFile: string): string => `${batchFile}.json`;

/** Everything that decides the output, hashed: the same inputs give the same render id. */
export function renderIdFor(parts: { input: InputIdentity; output: string; jobs: BatchJob[]; atlasSha256: string; audioCodecs: string[] }): string {
  const jobs = parts.jobs.map(({ ffmpeg: _f, ffprobe: _p, outFile: _o, ...rest }) => rest);
  const text = JSON.stringify({ v: 1, input: parts.input, output: parts.output, jobs, atlas: parts.atlasSha256, audio: parts.audioCodecs });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
