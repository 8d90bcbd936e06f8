// Keyframe sequences for finder tests, built in memory: a tinted noise
// backdrop, one subject of a steady colour moving along a path, and
// distractors of random colours that jump around (some touch the subject).
import { rng } from './random.js';

export function finderScenes(w: number, h: number, count: number, seed: number): Uint8Array[] {
  const next = rng(seed);
  const bg = new Uint8Array(w * h * 3);
  const tint = [next() * 80, next() * 80, next() * 80];
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) bg[3 * i + c] = Math.min(255, Math.floor(tint[c] + next() * 120));
  const fill = (f: Uint8Array, x0: number, y0: number, bw: number, bh: number, colour: number[]): void => {
    for (let y = Math.max(0, Math.round(y0)); y < Math.min(h, Math.round(y0 + bh)); y++) {
      for (let x = Math.max(0, Math.round(x0)); x < Math.min(w, Math.round(x0 + bw)); x++) f.set(colour, 3 * (y * w + x));
    }
  };
  const subject = [Math.floor(next() * 256), Math.floor(next() * 256), Math.floor(next() * 256)];
  const [sw, sh] = [0.15 * w + 2, 0.2 * h + 2];
  return Array.from({ length: count }, (_, k) => {
    const f = bg.slice();
    const p = k / Math.max(1, count - 1);
    fill(f, (w - sw) * p, (h - sh) * (0.5 + 0.4 * Math.sin(2 * Math.PI * p)), sw, sh, subject);
    for (let d = 0; d < 2; d++) {
      const colour = [Math.floor(next() * 256), Math.floor(next() * 256), Math.floor(next() * 256)];
      fill(f, next() * w, next() * h, 2 + next() * 0.25 * w, 2 + next() * 0.25 * h, colour);
    }
    return f;
  });
}
