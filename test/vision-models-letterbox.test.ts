import t from 'tap';
import { computeLetterbox, letterboxToTensor, pythonRound, unletterboxBox, unletterboxPoint, LETTERBOX_PAD_VALUE, type Letterbox } from '../src/vision/models/letterbox.js';

/** Source point → letterboxed point: the forward map, to check the inverse the detector uses. */
const letterboxPoint = (lb: Letterbox, x: number, y: number): [number, number] => [x * lb.r + lb.left, y * lb.r + lb.top];
import { rng } from './helpers/random.js';

t.test('pythonRound rounds halves to even like Python 3', async (t) => {
  t.same([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.4, 2.6, 426.5, 427.5].map(pythonRound), [0, 2, 2, 4, -0, -2, 2, 3, 426, 428]);
});

t.test('letterbox of 1920x1080 into 640x640 scales by 1/3 and pads 140 above and below', async (t) => {
  const lb = computeLetterbox(1920, 1080);
  t.equal(lb.r, 1 / 3);
  t.same([lb.newW, lb.newH, lb.left, lb.right, lb.top, lb.bottom], [640, 360, 0, 0, 140, 140]);
});

t.test('an odd padding puts the extra pixel at the bottom (the −0.1/+0.1 rounding)', async (t) => {
  const lb = computeLetterbox(640, 427);
  t.same([lb.newH, lb.top, lb.bottom], [427, 106, 107], 'dh = 106.5 → round(106.4), round(106.6)');
  const side = computeLetterbox(427, 640);
  t.same([side.newW, side.left, side.right], [427, 106, 107]);
});

t.test('the resized size uses Python rounding (426.5 → 426, not 427)', async (t) => {
  const lb = computeLetterbox(1280, 853);
  t.equal(lb.r, 0.5);
  t.same([lb.newW, lb.newH, lb.top, lb.bottom], [640, 426, 107, 107]);
});

t.test('letterbox geometry adds up and points round-trip on random sizes', async (t) => {
  const next = rng(0x1e77e4);
  for (let i = 0; i < 500; i++) {
    const w = 1 + Math.floor(next() * 4000);
    const h = 1 + Math.floor(next() * 4000);
    const dst = [320, 640, 1024][i % 3];
    const lb = computeLetterbox(w, h, dst, dst);
    if (lb.left + lb.newW + lb.right !== dst || lb.top + lb.newH + lb.bottom !== dst) t.fail(`${w}x${h}: padding does not fill ${dst}`);
    if (Math.abs(lb.left - lb.right) > 1 || Math.abs(lb.top - lb.bottom) > 1) t.fail(`${w}x${h}: padding not centred`);
    const x = next() * w;
    const y = next() * h;
    const [lx, ly] = letterboxPoint(lb, x, y);
    const [bx, by] = unletterboxPoint(lb, lx, ly);
    if (Math.abs(bx - x) > 1e-6 * w || Math.abs(by - y) > 1e-6 * h) t.fail(`${w}x${h}: (${x},${y}) came back as (${bx},${by})`);
  }
  t.pass('500 random sizes');
});

t.test('unletterboxBox undoes the padding and clips to the image', async (t) => {
  const lb = computeLetterbox(320, 240); // r = 2, top = 80
  t.same(unletterboxBox(lb, 20, 100, 60, 180), [10, 10, 30, 50]);
  t.same(unletterboxBox(lb, -10, 0, 700, 640), [0, 0, 320, 240]);
});

t.test('letterboxToTensor fills the border with 114 and keeps the image inside', async (t) => {
  const w = 64;
  const h = 32;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set([200, 50, 10], i * 3);
  const lb = computeLetterbox(w, h, 128, 128); // r = 2, newH = 64, top = bottom = 32
  const tensor = letterboxToTensor({ data, width: w, height: h }, lb);
  const plane = 128 * 128;
  t.equal(tensor.length, 3 * plane);
  const at = (c: number, x: number, y: number): number => Math.round(tensor[c * plane + y * 128 + x] * 255);
  t.same([at(0, 5, 5), at(1, 5, 5), at(2, 127, 127)], [LETTERBOX_PAD_VALUE, LETTERBOX_PAD_VALUE, LETTERBOX_PAD_VALUE]);
  t.same([at(0, 64, 32), at(1, 64, 64), at(2, 0, 95)], [200, 50, 10], 'inside rows 32..95');
  t.equal(at(0, 64, 96), LETTERBOX_PAD_VALUE, 'first bottom padding row');
});
