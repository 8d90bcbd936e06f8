// A small, typed wrapper over onnx-proto for writing test-fixture graphs by hand.
// Only what the fixture generators need: float/int64 initializers, nodes with
// int/float/ints attributes, typed graph inputs/outputs and metadata_props.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type ElemType = 'float32' | 'int64' | 'float16';
export type Dim = number | string;

const elemTypeCode: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  float16: onnx.TensorProto.DataType.FLOAT16,
};

export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

function attribute(name: string, value: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: T.INT, i: value };
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.FLOATS, floats: value.floats };
}

function valueInfo(name: string, type: ElemType, shape: Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elemTypeCode[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Collects nodes and weights, then encodes one ModelProto. Names are generated to stay unique. */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private counter = 0;

  constructor(private readonly graphName: string) {}

  input(name: string, type: ElemType, shape: Dim[]): string {
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  output(name: string, type: ElemType, shape: Dim[]): void {
    this.outputs.push(valueInfo(name, type, shape));
  }

  /** A float32 weight; dims default to a 1-D tensor of the data length. */
  floats(data: ArrayLike<number>, dims: number[] = [data.length], hint = 'w'): string {
    const name = `${hint}_${this.counter++}`;
    this.initializers.push({
      name,
      dataType: onnx.TensorProto.DataType.FLOAT,
      dims,
      rawData: new Uint8Array(Float32Array.from(data).buffer),
    });
    return name;
  }

  ints(data: number[], dims: number[] = [data.length], hint = 'i'): string {
    const name = `${hint}_${this.counter++}`;
    this.initializers.push({
      name,
      dataType: onnx.TensorProto.DataType.INT64,
      dims,
      rawData: new Uint8Array(BigInt64Array.from(data.map((v) => BigInt(v))).buffer),
    });
    return name;
  }

  /** Adds one node; returns its first output name (auto-named unless given). */
  op(op: string, inputs: string[], attrs?: Record<string, AttrValue>, outputName?: string): string {
    const out = outputName ?? `${op.toLowerCase()}_${this.counter++}`;
    this.node({ op, inputs, outputs: [out], attrs });
    return out;
  }

  node(spec: NodeSpec): void {
    this.nodes.push({
      opType: spec.op,
      name: `${spec.op}_${this.counter++}`,
      input: spec.inputs,
      output: spec.outputs,
      attribute: Object.entries(spec.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    });
  }

  /** Encodes the model. opset 17 pairs with IR version 8 (onnx 1.13), which onnxruntime 1.30 loads. */
  encode(options: { metadata?: Record<string, string>; opset?: number; irVersion?: number; producer?: string } = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: options.irVersion ?? 8,
      producerName: options.producer ?? 'maskflow-fixture',
      producerVersion: '1',
      opsetImport: [{ domain: '', version: options.opset ?? 17 }],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
