// Up-front checks that a path the user gave is the kind of file we can read.
// A FIFO would block the read forever (and a device never ends), so plans,
// images and models are refused before anything opens them, as the input is.
import { constants, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** What a non-regular file is, in words. */
export function describeKind(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/** Why `path` is not a regular file we can read, or undefined when it is one. Never blocks. */
export function regularFileProblem(path: string): string | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'ENOTDIR' ? 'no such file (a parent is not a folder)' : `cannot read it (${code ?? (err as Error).message})`;
  }
  return st.isFile() ? undefined : `not a regular file: ${describeKind(st)}`;
}

/** Why `path` is not a folder, or undefined when it is one. */
export function folderProblem(path: string): string | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such folder' : `cannot read it (${code ?? (err as Error).message})`;
  }
  if (st.isDirectory()) return undefined;
  return st.isFile() ? 'a file, expected a folder' : `not a folder: ${describeKind(st)}`;
}

/** A path that is missing or of the wrong kind; `reason` is the part after the path. */
export class FileKindError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    what: string,
  ) {
    super(`${what} ${path}: ${reason}`);
    this.name = 'FileKindError';
  }
}

/**
 * Opens `path` for reading only if it is a regular file. O_NONBLOCK makes the
 * open of a FIFO return at once (a plain open waits for a writer, forever and
 * out of reach of Ctrl-C); fstat on the open handle then decides, so a file
 * swapped for a FIFO after a stat is still caught. Throws a FileKindError.
 */
export async function openRegularFile(path: string, what: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileKindError(path, code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (err as Error).message})`, what);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new FileKindError(path, `not a regular file: ${describeKind(st)}`, what);
  }
  return fh;
}
