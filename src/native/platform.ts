// Platform triples named the way napi-rs names them, so prebuilds and
// `@maskflow/native-<triple>` packages line up with that ecosystem.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

export type Libc = 'gnu' | 'musl';

export interface PlatformInfo {
  platform: NodeJS.Platform;
  arch: string;
  libc?: Libc;
}

let detected: Libc | undefined;

/**
 * glibc or musl, without process.report.getReport(): a full report costs tens
 * of milliseconds and looks up network interfaces, and every worker thread
 * loading the addon would pay it. Asks, in order: the dynamic loader the
 * running Node binary was linked against (what the addon must match), then
 * /usr/bin/ldd's text. Computed once per thread.
 */
export function detectLibc(): Libc {
  detected ??= readLibc();
  return detected;
}

/** detectLibc() without the per-thread cache. */
export function readLibc(): Libc {
  return libcOfInterpreter(elfInterpreter(process.execPath)) ?? lddLibc() ?? 'gnu';
}

/** `ld-musl-*` → musl, `ld-linux*` → glibc, anything else (or none) → unknown. */
export function libcOfInterpreter(interpreter: string | undefined): Libc | undefined {
  if (interpreter === undefined) return undefined;
  if (/ld-musl/.test(interpreter)) return 'musl';
  if (/ld-linux/.test(interpreter)) return 'gnu';
  return undefined;
}

const PT_INTERP = 3;

/** The PT_INTERP path of a 64- or 32-bit little-endian ELF file; undefined if it has none or is not ELF. */
export function elfInterpreter(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    // The program headers sit right after the ELF header, within the first pages.
    const head = Buffer.alloc(8192);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n < 64 || head.readUInt32BE(0) !== 0x7f454c46 || head[5] !== 1) return undefined;
    const is64 = head[4] === 2;
    const phoff = Number(is64 ? head.readBigUInt64LE(32) : head.readUInt32LE(28));
    const phentsize = head.readUInt16LE(is64 ? 54 : 42);
    const phnum = head.readUInt16LE(is64 ? 56 : 44);
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      if (at + phentsize > n) return undefined;
      if (head.readUInt32LE(at) !== PT_INTERP) continue;
      const offset = Number(is64 ? head.readBigUInt64LE(at + 8) : head.readUInt32LE(at + 4));
      const size = Number(is64 ? head.readBigUInt64LE(at + 32) : head.readUInt32LE(at + 16));
      if (size < 1 || size > 4096) return undefined;
      const path = Buffer.alloc(size);
      readSync(fd, path, 0, size, offset);
      return path.toString('latin1').replace(/\0.*$/s, '');
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function lddLibc(): Libc | undefined {
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl') ? 'musl' : 'gnu';
  } catch {
    return undefined;
  }
}

/** `linux-x64-gnu`, `linux-x64-musl`, `darwin-arm64`, `win32-x64-msvc`, `linux-arm-gnueabihf`… */
export function platformTriple(info: PlatformInfo = currentPlatform()): string {
  const { platform, arch } = info;
  switch (platform) {
    case 'win32':
      return `win32-${arch}-msvc`;
    case 'darwin':
      return `darwin-${arch}`;
    case 'linux': {
      const libc = info.libc ?? detectLibc();
      if (arch === 'arm') return libc === 'musl' ? 'linux-arm-musleabihf' : 'linux-arm-gnueabihf';
      return `linux-${arch}-${libc}`;
    }
    case 'android':
      return arch === 'arm' ? 'android-arm-eabi' : `android-${arch}`;
    default:
      return `${platform}-${arch}`;
  }
}

export function currentPlatform(): PlatformInfo {
  return { platform: process.platform, arch: process.arch };
}
