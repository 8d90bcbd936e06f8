// The whole product on a generated clip whose subject position is known: the
// subject stays sharp while the background changes, and 9:16 reframing keeps
// the subject in view. Real ffmpeg, real workers, the model-free finder.
import t from 'tap';
import { join } from 'node:path';
import { generateClip, subjectPosition, type ClipSpec } from '../src/media/demo-clip.js';
import { parsePlan } from '../src/plan/parse.js';
import { render } from '../src/render/render.js';
import { inspect, paths, rgbFrames } from './helpers/media.js';

const W = 320;
const H = 180;
const FPS = 25;

async function clip(dir: string): Promise<{ input: string; spec: ClipSpec }> {
  const spec: ClipSpec = { output: join(dir, 'disc.mp4'), width: W, height: H, seconds: 3, fps: String(FPS), crf: 16 };
  await generateClip(paths, spec);
  return { input: spec.output, spec };
}

/** Mean absolute RGB difference inside and outside the (known) disc, per frame. */
function regionDiffs(a: Uint8Array, b: Uint8Array, disc: { x: number; y: number; size: number }): { inside: number; outside: number } {
  const r = disc.size / 2;
  const cx = disc.x + r;
  const cy = disc.y + r;
  let inSum = 0;
  let inN = 0;
  let outSum = 0;
  let outN = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const i = (y * W + x) * 3;
      const diff = (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2])) / 3;
      if (d < r * 0.6) {
        inSum += diff;
        inN++;
      } else if (d > r * 2.2) {
        outSum += diff;
        outN++;
      }
    }
  }
  return { inside: inSum / inN, outside: outSum / outN };
}

t.test('blur-background keeps the moving subject sharp and changes the background', async (t) => {
  const dir = t.testdir({});
  const { input, spec } = await clip(dir);
  const output = join(dir, 'blur.mp4');
  const report = await render({ input, output, effect: 'blur-background', workers: 2, batchSeconds: 1, cacheDir: false });
  t.equal(report.frames, 75);
  t.equal(report.analysis.finder.includes('model-free'), true, `finder: ${report.analysis.finder}`);
  const before = rgbFrames(input, W, H);
  const after = rgbFrames(output, W, H);
  t.equal(after.length, before.length);
  let inside = 0;
  let outside = 0;
  for (let f = 0; f < before.length; f++) {
    const d = regionDiffs(before[f], after[f], subjectPosition(spec, f / FPS));
    inside += d.inside / before.length;
    outside += d.outside / before.length;
  }
  t.comment(`mean abs difference: subject ${inside.toFixed(2)}, background ${outside.toFixed(2)}`);
  t.ok(inside < 6, `subject nearly unchanged (${inside.toFixed(2)})`);
  t.ok(outside > 3 * inside && outside > 8, `background changed (${outside.toFixed(2)})`);
});

t.test('output.aspect 9:16 reframes every frame around the subject at an even size', async (t) => {
  const dir = t.testdir({});
  const { input, spec } = await clip(dir);
  const output = join(dir, 'vertical.mp4');
  const plan = parsePlan({ version: 1, output: { aspect: '9:16' }, segments: [{ start: 0, end: 3, effects: [{ type: 'vignette' }] }] });
  const report = await render({ input, output, plan, workers: 2, batchSeconds: 1, cacheDir: false });
  const facts = inspect(output);
  t.same([facts.width, facts.height], [100, 180], 'largest even 9:16 window of 320x180');
  t.equal(facts.frames, 75);
  t.same([report.output.width, report.output.height], [100, 180]);
  // The red disc should be visible in (nearly) every reframed frame.
  const frames = rgbFrames(output, 100, 180);
  let visible = 0;
  for (const f of frames) {
    let red = 0;
    for (let i = 0; i < f.length; i += 3) if (f[i] > 180 && f[i + 1] < 90 && f[i + 2] < 90) red++;
    if (red > 0.5 * Math.PI * (spec.height * 0.15) ** 2 * 0.5) visible++;
  }
  t.comment(`disc visible in ${visible}/${frames.length} reframed frames`);
  t.ok(visible >= frames.length * 0.9, `subject kept in view (${visible}/${frames.length})`);
});
