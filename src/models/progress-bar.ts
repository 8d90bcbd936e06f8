// A download progress line for a terminal: name, bar, bytes, rate, ETA. On a
// non-terminal stream it prints a line at start, every 25 % and at the end.
import type { DownloadProgress } from './download.js';

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function downloadProgressPrinter(stream: NodeJS.WritableStream & { isTTY?: boolean }): (label: string, p: DownloadProgress) => void {
  let current = '';
  let started = 0;
  let lastDraw = 0;
  let lastQuarter = -1;
  return (label, p) => {
    const now = performance.now();
    if (label !== current) {
      current = label;
      started = now;
      lastQuarter = -1;
    }
    const done = p.total !== undefined && p.received >= p.total;
    const fraction = p.total ? Math.min(1, p.received / p.total) : undefined;
    const rate = (p.received - p.resumedFrom) / Math.max(0.001, (now - started) / 1000);
    const eta = p.total !== undefined && rate > 0 ? (p.total - p.received) / rate : NaN;
    const text = `${label} ${fraction !== undefined ? `${(fraction * 100).toFixed(0).padStart(3)}%` : ''} ${mb(p.received)}${p.total ? `/${mb(p.total)}` : ''} ${mb(rate)}/s ETA ${clock(eta)}${p.resumedFrom ? ` (resumed at ${mb(p.resumedFrom)})` : ''}`;
    if (stream.isTTY) {
      if (!done && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 24;
      const filled = fraction !== undefined ? Math.round(fraction * width) : 0;
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}${done ? '\n' : ''}`);
      return;
    }
    const quarter = fraction !== undefined ? Math.floor(fraction * 4) : 0;
    if (quarter > lastQuarter) {
      lastQuarter = quarter;
      stream.write(`maskflow: ${text}\n`);
    }
  };
}
