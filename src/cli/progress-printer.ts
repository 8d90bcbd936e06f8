// Shows progress on stderr: a redrawn bar on a TTY, plain periodic lines
// otherwise (logs and CI stay readable).
import type { ProgressEvent } from '../render/progress.js';
import { formatProgress } from './progress-text.js';

export function progressPrinter(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  { mode = 'auto', intervalMs = 2000 }: { mode?: 'auto' | 'bar' | 'lines'; intervalMs?: number } = {},
): {
  onProgress: (e: ProgressEvent) => void;
  done: () => void;
} {
  let last = 0;
  let lastStage = '';
  let drawn = false;
  let lastKey = '';
  const tty = mode === 'auto' ? Boolean(stream.isTTY) && !process.env.CI : mode === 'bar';
  return {
    onProgress(e) {
      const key = `${e.stage}:${e.done}`;
      if (key === lastKey) return; // the same state twice (a final update) prints once
      lastKey = key;
      const now = Date.now();
      const stageChanged = e.stage !== lastStage;
      const finished = e.done >= e.total;
      if (tty) {
        if (stageChanged && drawn) stream.write('\n');
        if (stageChanged || finished || now - last > 100) {
          stream.write(`\r${formatProgress(e)}\u001b[K`);
          drawn = true;
          last = now;
        }
      } else if (stageChanged || finished || now - last > intervalMs) {
        stream.write(`${formatProgress(e)}\n`);
        last = now;
      }
      lastStage = e.stage;
    },
    done() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
