import t from 'tap';
import type { EffectSpec } from '../src/effects/catalog.js';
import { EffectChain, FrameResampler, frameBytes } from '../src/native/effects.js';
import { loadNative } from '../src/native/loader.js';
import { ATLAS_HEADER_BYTES } from '../src/vision/atlas-layout.js';
import { writeAtlas } from './helpers/atlas-ref.js';

const W = 8;
const H = 6;
const goodContent = {
  maskWidth: 4, maskHeight: 3, sourceWidth: W, sourceHeight: H, frames: [0, 5],
  boxes: [[0.1, 0.1, 0.5, 0.5], [0.3, 0.2, 0.4, 0.5]] as [number, number, number, number][],
  masks: [new Uint8Array(12).fill(200), new Uint8Array(12).fill(20)],
};
const atlas = writeAtlas(goodContent);
const dim: EffectSpec = { type: 'dim-background', amount: 0.5, feather: 2 };

function detachedBytes(n: number): Uint8Array {
  const view = new Uint8Array(new ArrayBuffer(n));
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
}

function corrupt(edit: (view: DataView, bytes: Uint8Array) => void, length?: number): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(length ?? atlas.length));
  copy.set(atlas.subarray(0, copy.length));
  edit(new DataView(copy.buffer), copy);
  return copy;
}

const badAtlases: [string, Uint8Array, RegExp][] = [
  ['too small', corrupt(() => {}, ATLAS_HEADER_BYTES - 1), /smaller than the 32-byte/],
  ['bad magic', corrupt((v) => v.setUint32(0, 0x12345678, true)), /magic/],
  ['bad version', corrupt((v) => v.setUint32(4, 3, true)), /version/],
  ['unknown flag', corrupt((v) => v.setUint32(28, 2, true)), /flags/],
  ['motion flag without a motion section', corrupt((v) => v.setUint32(28, 1, true)), /truncated/],
  ['zero mask width', corrupt((v) => v.setUint32(8, 0, true)), /mask width or height/],
  ['huge mask', corrupt((v) => v.setUint32(12, 5000, true)), /mask width or height/],
  ['no keyframes', corrupt((v) => v.setUint32(16, 0, true)), /keyframe count/],
  ['truncated', corrupt(() => {}, atlas.length - 1), /truncated/],
  ['frames not increasing', corrupt((v) => v.setUint32(ATLAS_HEADER_BYTES + 4, 0, true)), /strictly increase/],
  ['NaN box', corrupt((v) => v.setFloat32(ATLAS_HEADER_BYTES + 8 + 4, NaN, true)), /non-finite/],
];

t.test('EffectChain rejects bad atlases with errors naming the atlas', async (t) => {
  t.throws(() => new EffectChain({ width: W, height: H, effects: [dim], atlas: new Uint8Array(atlas) }), {
    name: 'TypeError', message: /atlas.*SharedArrayBuffer/,
  });
  t.throws(() => new EffectChain({ width: W, height: H, effects: [dim], atlas: [1, 2] as unknown as Uint8Array }), TypeError);
  for (const [what, bytes, message] of badAtlases) {
    t.throws(() => new EffectChain({ width: W, height: H, effects: [dim], atlas: bytes }), { name: 'RangeError', message }, what);
    t.match(String(errorOf(() => new EffectChain({ width: W, height: H, effects: [dim], atlas: bytes }))), /atlas/, `${what} names atlas`);
  }
});

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

t.test('EffectChain rejects bad sizes and effect parameters, naming them', async (t) => {
  const make = (o: Partial<{ width: unknown; height: unknown; effects: unknown; images: unknown }>) => () =>
    new EffectChain({ width: W, height: H, effects: [dim], atlas, ...o } as never);
  t.throws(make({ width: 0 }), { name: 'RangeError', message: /width/ });
  t.throws(make({ height: 1.5 }), { name: 'TypeError', message: /height/ });
  t.throws(make({ width: NaN }), { message: /width/ });
  t.throws(make({ width: 20000 }), { name: 'RangeError', message: /width/ });
  t.throws(make({ effects: 'dim' }), { name: 'TypeError', message: /effects/ });
  const cases: [unknown, RegExp][] = [
    [{ type: 'sepia' }, /effects\[0\]\.type/],
    [{ type: 'dim-background', feather: 2 }, /effects\[0\]\.amount.*missing/],
    [{ type: 'dim-background', amount: NaN, feather: 2 }, /effects\[0\]\.amount/],
    [{ type: 'dim-background', amount: 1.5, feather: 2 }, /effects\[0\]\.amount.*0\.\.1/],
    [{ type: 'blur-background', radius: 0, feather: 2 }, /radius/],
    [{ type: 'blur-background', radius: 10, feather: 2.5 }, /feather.*integer/],
    [{ type: 'blur-background', radius: 10, feather: 65 }, /feather/],
    [{ type: 'vignette', strength: 0.5, radius: 0 }, /radius/],
    [{ type: 'zoom', factor: 5, follow: true }, /factor/],
    [{ type: 'zoom', factor: 2, follow: 'yes' }, /follow.*boolean/],
    [{ type: 'replace-background', color: 'green', fit: 'cover', feather: 1 }, /color/],
    [{ type: 'replace-background', color: 7, fit: 'cover', feather: 1 }, /color/],
    [{ type: 'replace-background', color: '#12345', fit: 'cover', feather: 1 }, /color/],
    [null, /effects\[0\]/],
  ];
  for (const [effect, message] of cases) t.throws(make({ effects: [effect] }), { message }, JSON.stringify(effect));
  t.throws(make({ effects: [{ type: 'zoom', factor: 2, follow: true }, dim] }), {
    name: 'RangeError', message: /effects\[1\] \(dim-background\) comes after zoom/,
  });
  const withImage = [{ type: 'replace-background', color: '#000000', image: 'bg.png', fit: 'cover', feather: 0 }];
  t.throws(make({ effects: withImage }), { name: 'TypeError', message: /images\[0\].*required by replace-background/ });
  t.throws(make({ effects: withImage, images: [new Uint8Array(5)] }), { name: 'RangeError', message: /images\[0\] must hold/ });
  t.throws(make({ effects: withImage, images: 'x' }), { name: 'TypeError', message: /images must be an array/ });
  t.doesNotThrow(make({ effects: withImage, images: [new Uint8Array(frameBytes(W, H))] }));
  t.throws(make({ effects: [{ ...withImage[0], fit: 'fill' }], images: [new Uint8Array(frameBytes(W, H))] }), {
    name: 'RangeError', message: /fit.*one of cover, contain, stretch/,
  });
  t.doesNotThrow(make({ effects: [{ type: 'replace-background', color: '#0a0', fit: 'cover', feather: 0 }] }), '#rgb colours');
});

t.test('apply rejects wrong frames and frame indices without crashing', async (t) => {
  const chain = new EffectChain({ width: W, height: H, effects: [dim], atlas });
  t.throws(() => chain.apply(new Uint8Array(chain.frameBytes - 1), 0), { name: 'RangeError', message: /frame must hold/ });
  t.throws(() => chain.apply(new Float32Array(chain.frameBytes) as unknown as Uint8Array, 0), { name: 'TypeError', message: /frame/ });
  t.throws(() => chain.apply(detachedBytes(chain.frameBytes), 0), { message: /frame/ });
  for (const bad of [-1, 1.5, NaN, Infinity, '3', 2 ** 60]) {
    t.throws(() => chain.apply(new Uint8Array(chain.frameBytes), bad as number), { name: 'RangeError', message: /frameIndex/ }, String(bad));
  }
  t.doesNotThrow(() => chain.apply(new Uint8Array(chain.frameBytes), 1e6), 'frames long after the last keyframe use the last');
});

t.test('the addon itself re-checks every argument (defence behind the TypeScript checks)', async (t) => {
  const { binding } = loadNative();
  const Chain = binding.EffectChain as unknown as new (...args: unknown[]) => { apply(...a: unknown[]): void; frameBytes: number };
  const raw = { type: 'dim-background', amount: 0.5, feather: 2 };
  t.throws(() => new Chain(W, H, [raw]), { name: 'TypeError', message: /needs 4 arguments/ });
  t.throws(() => new Chain(W, H, [raw], new Uint8Array(atlas)), { name: 'TypeError', message: /atlas.*SharedArrayBuffer/ });
  t.throws(() => new Chain(W, H, [raw], detachedBytes(64)), { name: 'TypeError', message: /atlas is detached/ });
  for (const [what, bytes, message] of badAtlases) t.throws(() => new Chain(W, H, [raw], bytes), { name: 'RangeError', message }, what);
  t.throws(() => new Chain(0, H, [raw], atlas), { name: 'RangeError', message: /width/ });
  t.throws(() => new Chain(W, 'x', [raw], atlas), { name: 'TypeError', message: /height/ });
  t.throws(() => new Chain(W, H, {}, atlas), { name: 'TypeError', message: /effects must be an array/ });
  const rawCases: [unknown, RegExp][] = [
    [5, /effects\[0\] must be an effect object/],
    [{ type: 3 }, /effects\[0\]\.type must be a string/],
    [{ type: 'sepia' }, /not a known effect/],
    [{ type: 'dim-background', amount: NaN, feather: 2 }, /effects\[0\]\.amount/],
    [{ type: 'dim-background', amount: 0.5 }, /effects\[0\]\.feather/],
    [{ type: 'dim-background', amount: 0.5, feather: 1.5 }, /effects\[0\]\.feather must be an integer/],
    [{ type: 'grayscale-background', amount: -0.1, feather: 0 }, /amount/],
    [{ type: 'blur-background', radius: 201, feather: 0 }, /radius/],
    [{ type: 'vignette', strength: 2, radius: 1 }, /strength/],
    [{ type: 'zoom', factor: 0.5, follow: true }, /factor/],
    [{ type: 'zoom', factor: 2 }, /follow must be a boolean/],
    [{ type: 'replace-background', feather: 0, fit: 'cover' }, /effects\[0\]\.color must be an array of 3 integers/],
    [{ type: 'replace-background', feather: 0, fit: 'cover', color: [1, 2, 300] }, /color\[2\]/],
    [{ type: 'replace-background', feather: 0, fit: 'fill', color: [1, 2, 3] }, /effects\[0\]\.fit must be one of cover, contain, stretch/],
    [{ type: 'replace-background', feather: 0, fit: 'cover', color: [1, 2, 3], image: new Uint8Array(3) }, /image must hold one yuv420p frame/],
    [{ type: 'replace-background', feather: 0, fit: 'cover', color: [1, 2, 3], image: 'bg.png' }, /effects\[0\]\.image must be a Uint8Array/],
  ];
  for (const [effect, message] of rawCases) t.throws(() => new Chain(W, H, [effect], atlas), { message }, JSON.stringify(effect));
  t.throws(() => new Chain(W, H, [{ type: 'zoom', factor: 2, follow: false }, raw], atlas), { name: 'RangeError', message: /comes after zoom/ });

  const chain = new Chain(W, H, [raw], atlas);
  const fb = frameBytes(W, H);
  t.equal(chain.frameBytes, fb);
  t.throws(() => chain.apply(new Uint8Array(fb)), { name: 'TypeError', message: /takes 2 arguments/ });
  t.throws(() => chain.apply(new Uint8Array(fb + 1), 0), { name: 'RangeError', message: /frame must hold/ });
  t.throws(() => chain.apply(detachedBytes(fb), 0), { name: 'TypeError', message: /frame is detached/ });
  t.throws(() => chain.apply(new Uint8Array(fb), -1), { name: 'RangeError', message: /frameIndex/ });
  t.throws(() => chain.apply(new Uint8Array(fb), 0.5), { name: 'RangeError', message: /frameIndex must be an integer/ });
  t.throws(() => chain.apply(new Uint8Array(fb), '1'), { name: 'TypeError', message: /frameIndex/ });
  const inAtlas = new Uint8Array(atlas.buffer, 0, Math.min(fb, atlas.buffer.byteLength));
  if (inAtlas.length === fb) t.throws(() => chain.apply(inAtlas, 0), { name: 'RangeError', message: /share memory with the atlas/ });
  // A method called on something that is not a chain must not crash the process.
  const applyOfChains = (Chain.prototype as { apply: (...a: unknown[]) => void }).apply;
  t.throws(() => applyOfChains.call({}, new Uint8Array(fb), 0));
  t.throws(() => (Chain as unknown as (...a: unknown[]) => void)(W, H, [raw], atlas), TypeError);
});

t.test('FrameResampler rejects bad sizes, buffers and crops', async (t) => {
  t.throws(() => new FrameResampler({ srcWidth: 0, srcHeight: 4, dstWidth: 4, dstHeight: 4 }), { name: 'RangeError', message: /srcWidth/ });
  t.throws(() => new FrameResampler({ srcWidth: 4, srcHeight: 4, dstWidth: 4.5, dstHeight: 4 }), { name: 'TypeError', message: /dstWidth/ });
  const r = new FrameResampler({ srcWidth: 5, srcHeight: 3, dstWidth: 4, dstHeight: 4 });
  const src = new Uint8Array(frameBytes(5, 3));
  const dst = new Uint8Array(frameBytes(4, 4));
  const crop = { x: 0, y: 0, w: 2, h: 2 };
  t.throws(() => r.apply(src.subarray(1), dst, crop), { name: 'RangeError', message: /src must hold/ });
  t.throws(() => r.apply(src, dst.subarray(1), crop), { name: 'RangeError', message: /dst must hold/ });
  t.throws(() => r.apply(src, dst, { ...crop, w: NaN }), { name: 'TypeError', message: /crop\.w/ });
  t.throws(() => r.apply(src, dst, { ...crop, h: 0 }), { name: 'RangeError', message: /crop/ });
  t.throws(() => r.apply(src, dst, null as never), { name: 'TypeError', message: /crop/ });
  const { binding } = loadNative();
  const raw = new binding.FrameResampler(5, 3, 4, 4);
  t.throws(() => raw.apply(src, dst, 0, 0, Infinity, 2), { name: 'RangeError', message: /crop\.w/ });
  t.throws(() => raw.apply(src, dst, 0, 0, -1, 2), { name: 'RangeError', message: /crop\.w and crop\.h/ });
  t.throws(() => raw.apply(src, src, 0, 0, 2, 2), { name: 'RangeError', message: /dst must hold/ });
  const same = new Uint8Array(frameBytes(4, 4));
  const square = new binding.FrameResampler(4, 4, 4, 4);
  t.throws(() => square.apply(same, same, 0, 0, 2, 2), { name: 'RangeError', message: /share memory/ });
  t.throws(() => square.apply(same, detachedBytes(same.length), 0, 0, 2, 2), { name: 'TypeError', message: /dst is detached/ });
  t.throws(() => (raw.apply as (...a: unknown[]) => void)(src, dst), { name: 'TypeError', message: /6 arguments/ });
});
