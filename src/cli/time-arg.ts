// Times on the command line: seconds ("12.5") or clock time ("1:02.5",
// "0:01:02.5"), as ffmpeg's -ss takes them.
import { UsageError } from './command.js';

export function timeOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:(?:(\d+):)?([0-5]?\d):)?(\d+(?:\.\d+)?)$/.exec(value.trim());
  if (!m) throw new UsageError(`--${name} must be a time in seconds (12.5) or hh:mm:ss (0:01:02.5), got "${value}"`);
  const [, h, min, sec] = m;
  if (min !== undefined && Number(sec) >= 60) throw new UsageError(`--${name}: "${value}" has ${sec} seconds; expected less than 60 after a colon`);
  return Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(sec);
}
