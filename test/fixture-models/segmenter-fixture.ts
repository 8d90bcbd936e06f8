// Test fixture with a U²-Net-like signature (one [1,3,320,320] input, seven [1,1,320,320]
// sigmoid outputs). NOT a trained model: it undoes the U²-Net normalisation and outputs
// sigmoid(12·(chroma − 0.3)), chroma = max(r,g,b) − min(r,g,b), so the "saliency" mask
// follows saturated colour. Outputs d1..d6 repeat d0 (the real model's side outputs).
import { GraphBuilder } from './onnx-builder.js';

export const SEGMENTER_FIXTURE_SIZE = 320;

export function buildSegmenterFixture(options: { inputName?: string; size?: number } = {}): Uint8Array {
  const size = options.size ?? SEGMENTER_FIXTURE_SIZE;
  const g = new GraphBuilder('maskflow_fixture_u2net_like');
  const input = g.input(options.inputName ?? 'input.1', 'float32', [1, 3, size, size]);
  const rgb = g.op('Add', [
    g.op('Mul', [input, g.floats([0.229, 0.224, 0.225], [1, 3, 1, 1], 'std')]),
    g.floats([0.485, 0.456, 0.406], [1, 3, 1, 1], 'mean'),
  ]);
  const chroma = g.op('Sub', [g.op('ReduceMax', [rgb], { axes: [1], keepdims: 1 }), g.op('ReduceMin', [rgb], { axes: [1], keepdims: 1 })]);
  g.op('Sigmoid', [g.op('Mul', [g.op('Sub', [chroma, g.floats([0.3], [], 'c')]), g.floats([12], [], 'c')])], undefined, 'd0');
  g.output('d0', 'float32', [1, 1, size, size]);
  for (let i = 1; i < 7; i++) {
    g.op('Identity', ['d0'], undefined, `d${i}`);
    g.output(`d${i}`, 'float32', [1, 1, size, size]);
  }
  return g.encode({ metadata: { description: 'maskflow test fixture with a U2-Net-like signature (colour saliency, not a trained model)' } });
}
