// Paths to remove if the process has to exit at once (a second Ctrl-C): the
// normal paths remove their own temp files in `finally`, but process.exit()
// runs no `finally`, so whatever is still registered here is removed first.
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

const tracked = new Set<string>();
let hooked = false;

/** Registers `path` (a file or folder); call the returned function once it is gone or kept. */
export function removeOnExit(path: string): () => void {
  if (!hooked) {
    hooked = true;
    // process.exit() from anywhere (a library user's code too) still runs 'exit' handlers.
    process.on('exit', () => removeTrackedSync());
  }
  tracked.add(path);
  return () => void tracked.delete(path);
}

/** Removes every registered path, synchronously, ignoring errors (best effort on the way out). */
export function removeTrackedSync(): string[] {
  const removed: string[] = [];
  for (const path of tracked) {
    try {
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Nothing more can be done while exiting.
    }
  }
  tracked.clear();
  return removed;
}

/**
 * Removes `path` after a failure without ever throwing, so a cleanup problem
 * (EACCES, EPERM, EBUSY) cannot replace the error that matters. Returns a
 * sentence naming what is left, or undefined when it is gone.
 */
export async function removeQuietly(path: string): Promise<string | undefined> {
  try {
    await rm(path, { recursive: true, force: true });
    return undefined;
  } catch (err) {
    return `could not remove the temp files ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); remove them by hand`;
  }
}

/** Adds a cleanup note below an error's message (the error itself stays what it was). */
export function withNote(err: unknown, note: string | undefined): unknown {
  if (note && err instanceof Error) err.message = `${err.message}\n(also: ${note})`;
  return err;
}
