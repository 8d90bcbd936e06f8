import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeLetterbox } from '../src/vision/models/letterbox.js';
import { decodeSegMask, decodeYoloEndToEnd, decodeYoloGrid, type Protos } from '../src/vision/models/yolo-decode.js';
import { parseClassNames } from '../src/vision/models/python-literal.js';
import { readOnnxHeader } from '../src/vision/models/onnx-file.js';
import { buildYoloFixture } from './fixture-models/detector-fixture.js';

t.test('grid output: channel-major cx,cy,w,h + class scores, best class above conf', async (t) => {
  const anchors = 4;
  const nc = 2;
  const data = new Float32Array((4 + nc) * anchors);
  const set = (c: number, a: number, v: number): void => void (data[c * anchors + a] = v);
  // anchor 1: box centred (100, 50) 20x10, class 1 at 0.8; anchor 3: class 0 at 0.2 (below conf)
  [100, 50, 20, 10].forEach((v, c) => set(c, 1, v));
  set(4, 1, 0.3);
  set(5, 1, 0.8);
  [10, 10, 4, 4].forEach((v, c) => set(c, 3, v));
  set(4, 3, 0.2);
  const out = decodeYoloGrid(data, anchors, nc, 0, 0.25);
  t.equal(out.length, 1);
  t.match(out[0], { x1: 90, y1: 45, x2: 110, y2: 55, classId: 1 });
  t.equal(out[0].score, Math.fround(0.8));
  t.throws(() => decodeYoloGrid(data, anchors, 3, 0, 0.25), RangeError, 'wrong class count is refused');
});

t.test('grid output with mask coefficients keeps them per candidate', async (t) => {
  const anchors = 2;
  const data = new Float32Array((4 + 1 + 3) * anchors);
  for (let c = 0; c < 8; c++) data[c * anchors + 0] = c + 1; // cx..h = 1..4, score 5 (>conf), coeffs 6,7,8
  data[4 * anchors] = 0.9;
  const [d] = decodeYoloGrid(data, anchors, 1, 3, 0.25);
  t.same(Array.from(d.coeffs ?? []), [6, 7, 8]);
});

t.test('end-to-end output: x1,y1,x2,y2,conf,cls rows', async (t) => {
  const data = new Float32Array([10, 20, 30, 40, 0.9, 2, 0, 0, 1, 1, 0.1, 0, 5, 5, 9, 9, 0.5, 1]);
  const out = decodeYoloEndToEnd(data, 3, 6, 0.25);
  t.same(out.map((d) => [d.x1, d.y1, d.x2, d.y2, d.classId]), [[10, 20, 30, 40, 2], [5, 5, 9, 9, 1]]);
});

t.test('segment mask: coeffs·protos, cropped to the box, mapped back through the letterbox', async (t) => {
  // Image 320x240 → letterbox 640x640: r = 2, top = 80. Protos 160x160 (4 letterbox px per cell).
  const lb = computeLetterbox(320, 240);
  const c = 2;
  const pw = 160;
  const data = new Float32Array(c * pw * pw).fill(-1);
  // proto 0: +1 on letterbox x in [160,320), y in [160,320) → image x [80,160), y [40,120)
  for (let y = 40; y < 80; y++) for (let x = 40; x < 80; x++) data[y * pw + x] = 1;
  // proto 1: +1 everywhere (used with a negative coefficient to show the sum matters)
  data.fill(1, pw * pw);
  const protos: Protos = { data, c, h: pw, w: pw };
  const whole = { x1: 0, y1: 0, x2: 640, y2: 640, score: 1, classId: 0 };
  const mask = decodeSegMask(protos, new Float32Array([1, 0]), whole, lb);
  t.equal(mask.length, 320 * 240);
  let inside = 0;
  let outside = 0;
  for (let y = 0; y < 240; y++) {
    for (let x = 0; x < 320; x++) {
      const on = mask[y * 320 + x] === 255;
      const expect = x >= 80 && x < 160 && y >= 40 && y < 120;
      if (on !== expect && expect) inside++;
      else if (on !== expect) outside++;
    }
  }
  // Bilinear sampling at the edges may move the boundary by at most a pixel row/column.
  t.ok(inside + outside <= 2 * (80 + 80), `edge disagreements ${inside + outside}`);
  t.equal(mask[60 * 320 + 100], 255);
  t.equal(mask[10 * 320 + 10], 0);
  // Cropping: a box covering only the left half of the blob keeps only that half.
  const left = { x1: 0, y1: 0, x2: 240, y2: 640, score: 1, classId: 0 }; // image x < 120
  const half = decodeSegMask(protos, new Float32Array([1, 0]), left, lb);
  t.equal(half[60 * 320 + 100], 255);
  t.equal(half[60 * 320 + 140], 0, 'outside the box the mask is empty');
  // A coefficient on proto 1 shifts every logit: −2·1 makes the blob negative too.
  const none = decodeSegMask(protos, new Float32Array([1, -2]), whole, lb);
  t.equal(none.reduce((a, v) => a + v, 0), 0);
});

t.test('class names parse from the Python dict repr Ultralytics writes', async (t) => {
  t.same(parseClassNames("{0: 'person', 1: 'bicycle', 2: 'traffic light'}"), ['person', 'bicycle', 'traffic light']);
  t.same(parseClassNames(`{0: "people's", 1: 'back\\\\slash', 2: 'it\\'s', 3: 'caf\\xe9'}`), ["people's", 'back\\slash', "it's", 'café']);
  t.same(parseClassNames("{1: 'b', 0: 'a',}"), ['a', 'b'], 'order by id, trailing comma');
  t.same(parseClassNames("{0: 'a', 2: 'c'}"), ['a', 'class1', 'c'], 'gaps get a placeholder');
  t.same(parseClassNames("['x', 'y']"), ['x', 'y'], 'a list repr works too');
  t.same(parseClassNames('{}'), []);
  t.throws(() => parseClassNames('{"0": "person"}'), /expected an integer key/, 'JSON with string keys is not a Python dict repr of ints');
  t.throws(() => parseClassNames("{0: 'person'"), SyntaxError);
  t.throws(() => parseClassNames("{0: person}"), /quoted string/);
  t.throws(() => parseClassNames("{0: 'a'} extra"), /end of text/);
});

t.test('ONNX header: metadata_props, ir_version and opset read from the fixture file; other files refused', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'det.onnx');
  writeFileSync(file, buildYoloFixture({ task: 'detect' }));
  const header = readOnnxHeader(file);
  t.equal(header.irVersion, 8);
  t.equal(header.opsets['ai.onnx'], 17);
  t.equal(header.metadata.task, 'detect');
  t.equal(header.metadata.imgsz, '[640, 640]');
  t.same(parseClassNames(header.metadata.names), ['red', 'green', 'blue']);
  const text = join(dir, 'notes.onnx');
  writeFileSync(text, 'this is not a model\n');
  t.throws(() => readOnnxHeader(text), { name: 'ModelFileError', message: /notes\.onnx: is not an ONNX model/ });
  const empty = join(dir, 'empty.onnx');
  writeFileSync(empty, '');
  t.throws(() => readOnnxHeader(empty), /empty\.onnx: is not an ONNX model .*no ir_version/);
  t.throws(() => readOnnxHeader(join(dir, 'absent.onnx')), /absent\.onnx: cannot read the model file/);
});
