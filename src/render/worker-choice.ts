// How many render workers (pipelines: ffmpeg decode → effects → ffmpeg encode)
// and how many threads per ffmpeg process, chosen from what one pipeline
// uses rather than from the core count alone.
//
// One pipeline is already parallel: ffmpeg's decoder runs frame threads and
// x264 runs about 1.5 threads per core. Measured on a 2-core machine (bench
// e2e, issue 13): one 1080p30 pipeline keeps ~1.8 of the 2 cores busy, and a
// second worker adds no throughput while it adds a second decoder that seeks
// into a GOP and throws frames away. A pipeline stops scaling where x264's
// frame threads run out of macroblock rows and where the worker's one
// JavaScript thread (pipe reads, the effect kernel, pipe writes) saturates;
// both come sooner on small frames. PIPELINE_CORES is that limit per frame
// height: a second pipeline only pays once the cores left idle by the first
// make up at least one more pipeline's worth.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Cores one pipeline keeps busy, by encoded frame height (rows). */
export const PIPELINE_CORES: readonly { maxHeight: number; cores: number }[] = [
  { maxHeight: 600, cores: 3 },
  { maxHeight: 1100, cores: 6 },
  { maxHeight: Infinity, cores: 10 },
];

export interface WorkerChoice {
  /** Workers asked for (before capping by the number of batches). */
  workers: number;
  /** Threads per ffmpeg process (decoder and encoder); undefined = ffmpeg's own choice. */
  ffmpegThreads?: number;
  cores: number;
  /** Cores one pipeline is expected to keep busy at this size. */
  pipelineCores: number;
  /** `option` when --workers decided, else `table` (PIPELINE_CORES). */
  source: 'option' | 'table';
  reason: string;
}

export interface WorkerChoiceInput {
  /** Encoded frame size. */
  width: number;
  height: number;
  /** --workers; wins when given. */
  requested?: number;
  /** Default: os.availableParallelism(). */
  cores?: number;
}

export function pipelineCores(height: number): number {
  return (PIPELINE_CORES.find((r) => height <= r.maxHeight) ?? PIPELINE_CORES[PIPELINE_CORES.length - 1]).cores;
}

/** Threads per ffmpeg process when `workers` pipelines share `cores`. */
export function threadsFor(workers: number, cores: number): number | undefined {
  // One pipeline: ffmpeg's defaults (x264 ~1.5 threads per core) use the machine best.
  // Several: measured on 2 cores, 1 thread per process each beat ffmpeg's default by ~9%.
  return workers > 1 ? Math.max(1, Math.floor(cores / workers)) : undefined;
}

export function chooseWorkers(input: WorkerChoiceInput): WorkerChoice {
  const cores = Math.max(1, input.cores ?? availableParallelism());
  const perPipeline = pipelineCores(input.height);
  const size = `${input.width}x${input.height}`;
  if (input.requested !== undefined) {
    return {
      workers: input.requested,
      ffmpegThreads: threadsFor(input.requested, cores),
      cores,
      pipelineCores: perPipeline,
      source: 'option',
      reason: `--workers ${input.requested} given (one pipeline at ${size} keeps about ${Math.min(cores, perPipeline)} of ${cores} cores busy)`,
    };
  }
  // A second pipeline only when the cores the first leaves idle hold a whole other pipeline.
  const workers = Math.max(1, Math.floor(cores / perPipeline));
  const reason =
    workers === 1
      ? `one pipeline at ${size} keeps up to ${perPipeline} cores busy; ${cores} core${cores === 1 ? '' : 's'} leave no room for a second that would add throughput`
      : `one pipeline at ${size} keeps about ${perPipeline} cores busy; ${cores} cores hold ${workers}`;
  return { workers, ffmpegThreads: threadsFor(workers, cores), cores, pipelineCores: perPipeline, source: 'table', reason };
}

/**
 * CPU milliseconds (user + sys) used so far by this process (every thread)
 * plus the child processes it has reaped (the ffmpeg processes of finished
 * batches): getrusage for the process, /proc/self/stat's cutime + cstime for
 * the children (Linux; elsewhere the children are left out and `children` is false).
 */
export function processTreeCpuMs(): { ms: number; children: boolean } {
  const self = process.cpuUsage();
  let childMs = 0;
  let children = false;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Field 3 (state) is fields[0]; cutime and cstime are fields 16 and 17, in USER_HZ ticks (100 on Linux).
    childMs = (Number(fields[13]) + Number(fields[14])) * 10;
    children = Number.isFinite(childMs);
    if (!children) childMs = 0;
  } catch {
    // Not Linux: the children's time is unknown.
  }
  return { ms: (self.user + self.system) / 1000 + childMs, children };
}
