// `--progress json`: one JSON object per line (NDJSON) for scripts. Events:
//   {"event":"stage","stage":"analyse","elapsed":1.2}             a stage begins
//   {"event":"progress","stage":"render","done":480,"total":1800,"unit":"frames",
//    "percent":26.7,"rate":61.8,"fps":61.8,"stageEta":21.4,"eta":22.1,
//    "stageElapsed":7.8,"elapsed":12.0}                            at most every intervalMs
//   {"event":"warning","message":"..."}
//   {"event":"report","report":{...}}                              the run report, last
//   {"event":"error","message":"...","exitCode":1}                 instead of the report
// stageEta/eta are null until meaningful (see progress-eta.ts); fps only for render.
import type { ProgressEvent } from '../render/progress.js';
import type { Report } from '../report/report.js';
import { ProgressEstimator, type ProgressEstimate } from './progress-eta.js';

export const UNITS = { probe: 'steps', plan: 'steps', analyse: 'keyframes', render: 'frames', finish: 'batches' } as const;

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const roundOrNull = (n: number | null): number | null => (n === null ? null : round(n, 1));

export interface NdjsonProgress {
  onProgress: (e: ProgressEvent) => void;
  warning: (message: string) => void;
  report: (report: Report) => void;
  error: (message: string, exitCode: number) => void;
}

export function ndjsonProgress(write: (line: string) => void, estimator = new ProgressEstimator(), intervalMs = 250, now: () => number = Date.now): NdjsonProgress {
  let last = 0;
  let lastKey = '';
  const line = (value: object): void => write(`${JSON.stringify(value)}\n`);
  return {
    onProgress(e) {
      const est: ProgressEstimate & { stageChanged: boolean } = estimator.update(e);
      if (est.stageChanged) line({ event: 'stage', stage: e.stage, elapsed: round(est.elapsed) });
      const key = `${e.stage}:${e.done}`;
      const t = now();
      const finished = e.done >= e.total;
      if (key === lastKey || (!est.stageChanged && !finished && t - last < intervalMs)) return;
      lastKey = key;
      last = t;
      line({
        event: 'progress',
        stage: e.stage,
        done: e.done,
        total: e.total,
        unit: UNITS[e.stage],
        percent: e.total > 0 ? round((100 * e.done) / e.total, 1) : 0,
        rate: round(est.rate),
        ...(e.stage === 'render' ? { fps: round(est.rate) } : {}),
        stageEta: roundOrNull(est.stageEta),
        eta: roundOrNull(est.eta),
        stageElapsed: round(est.stageElapsed),
        elapsed: round(est.elapsed),
      });
    },
    warning(message) {
      line({ event: 'warning', message });
    },
    report(report) {
      line({ event: 'report', report });
    },
    error(message, exitCode) {
      line({ event: 'error', message, exitCode });
    },
  };
}
