// Test fixture with the signature of an Ultralytics YOLO ONNX export. NOT a trained model:
// it "detects" saturated colour blobs so tests can check decoding end to end.
//
// What it computes, per anchor of the real 80²+40²+20² = 8400 grid (strides 8, 16, 32):
//   chroma  s = clip((max(r,g,b) − min(r,g,b) − 0.25)·4, 0, 1) per pixel (0 on greys)
//   window  5, 7 or 9 grid cells around the anchor (40, 112, 288 letterboxed px)
//   box     centroid and 2·√3·std of the chroma mass in the window, i.e. the box of a
//           uniform blob, in letterboxed pixels (cx, cy, w, h)
//   score   n/(n + 600) · inside⁴ · fill², n = chroma-weighted pixel count in the window,
//           inside = share of n off the window's one-cell border (a cut-off blob scores low),
//           fill = n / box area (a window spanning two blobs scores low)
//   classes softmax(12·mean colour) × score over {red, green, blue}
// Segment variant: 32 mask coefficients (first = score, rest 0) and protos whose first
// channel is 8·(chroma − 0.5) at 160×160, so mask logits > 0 exactly on the blob.
// End-to-end variant: top-300 anchors as [x1, y1, x2, y2, conf, cls] (no NMS inside).
import { GraphBuilder, type ElemType, type Dim } from './onnx-builder.js';

export type YoloFixtureTask = 'detect' | 'segment' | 'end2end';

export interface YoloFixtureOptions {
  task: YoloFixtureTask;
  /** Override the input to build deliberately wrong signatures for error tests. */
  inputName?: string;
  inputType?: ElemType;
  inputShape?: Dim[];
  outputName?: string;
  /** Drop metadata_props entirely (tests the "no names" path). */
  metadata?: Record<string, string> | null;
}

export const FIXTURE_CLASS_NAMES = ['red', 'green', 'blue'] as const;
const SIZE = 640;
const LEVELS = [
  { stride: 8, window: 5 },
  { stride: 16, window: 7 },
  { stride: 32, window: 9 },
];
const ANCHORS = LEVELS.reduce((n, l) => n + (SIZE / l.stride) ** 2, 0); // 8400
const COEFFS = 32;

function scalar(g: GraphBuilder, v: number): string {
  return g.floats([v], [], 'c');
}

export function yoloFixtureMetadata(task: YoloFixtureTask): Record<string, string> {
  const names = `{${FIXTURE_CLASS_NAMES.map((n, i) => `${i}: '${n}'`).join(', ')}}`;
  return {
    description: 'maskflow test fixture with a YOLO export signature (colour-blob finder, not a trained model)',
    author: 'maskflow test fixtures',
    license: 'MIT',
    stride: '32',
    task: task === 'segment' ? 'segment' : 'detect',
    batch: '1',
    imgsz: '[640, 640]',
    names,
  };
}

export function buildYoloFixture(options: YoloFixtureOptions): Uint8Array {
  const g = new GraphBuilder(`maskflow_fixture_yolo_${options.task}`);
  const images = g.input(options.inputName ?? 'images', options.inputType ?? 'float32', options.inputShape ?? [1, 3, SIZE, SIZE]);

  // Per-pixel chroma saliency.
  const mx = g.op('ReduceMax', [images], { axes: [1], keepdims: 1 });
  const mn = g.op('ReduceMin', [images], { axes: [1], keepdims: 1 });
  const chroma = g.op('Sub', [mx, mn]);
  const s = g.op('Clip', [g.op('Mul', [g.op('Sub', [chroma, scalar(g, 0.25)]), scalar(g, 4)]), scalar(g, 0), scalar(g, 1)]);

  // Moment features: s, s·x, s·y, s·x², s·y², s·r, s·g, s·b (pixel centres at +0.5).
  const coords = Array.from({ length: SIZE }, (_, i) => i + 0.5);
  const xs = g.floats(coords, [1, 1, 1, SIZE], 'x');
  const ys = g.floats(coords, [1, 1, SIZE, 1], 'y');
  const x2 = g.floats(coords.map((v) => v * v), [1, 1, 1, SIZE], 'xx');
  const y2 = g.floats(coords.map((v) => v * v), [1, 1, SIZE, 1], 'yy');
  const features = g.op('Concat', [s, g.op('Mul', [s, xs]), g.op('Mul', [s, ys]), g.op('Mul', [s, x2]), g.op('Mul', [s, y2]), g.op('Mul', [s, images])], { axis: 1 });

  const perLevel: string[] = [];
  const innerLevel: string[] = [];
  const areas: number[] = [];
  const innerAreas: number[] = [];
  for (const { stride, window } of LEVELS) {
    const grid = SIZE / stride;
    const cells = g.op('AveragePool', [features], { kernel_shape: [stride, stride], strides: [stride, stride] });
    const half = (window - 1) / 2;
    const win = g.op('AveragePool', [cells], { kernel_shape: [window, window], strides: [1, 1], pads: [half, half, half, half], count_include_pad: 1 });
    // The window minus its one-cell border ring: mass on the ring means the blob is cut off.
    const inner = g.op('AveragePool', [cells], { kernel_shape: [window - 2, window - 2], strides: [1, 1], pads: [half - 1, half - 1, half - 1, half - 1], count_include_pad: 1 });
    perLevel.push(g.op('Reshape', [win, g.ints([1, 8, grid * grid])]));
    innerLevel.push(g.op('Reshape', [inner, g.ints([1, 8, grid * grid])]));
    for (let i = 0; i < grid * grid; i++) {
      areas.push((window * stride) ** 2);
      innerAreas.push(((window - 2) * stride) ** 2);
    }
  }
  const all = g.op('Concat', perLevel, { axis: 2 }); // [1, 8, 8400]
  const parts = Array.from({ length: 8 }, (_, i) => `part_${i}`);
  g.node({ op: 'Split', inputs: [all], outputs: parts, attrs: { axis: 1 } });
  const [p0, px, py, pxx, pyy, pr, pg, pb] = parts;
  const innerParts = Array.from({ length: 8 }, (_, i) => `inner_part_${i}`);
  g.node({ op: 'Split', inputs: [g.op('Concat', innerLevel, { axis: 2 })], outputs: innerParts, attrs: { axis: 1 } });

  const m0 = g.op('Add', [p0, scalar(g, 1e-6)]);
  const cx = g.op('Div', [px, m0]);
  const cy = g.op('Div', [py, m0]);
  const spread = (second: string, mean: string): string =>
    g.op('Sqrt', [g.op('Mul', [g.op('Relu', [g.op('Sub', [g.op('Div', [second, m0]), g.op('Mul', [mean, mean])])]), scalar(g, 12)])]);
  const w = spread(pxx, cx);
  const h = spread(pyy, cy);
  const count = g.op('Mul', [p0, g.floats(areas, [1, 1, ANCHORS], 'area')]);
  const innerCount = g.op('Mul', [innerParts[0], g.floats(innerAreas, [1, 1, ANCHORS], 'inner_area')]);
  // inside = share of the mass away from the window border; fill = mass / box area (low when
  // one window spans two blobs). Both penalise boxes that are not one whole blob.
  const inside = g.op('Clip', [g.op('Div', [innerCount, g.op('Add', [count, scalar(g, 1e-3)])]), scalar(g, 0), scalar(g, 1)]);
  const fill = g.op('Clip', [g.op('Div', [count, g.op('Add', [g.op('Mul', [w, h]), scalar(g, 1)])]), scalar(g, 0), scalar(g, 1)]);
  const inside2 = g.op('Mul', [inside, inside]);
  const penalty = g.op('Mul', [g.op('Mul', [inside2, inside2]), g.op('Mul', [fill, fill])]);
  const score = g.op('Mul', [g.op('Div', [count, g.op('Add', [count, scalar(g, 600)])]), penalty]);
  const colours = g.op('Concat', [g.op('Div', [pr, m0]), g.op('Div', [pg, m0]), g.op('Div', [pb, m0])], { axis: 1 });
  const classProb = g.op('Softmax', [g.op('Mul', [colours, scalar(g, 12)])], { axis: 1 });
  const classScores = g.op('Mul', [classProb, score]); // [1, 3, 8400]
  const nc = FIXTURE_CLASS_NAMES.length;
  const outName = options.outputName ?? 'output0';

  if (options.task === 'detect') {
    g.op('Concat', [cx, cy, w, h, classScores], { axis: 1 }, outName);
    g.output(outName, 'float32', [1, 4 + nc, ANCHORS]);
  } else if (options.task === 'segment') {
    const coeffWeights = new Array(COEFFS).fill(0);
    coeffWeights[0] = 1;
    const coeffs = g.op('MatMul', [g.floats(coeffWeights, [COEFFS, 1], 'coef'), score]); // [1, 32, 8400]
    g.op('Concat', [cx, cy, w, h, classScores, coeffs], { axis: 1 }, outName);
    g.output(outName, 'float32', [1, 4 + nc + COEFFS, ANCHORS]);
    const pooled = g.op('AveragePool', [s], { kernel_shape: [4, 4], strides: [4, 4] }); // [1,1,160,160]
    const protoW = new Array(COEFFS).fill(0);
    protoW[0] = 8;
    const protoB = new Array(COEFFS).fill(0);
    protoB[0] = -4;
    g.op('Conv', [pooled, g.floats(protoW, [COEFFS, 1, 1, 1], 'pw'), g.floats(protoB, [COEFFS], 'pb')], { kernel_shape: [1, 1] }, 'output1');
    g.output('output1', 'float32', [1, COEFFS, 160, 160]);
  } else {
    const half = (v: string): string => g.op('Mul', [v, scalar(g, 0.5)]);
    const boxes = g.op('Concat', [g.op('Sub', [cx, half(w)]), g.op('Sub', [cy, half(h)]), g.op('Add', [cx, half(w)]), g.op('Add', [cy, half(h)])], { axis: 1 });
    const boxesT = g.op('Transpose', [boxes], { perm: [0, 2, 1] }); // [1, 8400, 4]
    const conf = g.op('ReduceMax', [classScores], { axes: [1], keepdims: 0 }); // [1, 8400]
    const cls = g.op('Cast', [g.op('ArgMax', [classScores], { axis: 1, keepdims: 0 })], { to: 1 });
    const topValues = 'top_values';
    const topIndices = 'top_indices';
    g.node({ op: 'TopK', inputs: [conf, g.ints([300])], outputs: [topValues, topIndices], attrs: { axis: 1 } });
    const idx = g.op('Squeeze', [topIndices, g.ints([0])]); // [300]
    const pickedBoxes = g.op('Gather', [boxesT, idx], { axis: 1 }); // [1, 300, 4]
    const pickedCls = g.op('Gather', [cls, idx], { axis: 1 }); // [1, 300]
    const col = (v: string): string => g.op('Unsqueeze', [v, g.ints([2])]);
    g.op('Concat', [pickedBoxes, col(topValues), col(pickedCls)], { axis: 2 }, outName);
    g.output(outName, 'float32', [1, 300, 6]);
  }
  const metadata = options.metadata === null ? undefined : (options.metadata ?? yoloFixtureMetadata(options.task));
  return g.encode({ metadata, producer: 'maskflow-fixture (not ultralytics)' });
}
