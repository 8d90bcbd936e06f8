// Worker scaling and memory: the same render with 1 and N workers (each its
// own process). Throughput is the render stage's frames per second; memory is
// peak RSS, whose growth per extra worker should be about a worker's frame
// buffers (a ring of 4 frames plus pipe buffers), not masks or models.
import { availableParallelism } from 'node:os';
import { makeClip, renderCli, scratchDir } from './lib.mjs';

export async function run({ quick = false } = {}) {
  const workers = Math.max(2, availableParallelism());
  const width = quick ? 1280 : 1920;
  const height = quick ? 720 : 1080;
  const seconds = quick ? 6 : 8;
  const dir = scratchDir('workers');
  process.stderr.write(`workers: generating a ${width}x${height} ${seconds} s clip…\n`);
  const input = await makeClip(dir, 'in.mp4', { width, height, seconds });
  const args = (n) => ['--effect', 'dim-background', '--workers', String(n), '--batch-seconds', '2'];
  const repeats = quick ? 1 : 2;
  let one;
  let many;
  for (let r = 0; r < repeats; r++) {
    const a = renderCli(input, dir, `one${r}`, args(1));
    if (!one || a.report.renderFps > one.report.renderFps) one = a;
    const b = renderCli(input, dir, `many${r}`, args(workers));
    if (!many || b.report.renderFps > many.report.renderFps) many = b;
  }
  const frameBytes = width * height * 1.5;
  const extraPerWorker = (many.report.peakRssBytes - one.report.peakRssBytes) / (workers - 1);
  return {
    suite: 'workers',
    clip: { width, height, seconds },
    workers,
    peakRssBytes: { one: one.report.peakRssBytes, many: many.report.peakRssBytes },
    masks: many.report.masks,
    results: [
      {
        name: `throughput ${workers} workers / 1 worker`,
        ratio: many.report.renderFps / one.report.renderFps,
        better: 'higher',
        tolerance: 0.15,
        target: `>= 1.6 on ${workers} cores`,
      },
      {
        name: 'peak RSS per extra worker / frame bytes',
        ratio: extraPerWorker / frameBytes,
        better: 'lower',
        tolerance: 0.5,
        target: 'frame-sized buffers only (ring, pipe chunks, chain scratch); no masks or models',
      },
      { name: 'mask bytes copied to workers', ratio: many.report.masks.bytesCopied, better: 'lower', tolerance: 0, target: '0' },
    ],
  };
}
