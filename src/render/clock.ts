// Wall and CPU time per stage of one run. CPU seconds are this process's and
// its ffmpeg children's (user + sys), measured for the stages that do the work.
import { performance } from 'node:perf_hooks';
import type { Report } from '../report/report.js';
import { processTreeCpuMs } from './worker-choice.js';

type WallStage = 'probe' | 'plan' | 'analyse' | 'render' | 'finish';
type CpuStage = 'analyse' | 'render' | 'finish';

export class StageClock {
  readonly stages: Report['stages'] = { probe: 0, plan: 0, analyse: 0, render: 0, finish: 0, total: 0 };
  readonly cpu: NonNullable<Report['stagesCpu']>;
  private readonly cpuStartMs: number;
  private cpuMark: number;
  private t = performance.now();

  constructor(readonly started: number) {
    const start = processTreeCpuMs();
    this.cpuStartMs = start.ms;
    this.cpuMark = start.ms;
    this.cpu = { analyse: 0, render: 0, finish: 0, total: 0, childrenCounted: start.children };
  }

  begin(stage: WallStage): void {
    this.t = performance.now();
    if (isCpuStage(stage)) this.cpuMark = processTreeCpuMs().ms;
  }

  end(stage: WallStage): void {
    this.stages[stage] = performance.now() - this.t;
    if (isCpuStage(stage)) {
      const now = processTreeCpuMs().ms;
      this.cpu[stage] = (now - this.cpuMark) / 1000;
      this.cpuMark = now;
    }
  }

  /** Closes the run: total wall and CPU time since it started. */
  endRun(): void {
    this.cpu.total = (processTreeCpuMs().ms - this.cpuStartMs) / 1000;
    this.stages.total = performance.now() - this.started;
  }
}

function isCpuStage(stage: WallStage): stage is CpuStage {
  return stage === 'analyse' || stage === 'render' || stage === 'finish';
}
