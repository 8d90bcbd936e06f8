// Signature-only fixtures for error tests: a graph with exactly the given inputs and
// outputs (outputs are zeros of the declared shape, dynamic dims as 1). Used to build
// deliberately wrong models (bad names, ranks, types) that onnxruntime still loads.
import { GraphBuilder, type Dim, type ElemType } from './onnx-builder.js';

export interface ValueSpec {
  name: string;
  type: ElemType;
  shape: Dim[];
}

export function buildSignatureFixture(inputs: ValueSpec[], outputs: ValueSpec[], metadata?: Record<string, string>): Uint8Array {
  const g = new GraphBuilder('maskflow_fixture_signature');
  for (const i of inputs) g.input(i.name, i.type, i.shape);
  for (const o of outputs) {
    if (o.type === 'float16') throw new Error('signature fixture: float16 outputs are not supported');
    const zero = o.type === 'int64' ? g.ints([0], []) : g.floats([0], []);
    const dims = o.shape.map((d) => (typeof d === 'number' ? d : 1));
    g.op('Expand', [zero, g.ints(dims)], undefined, o.name);
    g.output(o.name, o.type, o.shape);
  }
  return g.encode({ metadata });
}
