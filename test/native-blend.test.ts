import t from 'tap';
import { loadNative } from '../src/native/loader.js';
import { randomBytes, rng } from './helpers/random.js';

// Plain reference: rounded (dst*(255-m) + src*m) / 255.
function blendReference(dst: Uint8Array, src: Uint8Array, mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(dst.length);
  for (let i = 0; i < dst.length; i++) out[i] = Math.round((dst[i] * (255 - mask[i]) + src[i] * mask[i]) / 255);
  return out;
}

const { binding } = loadNative();

t.test('blendPlane matches the reference on random planes of odd and even sizes', async (t) => {
  const next = rng(0xb1e4d);
  for (const length of [1, 15, 64 * 36, 1921 * 1081]) {
    const dst = randomBytes(length, next);
    const src = randomBytes(length, next);
    const mask = randomBytes(length, next);
    const expected = blendReference(dst, src, mask);
    binding.blendPlane(dst, src, mask);
    let worst = 0;
    for (let i = 0; i < length; i++) worst = Math.max(worst, Math.abs(dst[i] - expected[i]));
    t.ok(worst <= 1, `length ${length}: max abs difference ${worst}`);
  }
});

t.test('blendPlane rejects wrong arguments with JS errors, not crashes', async (t) => {
  const a = new Uint8Array(4);
  t.throws(() => binding.blendPlane(a, new Uint8Array(3), a), RangeError);
  t.throws(() => binding.blendPlane(a, new Float32Array(4) as unknown as Uint8Array, a), { name: 'TypeError', message: /src must be a Uint8Array/ });
  t.throws(() => (binding.blendPlane as unknown as (x: unknown) => void)(a), TypeError);
  const detached = new Uint8Array(new ArrayBuffer(4));
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  // A detached view reads as length 0: the length check refuses it instead of touching freed memory.
  t.throws(() => binding.blendPlane(detached, a, a), RangeError);
});
