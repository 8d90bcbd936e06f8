// The commit at the end of a render never replaces a file it did not expect:
// a file that appears at the output path during a real render survives
// (without -y), and of two concurrent renders to one new path exactly one wins.
import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateClip } from '../src/media/demo-clip.js';
import type { PlanInput } from '../src/plan/schema.js';
import { render } from '../src/render/render.js';
import { inspect, paths } from './helpers/media.js';

const dir = t.testdir({});
const input = join(dir, 'in.mp4');
const plan: PlanInput = { version: 1, subject: { keyframeInterval: 1 }, segments: [{ start: 0, effects: [{ type: 'grayscale-background' }] }] };

t.before(() => generateClip(paths, { output: input, width: 160, height: 96, seconds: 2, fps: '25' }));

/** Hidden files render() leaves in the folder (temp outputs, batch folders). */
const hidden = (): string[] => readdirSync(dir).filter((n) => n.startsWith('.'));

t.test('a file created at the output path mid-render survives without -y; the render fails saying so', async (t) => {
  const output = join(dir, 'appears.mp4');
  let planted = false;
  const run = render({
    input,
    output,
    plan,
    cacheDir: false,
    onProgress: (e) => {
      if (e.stage === 'render' && !planted) {
        planted = true;
        writeFileSync(output, 'someone else wrote this');
      }
    },
  });
  await t.rejects(run, { name: 'OutputExistsError', message: /appears\.mp4 appeared while this render ran.*nothing was written.*-y/ });
  t.ok(planted, 'the file appeared while the render ran');
  t.equal(readFileSync(output, 'utf8'), 'someone else wrote this', 'the other file is untouched');
  t.same(hidden(), [], 'no temp files left');
});

t.test('with -y (overwrite) a file that appeared mid-render is replaced', async (t) => {
  const output = join(dir, 'replaced.mp4');
  let planted = false;
  const report = await render({
    input,
    output,
    plan,
    cacheDir: false,
    overwrite: true,
    onProgress: (e) => {
      if (e.stage === 'render' && !planted) {
        planted = true;
        writeFileSync(output, 'old');
      }
    },
  });
  t.ok(planted);
  t.equal(inspect(output).frames, report.frames, 'the output is the rendered video');
  t.same(hidden(), []);
});

t.test('two concurrent renders to one new path: exactly one wins, the other fails clearly, nothing lost', async (t) => {
  const output = join(dir, 'race.mp4');
  const runs = await Promise.allSettled([
    render({ input, output, plan, cacheDir: false, workers: 1 }),
    render({ input, output, plan, cacheDir: false, workers: 1 }),
  ]);
  const won = runs.filter((r) => r.status === 'fulfilled');
  const lost = runs.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  t.equal(won.length, 1, 'one render wrote the output');
  t.equal(lost.length, 1, 'the other failed');
  t.match(lost[0].reason, { name: 'OutputExistsError', message: /race\.mp4 appeared while this render ran/ });
  t.equal(inspect(output).frames, 50, "the winner's output is whole");
  t.same(hidden(), [], 'neither left temp files');
});
