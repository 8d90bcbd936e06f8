// File-system failures named by their cause. A full disk shows up as ENOSPC
// from Node, as "No space left on device" in ffmpeg's output, or only as a
// truncated file (ffmpeg's +faststart pass may fail quietly): all of them are
// reported as "disk full at PATH" with the original detail kept below.
import { statfs } from 'node:fs/promises';

const DISK_FULL = /ENOSPC|no space left on device/i;

/** Free bytes below which a folder's file system counts as full. */
export const NEARLY_FULL_BYTES = 1 << 20;

export function mentionsDiskFull(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC' || DISK_FULL.test(String((err as Error | undefined)?.message ?? err));
}

/** True when the file system holding `dir` has (almost) no space left for us. */
export async function nearlyFull(dir: string): Promise<boolean> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize < NEARLY_FULL_BYTES;
  } catch {
    return false;
  }
}

/** "disk full at WHERE: <the original message>", or `err` itself when it already says so. */
export function diskFullError(err: unknown, where: string): Error {
  const message = String((err as Error | undefined)?.message ?? err);
  if (message.startsWith('disk full at ')) return err as Error;
  const out = new Error(`disk full at ${where}: ${message}${DISK_FULL.test(message) ? '' : ' (No space left on device)'}`);
  (out as NodeJS.ErrnoException).code = 'ENOSPC';
  return out;
}
