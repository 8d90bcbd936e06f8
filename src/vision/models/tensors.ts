// Tensor helpers: float16 conversion (half-precision exports take and return float16)
// and reading any float tensor back as Float32Array.
import ort from 'onnxruntime-node';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary32 → binary16 bits, round to nearest even. */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // may carry into the exponent, which is correct
  return sign | half;
}

export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** A float tensor of the type the model declares (float32, or float16 for half exports). */
export function floatTensor(type: ort.Tensor.Type, data: Float32Array, dims: readonly number[]): ort.Tensor {
  if (type === 'float16') {
    const bits = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) bits[i] = float32ToFloat16Bits(data[i]);
    return new ort.Tensor('float16', bits, dims);
  }
  return new ort.Tensor('float32', data, dims);
}

export function readFloats(tensor: ort.Tensor, what: string): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') {
    const raw = tensor.data as unknown as ArrayLike<number>;
    const out = new Float32Array(raw.length);
    // Uint16Array holds bits; a native Float16Array (newer Node) already holds values.
    const bits = raw instanceof Uint16Array;
    for (let i = 0; i < raw.length; i++) out[i] = bits ? float16BitsToFloat32(raw[i]) : raw[i];
    return out;
  }
  throw new TypeError(`${what}: expected a float32 or float16 tensor, got ${tensor.type}`);
}

export function int64Tensor(values: readonly number[], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}
