// Writes a file through a temp file in the same folder and a rename, so a
// reader (or a crash) never sees half a file under the real name.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { diskFullError, mentionsDiskFull } from './fs-errors.js';

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(temp, data, { flag: 'wx' });
    await rename(temp, file);
  } catch (err) {
    // The write's error is the one that matters, not a failed cleanup of the temp file.
    await rm(temp, { force: true }).catch(() => undefined);
    throw mentionsDiskFull(err) ? diskFullError(err, dirname(file)) : err;
  }
}
