// Progress of a render: frames done, fps, ETA. Pure bookkeeping; the CLI
// decides how to show it (src/cli/progress-text.ts).
export type Stage = 'probe' | 'plan' | 'analyse' | 'render' | 'finish';

export interface ProgressEvent {
  stage: Stage;
  /** Units done / total in this stage (frames for render, keyframes for analyse). */
  done: number;
  total: number;
  /** Units per second in this stage so far. */
  rate: number;
  /** Seconds left in this stage, when it can be estimated. */
  etaSeconds?: number;
}

export class ProgressTracker {
  private readonly start = Date.now();
  constructor(
    private readonly stage: Stage,
    private readonly total: number,
    private readonly emit: (e: ProgressEvent) => void,
  ) {}

  update(done: number): void {
    const seconds = (Date.now() - this.start) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = this.total - done;
    this.emit({ stage: this.stage, done, total: this.total, rate, etaSeconds: rate > 0 ? left / rate : undefined });
  }
}
