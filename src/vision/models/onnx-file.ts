// Reads the ONNX header fields onnxruntime does not expose (ir_version, opsets,
// metadata_props) without decoding the graph: the top-level protobuf fields are walked
// and only the small messages are decoded with onnx-proto, so a 100 MB model costs a read.
import { readFileSync, statSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { ModelFileError } from './errors.js';

const { onnx } = onnxProto;

export interface OnnxHeader {
  irVersion: number;
  opsets: Record<string, number>;
  metadata: Record<string, string>;
  producer: string;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let n = 0; n < 10; n++) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos];
    scale *= 128;
  }
  throw new Error('varint too long');
}

export function readOnnxHeader(file: string): OnnxHeader {
  let bytes: Uint8Array;
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file');
    bytes = readFileSync(file);
  } catch (err) {
    throw new ModelFileError(file, `cannot read the model file: ${(err as Error).message}`);
  }
  const header: OnnxHeader = { irVersion: 0, opsets: {}, metadata: {}, producer: '' };
  let sawGraph = false;
  try {
    let pos = 0;
    while (pos < bytes.length) {
      let tag: number;
      [tag, pos] = readVarint(bytes, pos);
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (field === 0) throw new Error('field number 0');
      if (wire === 0) {
        let v: number;
        [v, pos] = readVarint(bytes, pos);
        if (field === 1) header.irVersion = v;
      } else if (wire === 2) {
        let len: number;
        [len, pos] = readVarint(bytes, pos);
        if (pos + len > bytes.length) throw new Error(`field ${field} runs past the end of the file`);
        const body = bytes.subarray(pos, pos + len);
        pos += len;
        if (field === 2) header.producer = new TextDecoder().decode(body);
        else if (field === 7) sawGraph = true;
        else if (field === 8) {
          const op = onnx.OperatorSetIdProto.decode(body);
          header.opsets[op.domain || 'ai.onnx'] = Number(op.version);
        } else if (field === 14) {
          const kv = onnx.StringStringEntryProto.decode(body);
          header.metadata[kv.key] = kv.value;
        }
      } else if (wire === 5) pos += 4;
      else if (wire === 1) pos += 8;
      else throw new Error(`unsupported wire type ${wire}`);
    }
  } catch (err) {
    throw new ModelFileError(file, `is not an ONNX model (protobuf ModelProto expected): ${(err as Error).message}`);
  }
  if (!sawGraph || header.irVersion === 0) {
    throw new ModelFileError(file, `is not an ONNX model (protobuf ModelProto with ir_version and graph expected; found ${header.irVersion ? 'no graph' : 'no ir_version'})`);
  }
  return header;
}
