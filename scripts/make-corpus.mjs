#!/usr/bin/env node
// npm run make-corpus -- --out DIR [--group NAME] [--ffmpeg DIR]
// Writes the corpus of awkward inputs (scripts/lib/corpus-cases.mjs) into DIR
// and prints one line per case: file, what it is, what a render must give.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { CASES, makeCorpus } from './lib/corpus-cases.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const value = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
if (args.includes('--help') || !value('--out')) {
  process.stderr.write('usage: npm run make-corpus -- --out DIR [--group containers|rates|timing|pixels] [--ffmpeg DIR]\n');
  process.exit(args.includes('--help') ? 0 : 2);
}
const groups = [...new Set(CASES.map((c) => c.group))];
const group = value('--group');
if (group && !groups.includes(group)) {
  process.stderr.write(`make-corpus: unknown group "${group}"; the groups are ${groups.join(', ')}\n`);
  process.exit(2);
}
const dir = resolve(value('--out'));
mkdirSync(dir, { recursive: true });
const option = value('--ffmpeg') ?? process.env.MASKFLOW_FFMPEG;
const tools = option
  ? { ffmpeg: option.endsWith('ffmpeg') ? option : join(option, 'ffmpeg'), ffprobe: option.endsWith('ffmpeg') ? option.replace(/ffmpeg$/, 'ffprobe') : join(option, 'ffprobe') }
  : { ffmpeg: require('@ffmpeg-installer/ffmpeg').path, ffprobe: require('@ffprobe-installer/ffprobe').path };
const { made, skipped } = makeCorpus(dir, tools, { group });
for (const c of made) {
  const e = c.expect;
  process.stdout.write(`${join(dir, c.file)}\t${c.what}\t${e.frames} frames @ ${e.fps}, ${e.audio} audio\n`);
}
for (const s of skipped) process.stdout.write(`skipped ${s.case.file}: ${s.why}\n`);
