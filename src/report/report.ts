// The run report: what was rendered, how long each stage took, how masks and
// models were shared. Returned by render() and written by --report.
import { takeChildrenRss } from '../media/process/index.js';

export interface BatchReport {
  index: number;
  range: [number, number];
  seconds: number;
  /** Frames decoded and thrown away to reach the batch's first frame (null: codec keyframes unknown). */
  seekFrames?: number | null;
  worker: number;
  /** Tries it took: 2 when the first failed for a transient reason (ffmpeg killed or hung, worker crashed) and it was rerun on a fresh worker. Local renders only (a queue counts its attempts in `maskflow status`). */
  attempts?: number;
  /** Taken from an interrupted earlier run of the same render (resume) instead of rendered: worker -1, attempts 0. */
  reused: boolean;
  ms: { decodeWait: number; effects: number; encodeWait: number; total: number };
}

/** How the worker count and ffmpeg threads were chosen (src/render/worker-choice.ts). */
export interface WorkerChoiceReport {
  workers: number;
  /** Workers actually started: at most one per batch. */
  pool: number;
  ffmpegThreads: number | null;
  cores: number;
  pipelineCores: number;
  source: 'option' | 'table';
  reason: string;
  /** CPU seconds of the render stage per wall second: the cores the workers kept busy. */
  renderCoresUsed: number;
}

export interface Report {
  maskflow: string;
  input: { file: string; width: number; height: number; fps: number; frames: number; duration: number; audio: boolean };
  output: { file: string; width: number; height: number; frames: number; fps: number };
  frames: number;
  workers: number;
  workerChoice?: WorkerChoiceReport;
  batches: BatchReport[];
  stages: Record<'probe' | 'plan' | 'analyse' | 'render' | 'finish' | 'total', number>;
  /** CPU seconds (user + sys) per stage of this process and its ffmpeg children; childrenCounted false where /proc is missing. */
  stagesCpu?: { analyse: number; render: number; finish: number; total: number; childrenCounted: boolean };
  /** Output frames per second of wall time, whole run. */
  fps: number;
  /** Frames per second of the render stage alone. */
  renderFps: number;
  /** Sessions created per model; keyframes the models ran on; mean ms of one pass (0 on a cache hit). */
  models: { loads: Record<string, number>; inferences: number; msPerInference: number };
  /** keyframeSchedule: 'adaptive' (model runs where the interpolation needs them) or 'fixed' (every keyframeInterval). */
  analysis: { cached: boolean; finder: string; keyframes: number; keyframeSchedule: 'fixed' | 'adaptive' };
  masks: {
    /** Size of the atlas every worker reads in place. */
    bytesShared: number;
    /** Mask bytes copied into workers: 0 when every worker saw the main thread's memory. */
    bytesCopied: number;
    maskWidth: number;
    maskHeight: number;
  };
  /** Peak RSS of this process (main and worker threads), sampled. */
  peakRssBytes: number;
  /**
   * Peak memory of the ffmpeg/ffprobe processes this run started on this
   * machine, summed over those alive at once (from /proc; 0 without it).
   * They are separate processes, so not in peakRssBytes, and usually most of a render's memory.
   */
  ffmpegPeakRssBytes: number;
  ffmpeg: { path: string; version: string; ffprobe: string; source: string };
  native: { path: string; source: string };
  plan: { segments: number; resolvedFile?: string; warnings: string[] };
  /** Everything the run warned about (plan clamps, planner fallback, audio re-encoded...). */
  warnings: string[];
  /** Rendered through a queue (render --queue): batches[].worker indexes `workers`. */
  queue?: QueueReport;
}

export interface QueueReport {
  url: string;
  renderId: string;
  /** Published only (render --detach): nothing below the plan was measured. */
  detached: boolean;
  /** Names of the `maskflow worker` processes that ran the batches. */
  workers: string[];
  finishWorker?: string;
  /** Batches whose verified file from an earlier submission was reused. */
  reusedBatches: number[];
  /** Finish job: checking every batch file, then join + mux + rename. */
  verifyMs?: number;
  joinMs?: number;
}

/**
 * Peak resident set size of this process (all worker threads included) while
 * a run is going, sampled. getrusage's maxRSS is not used: on Linux a child
 * process inherits its parent's high-water mark across fork and exec, so a
 * render spawned by a large process would report the parent's size.
 */
export class PeakRssSampler {
  private peak = process.memoryUsage.rss();
  private childrenPeak = 0;
  private ticks = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 20) {
    takeChildrenRss(); // children that ended before this run are not its own
    this.timer = setInterval(() => {
      this.sample();
      // /proc reads for every child cost more than one rss() call: every fifth tick.
      if (++this.ticks % 5 === 0) this.sampleChildren();
    }, intervalMs);
    this.timer.unref();
  }

  sample(): number {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    return this.peak;
  }

  /** Peak of this run's ffmpeg/ffprobe children together (src/media/process takeChildrenRss). */
  sampleChildren(): number {
    this.childrenPeak = Math.max(this.childrenPeak, takeChildrenRss());
    return this.childrenPeak;
  }

  stop(): number {
    clearInterval(this.timer);
    return this.sample();
  }
}
