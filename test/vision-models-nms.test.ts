import t from 'tap';
import { iou, nms, type ScoredBox } from '../src/vision/models/nms.js';
import { rng } from './helpers/random.js';

const box = (x1: number, y1: number, x2: number, y2: number, score: number, classId = 0): ScoredBox => ({ x1, y1, x2, y2, score, classId });

t.test('iou of hand-made pairs', async (t) => {
  t.equal(iou(box(0, 0, 10, 10, 1), box(0, 0, 10, 10, 1)), 1);
  t.equal(iou(box(0, 0, 10, 10, 1), box(5, 0, 15, 10, 1)), 50 / 150);
  t.equal(iou(box(0, 0, 10, 10, 1), box(10, 0, 20, 10, 1)), 0, 'touching edges do not overlap');
  t.equal(iou(box(0, 0, 0, 10, 1), box(0, 0, 0, 10, 1)), 0, 'empty boxes');
});

t.test('overlapping boxes of one class collapse to the highest score', async (t) => {
  const kept = nms([box(0, 0, 10, 10, 0.6), box(1, 1, 11, 11, 0.9), box(50, 50, 60, 60, 0.5)]);
  t.same(kept.map((b) => b.score), [0.9, 0.5]);
});

t.test('overlapping boxes of different classes both survive unless agnostic', async (t) => {
  const set = [box(0, 0, 10, 10, 0.6, 0), box(1, 1, 11, 11, 0.9, 1)];
  t.equal(nms(set).length, 2);
  t.same(nms(set, { agnostic: true }).map((b) => b.classId), [1]);
});

t.test('confidence must be strictly above the threshold; IoU strictly above suppresses', async (t) => {
  t.same(nms([box(0, 0, 1, 1, 0.25), box(5, 5, 6, 6, 0.2501)]).map((b) => b.score), [0.2501]);
  // IoU exactly 0.5: kept at threshold 0.5, dropped at 0.45.
  const pair = [box(0, 0, 30, 10, 0.9), box(10, 0, 40, 10, 0.8)];
  t.equal(iou(pair[0], pair[1]), 0.5);
  t.equal(nms(pair, { iouThreshold: 0.5 }).length, 2);
  t.equal(nms(pair, { iouThreshold: 0.45 }).length, 1);
});

t.test('at most maxDetections boxes, highest first; bad options are refused', async (t) => {
  const many = Array.from({ length: 500 }, (_, i) => box(i * 20, 0, i * 20 + 10, 10, 0.3 + (i % 7) / 10));
  const kept = nms(many);
  t.equal(kept.length, 300);
  t.ok(kept.every((b, i) => i === 0 || kept[i - 1].score >= b.score));
  t.throws(() => nms(many, { iouThreshold: 0 }), RangeError);
  t.throws(() => nms(many, { confThreshold: 1 }), RangeError);
  t.throws(() => nms(many, { maxDetections: 0 }), RangeError);
});

t.test('random box sets: kept boxes are sorted, separated, and cover every dropped box', async (t) => {
  const seed = 0x5eed01;
  const next = rng(seed);
  for (let round = 0; round < 200; round++) {
    const boxes: ScoredBox[] = [];
    const n = 1 + Math.floor(next() * 60);
    for (let i = 0; i < n; i++) {
      const x = next() * 100;
      const y = next() * 100;
      boxes.push(box(x, y, x + 5 + next() * 40, y + 5 + next() * 40, next(), Math.floor(next() * 3)));
    }
    const thr = 0.45 + next() * 0.25;
    const kept = nms(boxes, { iouThreshold: thr });
    const keptSet = new Set(kept);
    const where = `seed ${seed.toString(16)} round ${round}`;
    for (let i = 0; i < kept.length; i++) {
      if (!(kept[i].score > 0.25)) t.fail(`${where}: kept a box below the confidence threshold`);
      if (i > 0 && kept[i - 1].score < kept[i].score) t.fail(`${where}: not sorted`);
      for (let j = 0; j < i; j++) {
        if (kept[i].classId === kept[j].classId && iou(kept[i], kept[j]) > thr) t.fail(`${where}: two kept boxes overlap above ${thr}`);
      }
    }
    for (const b of boxes) {
      if (keptSet.has(b) || !(b.score > 0.25)) continue;
      const cover = kept.some((k) => k.classId === b.classId && k.score >= b.score && iou(k, b) > thr);
      if (!cover) t.fail(`${where}: a dropped box has no higher same-class box overlapping it`);
    }
  }
  t.pass('200 random sets');
});
