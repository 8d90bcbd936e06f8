// Progress events as text: the bar line on a TTY and the plain lines of logs.
import type { ProgressEvent } from '../render/progress.js';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** One line: `render [#####-----]  48% 1440/3000 frames  62.1 fps  ETA 00:25`. */
export function formatProgress(e: ProgressEvent, width = 24): string {
  if (e.stage === 'finish') {
    return e.done < e.total ? `finish  joining ${e.total} batch file${e.total === 1 ? "" : "s"} without re-encoding…` : `finish  done`;
  }
  const fraction = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
  const filled = Math.round(fraction * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  const unit = e.stage === 'render' ? 'frames' : e.stage === 'analyse' ? 'keyframes' : 'steps';
  // Stages other than render/analyse report steps; their rate and ETA mean little.
  const rate = e.stage === 'render' ? `${e.rate.toFixed(1)} fps` : `${e.rate.toFixed(1)}/s`;
  const eta = e.etaSeconds === undefined ? 'ETA --:--' : `ETA ${formatDuration(e.etaSeconds)}`;
  return `${e.stage.padEnd(7)} [${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${e.done}/${e.total} ${unit}  ${rate}  ${eta}`;
}
