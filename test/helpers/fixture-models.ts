// Test helpers: generate the fixture models (hand-built graphs with real signatures, not
// trained models) into a temp dir once per test file, and draw synthetic RGB scenes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureModels, type FixturePaths } from '../fixture-models/write-fixtures.js';
import type { RgbImage } from '../../src/vision/models/index.js';
import { rng } from './random.js';

export function generateFixtures(t: { teardown: (fn: () => void) => void }): FixturePaths & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'maskflow-fixture-models-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, ...writeFixtureModels(dir) };
}

export interface SceneObject {
  /** x, y, w, h in pixels */
  box: [number, number, number, number];
  rgb: [number, number, number];
  shape?: 'rect' | 'disc';
}

/** Grey textured background (low chroma noise) with solid coloured objects on top. */
export function drawScene(width: number, height: number, objects: SceneObject[], seed = 1): RgbImage {
  const next = rng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const grey = 90 + next() * 60;
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round(grey + (next() - 0.5) * 16);
  }
  for (const o of objects) {
    const [x0, y0, w, h] = o.box;
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) {
        if (o.shape === 'disc') {
          const dx = (x + 0.5 - (x0 + w / 2)) / (w / 2);
          const dy = (y + 0.5 - (y0 + h / 2)) / (h / 2);
          if (dx * dx + dy * dy > 1) continue;
        }
        data.set(o.rgb, (y * width + x) * 3);
      }
    }
  }
  return { data, width, height };
}

export function boxIou(a: readonly number[], b: readonly number[]): number {
  const iw = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}
