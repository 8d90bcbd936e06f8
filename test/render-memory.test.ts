// Memory honesty: a render's ffmpeg processes are separate from Node's RSS,
// so the report gives their peak too (ffmpegPeakRssBytes): the children alive
// at once, summed. Checked against what the test itself reads from /proc for
// the children of this process while the batches run.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateClip } from '../src/media/demo-clip.js';
import type { PlanInput } from '../src/plan/schema.js';
import { render } from '../src/render/render.js';
import { ffmpegChildren } from './helpers/children.js';
import { paths } from './helpers/media.js';

const dir = t.testdir({});
const input = join(dir, 'in.mp4');
const plan: PlanInput = { version: 1, subject: { keyframeInterval: 1 }, segments: [{ start: 0, effects: [{ type: 'blur-background', radius: 20 }] }] };

t.before(() => generateClip(paths, { output: input, width: 640, height: 360, seconds: 4, fps: '25' }));

function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

t.test('ffmpegPeakRssBytes: all ffmpeg children of the render at once, beside peakRssBytes', async (t) => {
  let seenSum = 0;
  let seenMostAtOnce = 0;
  const report = await render({
    input,
    output: join(dir, 'out.mp4'),
    plan,
    cacheDir: false,
    workers: 2,
    batchSeconds: 1,
    onProgress: (e) => {
      if (e.stage !== 'render') return;
      const live = ffmpegChildren().filter((c) => c.state !== 'Z');
      seenMostAtOnce = Math.max(seenMostAtOnce, live.length);
      seenSum = Math.max(seenSum, live.reduce((n, c) => n + rssOf(c.pid), 0));
    },
  });
  t.ok(seenMostAtOnce >= 2, `several ffmpeg children ran at once (${seenMostAtOnce})`);
  t.ok(seenSum > 0, `the test saw them use memory (${seenSum} bytes)`);
  // The report's figure samples peak sizes (VmHWM), so it is at least what the test saw at any moment, give or take a page or two.
  t.ok(report.ffmpegPeakRssBytes >= seenSum * 0.95, `ffmpegPeakRssBytes ${report.ffmpegPeakRssBytes} >= the children's RSS seen together ${seenSum}`);
  t.ok(report.ffmpegPeakRssBytes < 4 * 2 ** 30, 'and a plausible size');
  t.ok(report.peakRssBytes > 0, 'peakRssBytes is still there (this process only)');
});
