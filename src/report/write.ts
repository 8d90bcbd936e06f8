// --report FILE: the report JSON, and beside it the resolved plan, loadable
// again with --plan to repeat the run.
import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import type { ProbeInfo } from '../media/probe-types.js';
import type { ResolvedPlan } from '../plan/resolve.js';
import type { Plan } from '../plan/schema.js';
import type { Report } from './report.js';

/** Plan as written to plan.resolved.json: loadable again with --plan to repeat the run. */
export function repeatablePlan(resolved: ResolvedPlan, info: ProbeInfo): Plan {
  const seconds = (f: number): number => Math.round(((f * info.fpsDen) / info.fpsNum) * 1e6) / 1e6;
  return {
    version: 1,
    subject: resolved.subject,
    output: resolved.output,
    segments: resolved.segments.map((s) => ({ start: seconds(s.startFrame), end: seconds(s.endFrame), effects: s.effects })),
  };
}

/** Writes `report` to `file` and the resolved plan beside it; sets `report.plan.resolvedFile`. */
export async function writeReportFiles(report: Report, file: string, resolved: ResolvedPlan, info: ProbeInfo): Promise<void> {
  const reportFile = resolve(file);
  await mkdir(dirname(reportFile), { recursive: true });
  // Named after the report (r.json → r.plan.resolved.json), so runs sharing a folder keep theirs.
  const planFile = join(dirname(reportFile), `${basename(reportFile, extname(reportFile))}.plan.resolved.json`);
  await writeFileAtomic(planFile, `${JSON.stringify(repeatablePlan(resolved, info), null, 2)}\n`);
  report.plan.resolvedFile = planFile;
  await writeFileAtomic(reportFile, `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}
