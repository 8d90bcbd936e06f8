// Platform triples named the way napi-rs names them, so prebuilds and
// `@maskflow/native-<triple>` packages line up with that ecosystem.
import { readFileSync } from 'node:fs';

export type Libc = 'gnu' | 'musl';

export interface PlatformInfo {
  platform: NodeJS.Platform;
  arch: string;
  libc?: Libc;
}

/** Detects glibc vs musl like napi-rs: the process report first, then ldd's text. */
export function detectLibc(): Libc {
  try {
    const report = process.report?.getReport() as unknown as { header?: { glibcVersionRuntime?: string } } | undefined;
    if (report?.header && typeof report.header.glibcVersionRuntime === 'string') return 'gnu';
    if (report?.header) {
      // No glibc runtime version in the report: musl, unless ldd says otherwise.
      return lddSaysMusl() === false ? 'gnu' : 'musl';
    }
  } catch {
    // fall through to ldd
  }
  return lddSaysMusl() ? 'musl' : 'gnu';
}

function lddSaysMusl(): boolean | undefined {
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
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
