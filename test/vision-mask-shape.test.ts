// solidify (src/vision/mask-shape.ts) on masks drawn here: holes enclosed by the subject are
// filled, a bay open to the outside is not, crumbs go, a second piece of similar size stays.
import t from 'tap';
import { solidify } from '../src/vision/mask-shape.js';

const w = 40;
const h = 30;
const draw = (cells: (x: number, y: number) => number): Float32Array => {
  const m = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = cells(x, y);
  return m;
};
const inRect = (x: number, y: number, x0: number, y0: number, x1: number, y1: number): boolean => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const all = [0, 0, w - 1, h - 1];

t.test('an enclosed hole is filled, also one with a one-pixel gap in its wall', async (t) => {
  for (const gap of [false, true]) {
    // A ring: rectangle 5..24 x 5..24 with its inside 9..20 x 9..20 unset (weakly salient, 0.2).
    const m = draw((x, y) => (inRect(x, y, 9, 9, 20, 20) ? 0.2 : inRect(x, y, 5, 5, 24, 24) && !(gap && y === 14 && x < 9) ? 0.9 : 0));
    const s = solidify(m, w, h, all);
    t.equal(s[14 * w + 14], 1, `${gap ? 'gapped ' : ''}ring: the centre is on`);
    t.equal(s[9 * w + 9], 1, `${gap ? 'gapped ' : ''}ring: the hole's corner is on`);
    t.equal(s[14 * w + 30], 0, `${gap ? 'gapped ' : ''}ring: outside stays off`);
  }
});

t.test('a bay open to the outside is not filled, soft values at the outline stay', async (t) => {
  // A "C": rectangle 5..24 x 5..24 without 12..24 x 11..18 (a bay 8 rows wide, open to the right).
  const m = draw((x, y) => (inRect(x, y, 5, 5, 24, 24) && !inRect(x, y, 12, 11, 24, 18) ? 0.8 : 0));
  m[14 * w + 4] = 0.3; // a soft pixel next to the outline
  const s = solidify(m, w, h, all);
  t.equal(s[14 * w + 18], 0, 'inside the bay: off');
  t.equal(s[14 * w + 8], 1, 'the piece: on');
  t.ok(Math.abs(s[14 * w + 4] - 0.3) < 1e-6, 'the fringe keeps its soft value');
});

t.test('crumbs are dropped, a piece of similar size stays', async (t) => {
  const m = draw((x, y) => (inRect(x, y, 2, 2, 13, 13) || inRect(x, y, 20, 4, 29, 13) || inRect(x, y, 33, 20, 34, 21) ? 1 : 0));
  m[20 * w + 32] = 0.3; // soft, next to the crumb only
  const s = solidify(m, w, h, all);
  t.equal(s[7 * w + 7], 1, 'the largest piece stays');
  t.equal(s[8 * w + 25], 1, 'the second piece (83 % of it) stays');
  t.equal(s[20 * w + 33], 0, 'the 4-pixel crumb goes');
  t.equal(s[20 * w + 32], 0, "the crumb's fringe goes with it");
});

t.test('only the window is shaped; an empty mask stays empty', async (t) => {
  const m = draw((x, y) => (inRect(x, y, 5, 5, 15, 15) || inRect(x, y, 25, 5, 35, 15) ? 1 : 0));
  const s = solidify(m, w, h, [0, 0, 19, h - 1]);
  t.equal(s[10 * w + 10], 1, 'inside the window: on');
  t.equal(s[10 * w + 30], 0, 'a piece outside the window: off');
  t.ok(solidify(new Float32Array(w * h), w, h, all).every((v) => v === 0), 'empty in, empty out');
});

t.test('grow pixels join the piece they touch, through each other; the others do not', async (t) => {
  const m = draw((x, y) => (inRect(x, y, 5, 5, 14, 14) ? 0.9 : 0));
  const grow = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inRect(x, y, 5, 15, 14, 24) || inRect(x, y, 25, 5, 30, 10)) grow[y * w + x] = 1;
  const s = solidify(m, w, h, all, grow);
  t.equal(s[24 * w + 10], 1, 'the far end of the touching grow area joins');
  t.equal(s[8 * w + 28], 0, 'a grow area apart from the piece does not');
  t.equal(solidify(m, w, h, all)[20 * w + 10], 0, 'without grow it stays off');
});
