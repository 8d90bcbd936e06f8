// Motion fields from block matching (src/vision/mask-motion.ts), on a scene with a
// known answer: a textured disc on a curved path over a textured background that
// pans the other way. The fields must say where the disc went, and the atlas built
// from them must sample the in-between mask where the disc is (the box map, a straight
// line between the keyframes, misses the bend).
import t from 'tap';
import { readAtlas, sampleMask, writeAtlas } from '../src/vision/atlas.js';
import { intervalMotion, MOTION_BLOCK, type MotionFrame, type MotionKeyframe } from '../src/vision/mask-motion.js';
import { ATLAS_MOTION_UNIT } from '../src/vision/atlas-layout.js';
import { rng } from './helpers/random.js';

const MW = 160;
const MH = 96;
const R = 18;
const GAP = 12;

/** Disc centre (mask pixels) at frame f: left to right with a bump, like a bobbing subject. */
const centre = (f: number): [number, number] => [40 + 6.5 * f, 60 - 26 * Math.sin((Math.PI * f) / GAP)];

/** Smooth random texture (sums of a few sines) so block matching has something to lock onto. */
function texture(seed: number): (x: number, y: number) => number {
  const next = rng(seed);
  const waves = Array.from({ length: 6 }, () => [next() * 0.5 + 0.1, next() * 0.5 + 0.1, next() * 6.28, next() * 30 + 10]);
  return (x, y) => 128 + waves.reduce((s, [a, b, p, amp]) => s + amp * Math.sin(a * x + b * y + p) * Math.cos(b * x - a * y), 0) / 2;
}

const fg = texture(7);
const bg = texture(99);

function frameAt(f: number): { gray: Uint8Array; mask: Uint8Array } {
  const [cx, cy] = centre(f);
  const pan = -2 * f;
  const gray = new Uint8Array(MW * MH);
  const mask = new Uint8Array(MW * MH);
  for (let y = 0; y < MH; y++) {
    for (let x = 0; x < MW; x++) {
      const inside = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= R;
      const v = inside ? fg(x - cx, y - cy) : bg(x - pan, y);
      gray[y * MW + x] = Math.max(0, Math.min(255, Math.round(v)));
      mask[y * MW + x] = inside ? 255 : 0;
    }
  }
  return { gray, mask };
}

const box = (f: number): [number, number, number, number] => {
  const [cx, cy] = centre(f);
  return [(cx - R) / MW, (cy - R) / MH, (2 * R) / MW, (2 * R) / MH];
};

function keyframe(f: number): MotionKeyframe {
  return { frame: f, ...frameAt(f), box: box(f) };
}

const between: MotionFrame[] = [3, 6, 9].map((f) => ({ frame: f, gray: frameAt(f).gray }));

t.test('block matching follows the subject, not the background beside it', async (t) => {
  const samples = intervalMotion(keyframe(0), keyframe(GAP), between, MW, MH);
  t.same(samples.map((s) => s.frame), [0, 3, 6, 9, GAP], 'one sample per keyframe and per frame between');
  const gw = Math.ceil(MW / MOTION_BLOCK);
  for (const s of samples) {
    // Blocks whose centre lies on the disc at the sample's frame read the keyframes at the disc's offset.
    const [cx, cy] = centre(s.frame);
    let worst = 0;
    let blocks = 0;
    for (let b = 0; b < s.field.length / 4; b++) {
      const bx = ((b % gw) + 0.5) * MOTION_BLOCK;
      const by = (Math.floor(b / gw) + 0.5) * MOTION_BLOCK;
      if (Math.hypot(bx - cx, by - cy) > R - 4) continue;
      blocks++;
      const want = [centre(0)[0] - cx, centre(0)[1] - cy, centre(GAP)[0] - cx, centre(GAP)[1] - cy];
      for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(s.field[4 * b + c] / ATLAS_MOTION_UNIT - want[c]));
    }
    t.ok(blocks > 0 && worst <= 1, `frame ${s.frame}: ${blocks} blocks on the disc read the keyframes within ${worst.toFixed(2)} px of the true offset`);
  }
});

t.test('an atlas with these fields samples the disc where it is between the keyframes', async (t) => {
  const k0 = keyframe(0);
  const k1 = keyframe(GAP);
  const samples = intervalMotion(k0, k1, between, MW, MH);
  const contents = {
    maskWidth: MW, maskHeight: MH, sourceWidth: MW, sourceHeight: MH, frames: [0, GAP], boxes: [...box(0), ...box(GAP)], scores: [1, 1],
    masks: Uint8Array.from([...k0.mask, ...k1.mask]),
  };
  const flat = new Int16Array(samples.length * samples[0].field.length);
  samples.forEach((s, i) => flat.set(s.field, i * s.field.length));
  const withMotion = readAtlas(writeAtlas({ ...contents, motion: { blockSize: MOTION_BLOCK, first: [0, samples.length], frames: samples.map((s) => s.frame), fields: flat } }));
  const boxOnly = readAtlas(writeAtlas(contents));
  const iou = (m: Uint8Array, truth: Uint8Array): number => {
    let i = 0;
    let u = 0;
    for (let p = 0; p < m.length; p++) {
      const [a, b] = [m[p] >= 128, truth[p] >= 128];
      if (a && b) i++;
      if (a || b) u++;
    }
    return i / u;
  };
  for (const f of [2, 4, 6, 8, 10]) {
    const truth = frameAt(f).mask;
    const flow = iou(sampleMask(withMotion, f, MW, MH), truth);
    const boxed = iou(sampleMask(boxOnly, f, MW, MH), truth);
    // Between samples (every 3 frames here) the fields are lerped: a path this curved is followed to within ~2 px.
    t.ok(flow >= (f % 3 === 0 ? 0.95 : 0.85), `frame ${f}: with motion IoU ${flow.toFixed(3)}`);
    t.ok(flow > boxed + 0.05, `frame ${f}: better than the box map (${boxed.toFixed(3)})`);
  }
});
