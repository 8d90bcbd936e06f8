// Rates and ETAs for the progress display and `--progress json`, from the raw
// events render() emits (stage, done, total). Two rules keep the numbers honest:
// - the rate is measured from a stage's first progress report, not from its
//   start, so start-up (workers loading, decoders seeking) does not make the
//   first estimate absurd (it printed 28:04 for a 64 s render);
// - an ETA is only given once it means something: MIN_SECONDS into the stage
//   and MIN_FRACTION of it done.
import type { ProgressEvent, Stage } from '../render/progress.js';

export const ETA_MIN_SECONDS = 2;
export const ETA_MIN_FRACTION = 0.03;
/** Joining batches copies the encoded streams: measured well under this share of the render time. */
const FINISH_SHARE_OF_RENDER = 0.03;

export interface ProgressEstimate {
  stage: Stage;
  done: number;
  total: number;
  /** Units per second over the measured part of the stage (0 before it can be measured). */
  rate: number;
  /** Seconds since this stage started. */
  stageElapsed: number;
  /** Seconds since the run started. */
  elapsed: number;
  /** Seconds left in this stage; null until meaningful. */
  stageEta: number | null;
  /** Seconds left in the whole run; null until every remaining stage can be estimated. */
  eta: number | null;
}

export class ProgressEstimator {
  private readonly started: number;
  private stage: Stage | undefined;
  private stageStart = 0;
  /** First report with done > 0 in this stage: where rate measurement starts. */
  private first: { at: number; done: number } | undefined;
  private renderSeconds: number | undefined;

  constructor(private readonly now: () => number = Date.now) {
    this.started = now();
  }

  /** Folds in one event; `stageChanged` tells the caller a new stage began with it. */
  update(e: ProgressEvent): ProgressEstimate & { stageChanged: boolean } {
    const at = this.now();
    const stageChanged = e.stage !== this.stage;
    if (stageChanged) {
      if (this.stage === 'render') this.renderSeconds = (at - this.stageStart) / 1000;
      this.stage = e.stage;
      this.stageStart = at;
      this.first = undefined;
    }
    if (!this.first && e.done > 0) this.first = { at, done: e.done };
    const stageElapsed = (at - this.stageStart) / 1000;
    const measured = this.first ? (at - this.first.at) / 1000 : 0;
    const rate = measured > 0 && this.first ? (e.done - this.first.done) / measured : 0;
    const meaningful = stageElapsed >= ETA_MIN_SECONDS && e.total > 0 && e.done / e.total >= ETA_MIN_FRACTION && rate > 0;
    const stageEta = e.done >= e.total ? 0 : meaningful ? (e.total - e.done) / rate : null;
    return {
      stage: e.stage,
      done: e.done,
      total: e.total,
      rate,
      stageElapsed,
      elapsed: (at - this.started) / 1000,
      stageEta,
      eta: this.overallEta(e.stage, stageEta, stageElapsed),
      stageChanged,
    };
  }

  /**
   * The run's remaining time: this stage's ETA plus the stages after it. Only
   * the render stage's cost is known well enough to extrapolate (finish is a
   * stream copy, a small share of it); before render starts its speed is
   * unknown, so there is no overall ETA yet.
   */
  private overallEta(stage: Stage, stageEta: number | null, stageElapsed: number): number | null {
    if (stage === 'render') return stageEta === null ? null : stageEta + FINISH_SHARE_OF_RENDER * (stageElapsed + stageEta);
    if (stage === 'finish') {
      if (stageEta !== null) return stageEta;
      return this.renderSeconds === undefined ? null : Math.max(0, FINISH_SHARE_OF_RENDER * this.renderSeconds - stageElapsed);
    }
    return null;
  }
}
