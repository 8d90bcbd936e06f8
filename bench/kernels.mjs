// Kernel suite: per-frame cost of each effect at 1920x1080 (plus the reframing
// resampler) against a memcpy of the same frame bytes measured in the same run.
// Both sides cycle through rings of frames far larger than the last-level cache,
// so every frame is cold, as it is in a real render (decoder → addon → encoder).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (p) => import(pathToFileURL(join(root, 'dist', p)).href);

const WIDTH = 1920;
const HEIGHT = 1080;
const RING_BYTES = 160 * 1024 * 1024; // > 4x a 32 MB L3: every frame comes from DRAM

function ring(count, bytes, seed) {
  let s = seed;
  return Array.from({ length: count }, () => {
    const b = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i += 4096) {
      s = (s * 1103515245 + 12345) >>> 0;
      b.fill(s & 255, i, Math.min(bytes, i + 4096)); // touch every page, cheaply
    }
    return b;
  });
}

/** Median over rounds of the mean ms per call; `fn(i)` is one call. */
function measure(fn, { rounds, perRound }) {
  for (let i = 0; i < Math.min(8, perRound); i++) fn(i); // warm up code paths
  const samples = [];
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let k = 0; k < perRound; k++) fn(i++);
    samples.push((performance.now() - t) / perRound);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** A soft elliptical subject moving across the frame, like a real analysis atlas. */
function makeAtlas(atlasLayout, keyframes, every) {
  const mw = 384;
  const mh = 216;
  const off = atlasLayout.atlasOffsets({ maskWidth: mw, maskHeight: mh, keyframes });
  const bytes = new Uint8Array(new SharedArrayBuffer(off.total));
  const view = new DataView(bytes.buffer);
  [atlasLayout.ATLAS_MAGIC, atlasLayout.ATLAS_VERSION, mw, mh, keyframes, WIDTH, HEIGHT, 0].forEach((v, i) =>
    view.setUint32(4 * i, v, true),
  );
  for (let k = 0; k < keyframes; k++) {
    const cx = 0.3 + (0.4 * k) / Math.max(1, keyframes - 1);
    const cy = 0.5;
    view.setUint32(off.frames + 4 * k, k * every, true);
    [cx - 0.15, cy - 0.35, 0.3, 0.7].forEach((v, j) => view.setFloat32(off.boxes + 16 * k + 4 * j, v, true));
    view.setFloat32(off.scores + 4 * k, 0.9, true);
    for (let y = 0; y < mh; y++) {
      for (let x = 0; x < mw; x++) {
        const dx = ((x + 0.5) / mw - cx) / 0.15;
        const dy = ((y + 0.5) / mh - cy) / 0.35;
        const d = Math.sqrt(dx * dx + dy * dy);
        bytes[off.masks + k * mw * mh + y * mw + x] = Math.max(0, Math.min(255, Math.round((1.2 - d) * 5 * 255)));
      }
    }
  }
  return bytes;
}

function defaults(EFFECTS, type) {
  const spec = { type };
  for (const [key, p] of Object.entries(EFFECTS[type].params)) if ('default' in p) spec[key] = p.default;
  return spec;
}

export async function run({ quick = false } = {}) {
  const { EffectChain, FrameResampler, frameBytes } = await load('native/effects.js');
  const { EFFECTS, EFFECT_NAMES } = await load('effects/catalog.js');
  const atlasLayout = await load('vision/atlas-layout.js');
  const bytes = frameBytes(WIDTH, HEIGHT);
  const count = Math.ceil(RING_BYTES / bytes);
  const src = ring(count, bytes, 1);
  const dst = ring(count, bytes, 2);
  const timing = quick ? { rounds: 5, perRound: 16 } : { rounds: 7, perRound: 24 };

  // memcpy reference: TypedArray.set is a plain memmove of the whole frame. Measured
  // next to every kernel and summarised by the median, so a busy moment on a shared
  // machine does not skew one side of the ratio.
  const memcpySamples = [];
  const copy = () => memcpySamples.push(measure((i) => dst[i % count].set(src[(i * 7 + 3) % count]), timing));

  const atlas = makeAtlas(atlasLayout, 40, 15);
  const rows = [];
  for (const type of EFFECT_NAMES) {
    copy();
    const chain = new EffectChain({ width: WIDTH, height: HEIGHT, effects: [defaults(EFFECTS, type)], atlas });
    // Frame indices between keyframes: the masks are blended, the worst case.
    const ms = measure((i) => chain.apply(src[i % count], 1 + ((i * 7) % 580)), timing);
    rows.push({ name: type, msPerFrame: ms });
  }
  copy();
  // Reframing to 9:16: a 608x1080 crop resampled to 1080x1920 (same byte count as the source).
  const resampler = new FrameResampler({ srcWidth: WIDTH, srcHeight: HEIGHT, dstWidth: 1080, dstHeight: 1920 });
  const out = ring(count, frameBytes(1080, 1920), 3);
  const ms = measure(
    (i) => resampler.apply(src[i % count], out[(i * 5) % count], { x: 300 + (i % 50) * 7.3, y: 0, w: 607.5, h: 1080 }),
    timing,
  );
  rows.push({ name: 'resample-9:16', msPerFrame: ms });
  copy();
  memcpySamples.sort((a, b) => a - b);
  const memcpyMs = memcpySamples[Math.floor(memcpySamples.length / 2)];
  // Kernel timings are noisy on shared machines: a 35% tolerance before --compare calls it a regression.
  const results = rows.map((r) => ({ ...r, memcpyMs, ratio: r.msPerFrame / memcpyMs, better: 'lower', tolerance: 0.35, target: '<= 4 (goal 2)' }));
  return { suite: 'kernels', width: WIDTH, height: HEIGHT, frameBytes: bytes, quick, memcpySamples, results };
}
