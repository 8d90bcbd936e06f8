// Seeded fuzzing of the addon wrappers (src/native/effects.ts) with wrong
// types, NaN, huge sizes, detached and non-shared buffers. It runs in a child
// process, so a crash in the addon shows as a signal death instead of taking
// the test runner down; every call must return or throw a plain JS error.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dist = (p: string): string => JSON.stringify(fileURLToPath(new URL(`../dist/${p}`, import.meta.url)));

// The child: seeded xorshift32, the same in every run.
const child = `
const { EffectChain, FrameResampler, frameBytes } = await import(${dist('native/effects.js')});
const { writeAtlas } = await import(${dist('vision/atlas.js')});
let s = 0x2545f491;
const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
const pick = (a) => a[Math.floor(next() * a.length)];
const detached = (n) => { const v = new Uint8Array(new ArrayBuffer(n)); structuredClone(v.buffer, { transfer: [v.buffer] }); return v; };
const atlas = writeAtlas({ maskWidth: 4, maskHeight: 3, sourceWidth: 16, sourceHeight: 12, frames: [0, 5], boxes: [0.1, 0.1, 0.5, 0.5, 0.3, 0.2, 0.4, 0.5], scores: [1, 1], masks: new Uint8Array(24).fill(128) });
const sides = [1, 2, 3, 8, 15, 16, 0, -1, 2.5, NaN, Infinity, 16385, 2 ** 31, 2 ** 53, '16', null, undefined, {}, [8]];
const numbers = [0, 0.5, 1, 2, 6, 24, 64, 65, 200, 201, -1, NaN, Infinity, -Infinity, 1e300, '3', true, null, undefined];
const types = ['blur-background', 'grayscale-background', 'dim-background', 'replace-background', 'vignette', 'zoom', 'sepia', '', 7, null];
const keys = ['radius', 'feather', 'amount', 'strength', 'factor', 'follow', 'color', 'image'];
const valid = [{ type: 'blur-background', radius: 5, feather: 2 }, { type: 'dim-background', amount: 0.5, feather: 0 }, { type: 'grayscale-background', amount: 1, feather: 6 }, { type: 'vignette', strength: 0.3, radius: 0.8 }, { type: 'replace-background', color: '#102030', feather: 1 }];
const side = () => (next() < 0.7 ? pick([1, 2, 3, 8, 15, 16]) : pick(sides));
function effect() {
  if (next() < 0.5) return { ...pick(valid) };
  if (next() < 0.05) return pick([null, 7, 'zoom', [], undefined]);
  const e = { type: pick(types) };
  for (const k of keys) if (next() < 0.7) e[k] = k === 'follow' ? pick([true, false, 1, 'yes']) : k === 'color' ? pick(['#00b140', '#fff', 'green', 7, '']) : k === 'image' ? pick([undefined, 'bg.png', 3]) : pick(numbers);
  return e;
}
const buffers = (n) => [new Uint8Array(n), new Uint8Array(new SharedArrayBuffer(Math.max(0, n))), new Uint8Array(Math.max(0, n - 1)), new Uint8Array(n + 1), detached(Math.max(0, n)), new Float32Array(Math.max(0, n)), new Uint8ClampedArray(Math.max(0, n)), [1, 2, 3], null, 'frame', new Uint8Array(new ArrayBuffer(n + 8), 8)];
const atlases = [atlas, atlas, atlas, new Uint8Array(atlas), detached(atlas.length), new Uint8Array(new SharedArrayBuffer(8)), atlas.subarray(4), null, {}];
const counts = { calls: 0, ok: 0, errors: {} };
const attempt = (fn) => {
  counts.calls++;
  try { fn(); counts.ok++; } catch (err) {
    const name = err instanceof Error ? err.constructor.name : typeof err;
    counts.errors[name] = (counts.errors[name] ?? 0) + 1;
    if (!(err instanceof Error) || !err.message) counts.errors.unclean = (counts.errors.unclean ?? 0) + 1;
  }
};
for (let i = 0; i < ${2500}; i++) {
  const w = side(), h = side();
  const n = typeof w === 'number' && typeof h === 'number' && w >= 1 && h >= 1 && w <= 64 && h <= 64 && Number.isInteger(w) && Number.isInteger(h) ? frameBytes(w, h) : 16;
  let chain;
  attempt(() => { chain = new EffectChain({ width: w, height: h, effects: Array.from({ length: Math.floor(next() * 4) }, effect), atlas: pick(atlases), backgroundImage: next() < 0.5 ? pick(buffers(n)) : undefined }); });
  if (chain) for (let j = 0; j < 3; j++) attempt(() => chain.apply(pick(buffers(chain.frameBytes)), pick([0, 1, 5, 6, 1e9, -1, NaN, 2.5, '0', undefined])));
  let resampler;
  const dw = side(), dh = side();
  attempt(() => { resampler = new FrameResampler({ srcWidth: w, srcHeight: h, dstWidth: dw, dstHeight: dh }); });
  if (resampler) for (let j = 0; j < 3; j++) {
    attempt(() => resampler.apply(pick(buffers(resampler.srcBytes)), pick(buffers(resampler.dstBytes)), next() < 0.1 ? pick([null, 5, {}]) : { x: pick(numbers), y: pick(numbers), w: pick(numbers), h: pick(numbers) }));
  }
}
process.stdout.write(JSON.stringify(counts));
`;

t.test('thousands of seeded bad and good calls into the addon wrappers: no crash, only clean JS errors', async (t) => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8', timeout: 240_000 });
  t.equal(r.signal, null, `the child was not killed by a signal (${r.signal ?? 'none'}); stderr: ${r.stderr.slice(-2000)}`);
  t.equal(r.status, 0, r.stderr.slice(-2000));
  const counts = JSON.parse(r.stdout) as { calls: number; ok: number; errors: Record<string, number> };
  t.comment(JSON.stringify(counts));
  t.ok(counts.calls >= 5000, `${counts.calls} calls`);
  t.ok(counts.ok > 500, `${counts.ok} calls succeeded, so valid paths were exercised too`);
  t.same(Object.keys(counts.errors).filter((name) => !['TypeError', 'RangeError', 'Error'].includes(name)), [], 'only TypeError, RangeError or Error, each with a message');
});
