// The shipped addon holds the product API only, and its buffer guards fire for
// the reason they state (each assertion here fails if the guard is removed).
import t from 'tap';
import { EffectChain, FrameResampler, frameBytes } from '../src/native/effects.js';
import { loadNative } from '../src/native/loader.js';
import { writeAtlas } from './helpers/atlas-ref.js';

const { binding } = loadNative();

t.test('the addon exports the product API and nothing test-only', async (t) => {
  t.same(Object.keys(binding).sort(), ['EffectChain', 'FinderKernel', 'FrameResampler', 'abiTag', 'addressOf', 'napiVersion']);
  t.equal(binding.blendPlane, undefined, 'the old test-only blendPlane is gone');
});

function detached(n: number): Uint8Array {
  const view = new Uint8Array(new ArrayBuffer(n));
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
}

t.test('a detached buffer is refused as detached, not by a length check that happens to see 0 bytes', async (t) => {
  const [w, h] = [8, 6];
  const fb = frameBytes(w, h);
  const atlas = writeAtlas({
    maskWidth: 4, maskHeight: 3, sourceWidth: w, sourceHeight: h, frames: [0], boxes: [[0.1, 0.1, 0.5, 0.5]], masks: [new Uint8Array(12).fill(128)],
  });
  const chain = new binding.EffectChain(w, h, [{ type: 'dim-background', amount: 0.5, feather: 1 }], atlas);
  // A live empty view gets the length error: the detached message below comes from the detach check itself.
  t.throws(() => chain.apply(new Uint8Array(0), 0), { name: 'RangeError', message: /frame must hold/ });
  t.throws(() => chain.apply(detached(fb), 0), { name: 'TypeError', message: /^frame is detached \(its ArrayBuffer was transferred\)$/ });
  const replace = { type: 'replace-background', color: [16, 128, 128], fit: 'cover', feather: 0 } as const;
  t.throws(() => new binding.EffectChain(w, h, [{ ...replace, image: new Uint8Array(0) }], atlas), { name: 'RangeError', message: /image must hold/ });
  t.throws(() => new binding.EffectChain(w, h, [{ ...replace, image: detached(fb) }], atlas), { name: 'TypeError', message: /effects\[0\]\.image is detached/ });
  const r = new binding.FrameResampler(w, h, w, h);
  t.throws(() => r.apply(new Uint8Array(0), new Uint8Array(fb), 0, 0, 2, 2), { name: 'RangeError', message: /src must hold/ });
  t.throws(() => r.apply(detached(fb), new Uint8Array(fb), 0, 0, 2, 2), { name: 'TypeError', message: /src is detached/ });
  // The checked wrappers pass a detached frame through to the same guard.
  const wrapped = new EffectChain({ width: w, height: h, effects: [{ type: 'dim-background', amount: 0.5, feather: 1 }], atlas });
  t.throws(() => wrapped.apply(detached(fb), 0), { message: /frame/ });
  t.ok(new FrameResampler({ srcWidth: w, srcHeight: h, dstWidth: w, dstHeight: h }));
});
