import t from 'tap';
import { clipPixels, shortestSideSize, CLIP_IMAGE_MEAN, CLIP_IMAGE_STD } from '../src/vision/models/clip-preprocess.js';
import { resizeBicubicRgb, resizeBilinearPlane, resizeBilinearRgb, resizeBilinearRgbPlanar, type RgbImage } from '../src/vision/models/rgb-resample.js';
import { modnetSize, segmenterPixels } from '../src/vision/models/segmenter.js';
import { randomBytes, rng } from './helpers/random.js';

function keys(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1;
  if (t < 2) return a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a;
  return 0;
}

// Plain reference: every output pixel is a direct 2-D weighted sum over the whole input with
// Pillow's bicubic weights (kernel stretched by the scale when shrinking), clamped to 0..255.
function bicubicReference(img: RgbImage, outW: number, outH: number): Float32Array {
  const weights = (inSize: number, outSize: number, i: number): number[] => {
    const scale = inSize / outSize;
    const fs = Math.max(scale, 1);
    const centre = (i + 0.5) * scale;
    const w = Array.from({ length: inSize }, (_, j) => keys((j + 0.5 - centre) / fs));
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / total);
  };
  const out = new Float32Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    const wy = weights(img.height, outH, y);
    for (let x = 0; x < outW; x++) {
      const wx = weights(img.width, outW, x);
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let j = 0; j < img.height; j++) for (let i = 0; i < img.width; i++) s += wy[j] * wx[i] * img.data[(j * img.width + i) * 3 + c];
        out[(y * outW + x) * 3 + c] = Math.min(255, Math.max(0, s));
      }
    }
  }
  return out;
}

t.test('bicubic resize matches a direct reference on random images (down and up)', async (t) => {
  const next = rng(0xb1c0b1c);
  for (const [w, h, ow, oh] of [
    [37, 23, 11, 7],
    [9, 13, 20, 31],
    [40, 30, 40, 12],
  ]) {
    const img = { data: randomBytes(w * h * 3, next), width: w, height: h };
    const got = resizeBicubicRgb(img, ow, oh);
    const want = bicubicReference(img, ow, oh);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    t.ok(worst < 0.01, `${w}x${h} → ${ow}x${oh}: max difference ${worst.toFixed(5)}`);
  }
});

t.test('CLIP sizes: shortest side to 224, long side truncated', async (t) => {
  t.same(shortestSideSize(640, 480, 224), [298, 224]);
  t.same(shortestSideSize(100, 301, 224), [224, 674]);
  t.same(shortestSideSize(50, 50, 224), [224, 224]);
});

t.test('CLIP pixels of a uniform image equal (value/255 − mean)/std in every channel', async (t) => {
  const w = 90;
  const h = 60;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set([255, 128, 0], i * 3);
  const px = clipPixels({ data, width: w, height: h });
  t.equal(px.length, 3 * 224 * 224);
  const plane = 224 * 224;
  [255, 128, 0].forEach((v, c) => {
    const want = (v / 255 - CLIP_IMAGE_MEAN[c]) / CLIP_IMAGE_STD[c];
    let worst = 0;
    for (let i = 0; i < plane; i++) worst = Math.max(worst, Math.abs(px[c * plane + i] - want));
    t.ok(worst < 1e-5, `channel ${c}: max difference ${worst}`);
  });
});

t.test('CLIP centre crop keeps the middle of a wide image', async (t) => {
  // 300x100: left third red, middle green, right third blue → resized 672x224, crop x 224..447.
  const w = 300;
  const h = 100;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(x < 100 ? [255, 0, 0] : x < 200 ? [0, 255, 0] : [0, 0, 255], (y * w + x) * 3);
  const px = clipPixels({ data, width: w, height: h });
  const plane = 224 * 224;
  const green = (1 - CLIP_IMAGE_MEAN[1]) / CLIP_IMAGE_STD[1];
  t.ok(Math.abs(px[plane + 112 * 224 + 112] - green) < 1e-5, 'centre is green');
  t.ok(Math.abs(px[plane + 112 * 224 + 3] - green) < 0.05, 'left edge of the crop is still green');
});

t.test('segmenter presets: U²-Net divides by the image max, IS-Net by 255, MODNet maps to −1..1', async (t) => {
  const data = new Uint8Array(4 * 4 * 3).fill(100);
  const img = { data, width: 4, height: 4 };
  const u2 = segmenterPixels(img, 'u2net', 4, 4);
  t.ok(Math.abs(u2[0] - (1 - 0.485) / 0.229) < 1e-5, 'u2net: 100/max(=100) = 1');
  const is = segmenterPixels(img, 'isnet', 4, 4);
  t.ok(Math.abs(is[0] - (100 / 255 - 0.5)) < 1e-6, 'isnet: /255 − 0.5');
  const mod = segmenterPixels(img, 'modnet', 4, 4);
  t.ok(Math.abs(mod[0] - (100 - 127.5) / 127.5) < 1e-6, 'modnet: (x − 127.5)/127.5');
  t.same(modnetSize(1920, 1080), [896, 512]);
  t.same(modnetSize(300, 400), [512, 672]);
});

t.test('planar bilinear resize with a channel affine equals the interleaved resize, then the affine, then the transpose', async (t) => {
  const next = rng(0x9a7a);
  const scale: [number, number, number] = [1 / 255, 2 / 255, -0.5];
  const offset: [number, number, number] = [-0.5, -1, 3];
  for (const [w, h, ow, oh] of [
    [64, 36, 101, 97],
    [37, 23, 11, 7],
    [1, 1, 3, 2],
    [5, 9, 5, 9],
  ]) {
    const img = { data: randomBytes(w * h * 3, next), width: w, height: h };
    const got = resizeBilinearRgbPlanar(img, ow, oh, scale, offset);
    const inter = resizeBilinearRgb(img, ow, oh);
    const plane = ow * oh;
    t.equal(got.length, 3 * plane);
    let worst = 0;
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(got[c * plane + p] - (inter[p * 3 + c] * scale[c] + offset[c])));
    t.ok(worst < 1e-4, `${w}x${h} → ${ow}x${oh}: max difference ${worst}`);
  }
});

t.test('segmenter pixels of a random image: the IS-Net preset is v/255 − 0.5 of the bilinear resize, planar', async (t) => {
  const next = rng(0x15e7);
  const img = { data: randomBytes(40 * 30 * 3, next), width: 40, height: 30 };
  const got = segmenterPixels(img, 'isnet', 64, 48);
  const inter = resizeBilinearRgb(img, 64, 48);
  const plane = 64 * 48;
  let worst = 0;
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(got[c * plane + p] - (inter[p * 3 + c] / 255 - 0.5)));
  t.ok(worst < 1e-6, `max difference ${worst}`);
});

t.test('bilinear plane resize keeps constants and linear ramps', async (t) => {
  const ramp = Float32Array.from({ length: 8 }, (_, i) => i);
  const up = resizeBilinearPlane(ramp, 8, 1, 16, 1);
  // Interior samples of a ramp stay on the ramp: value at x is (x + 0.5)/2 − 0.5.
  for (let x = 1; x < 15; x++) if (Math.abs(up[x] - ((x + 0.5) / 2 - 0.5)) > 1e-6) t.fail(`x=${x}: ${up[x]}`);
  t.same(Array.from(resizeBilinearPlane(new Float32Array(9).fill(3), 3, 3, 5, 2)), new Array(10).fill(3));
});

t.test('float16 conversion (half-precision exports) rounds to nearest even and round-trips', async (t) => {
  const { float32ToFloat16Bits, float16BitsToFloat32 } = await import('../src/vision/models/tensors.js');
  t.same([1, -2, 65504, 0.1, 1e-8, 70000, 2 ** -24, 0].map(float32ToFloat16Bits), [0x3c00, 0xc000, 0x7bff, 0x2e66, 0, 0x7c00, 0x0001, 0]);
  t.equal(float32ToFloat16Bits(1 + 2 ** -11), 0x3c00, 'a tie rounds to even (down)');
  t.equal(float32ToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02, 'a tie rounds to even (up)');
  const next = rng(0xf16);
  for (let i = 0; i < 2000; i++) {
    const v = (next() - 0.5) * 2 ** Math.floor(next() * 30 - 14);
    const back = float16BitsToFloat32(float32ToFloat16Bits(v));
    if (Math.abs(back - v) > Math.max(Math.abs(v) * 2 ** -11, 2 ** -25)) t.fail(`${v} came back as ${back}`);
  }
  t.pass('2000 random values within half an ulp');
});
