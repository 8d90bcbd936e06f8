// Child processes of a process, read from /proc (Linux): live ones and zombies.
import { readdirSync, readFileSync } from 'node:fs';

export interface ChildInfo {
  pid: number;
  state: string;
  command: string;
}

export function childrenOf(parent = process.pid): ChildInfo[] {
  const found: ChildInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    if (Number(fields[1]) === parent) found.push({ pid: Number(entry), state: fields[0], command: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return found;
}

/** Children that are ffmpeg/ffprobe processes, live or zombie. */
export function ffmpegChildren(parent = process.pid): ChildInfo[] {
  return childrenOf(parent).filter((c) => /ffmpeg|ffprobe/.test(c.command));
}

/** Waits (up to `ms`) until `check` returns an empty list; returns the last list. */
export async function settleChildren(check: () => ChildInfo[], ms = 5000): Promise<ChildInfo[]> {
  const until = Date.now() + ms;
  let left = check();
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    left = check();
  }
  return left;
}
