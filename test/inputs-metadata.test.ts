// Metadata users expect to survive a render (issue #12 item 3), read back with ffprobe:
// the creation time and title, each audio track's language, chapters (mp4 and mkv take
// them), and +faststart on mp4 (the moov box before the media data, so playback starts
// before the whole file is downloaded).
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { render } from '../src/render/render.js';
import { ffmpeg, paths } from './helpers/media.js';

interface Probed {
  format: { start_time?: string; tags?: Record<string, string> };
  streams: { codec_type: string; start_time?: string; tags?: Record<string, string> }[];
  chapters: { start_time: string; end_time: string; tags?: Record<string, string> }[];
}

function probeMetadata(file: string): Probed {
  const r = spawnSync(paths.ffprobe, ['-v', 'error', '-show_format', '-show_streams', '-show_chapters', '-of', 'json', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Probed;
}

/** Top-level ISO BMFF box types in file order. */
function topLevelBoxes(file: string): string[] {
  const data = readFileSync(file);
  const out: string[] = [];
  let at = 0;
  while (at + 8 <= data.length) {
    let size = data.readUInt32BE(at);
    const type = data.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(data.readBigUInt64BE(at + 8));
    if (size === 0) size = data.length - at;
    if (size < 8) break;
    out.push(type);
    at += size;
  }
  return out;
}

const CREATED = '2021-06-05T14:03:09.000000Z';

t.test('creation time, title, audio languages and chapters survive; mp4 is faststart', async (t) => {
  const dir = t.testdir({});
  const chapters = join(dir, 'chapters.txt');
  writeFileSync(
    chapters,
    ';FFMETADATA1\ntitle=Holiday\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=Arrival\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=1000\nEND=2000\ntitle=Beach\n',
  );
  const input = join(dir, 'in.mkv');
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25:duration=2'],
    ...['-f', 'lavfi', '-i', 'sine=f=440:d=2', '-f', 'lavfi', '-i', 'sine=f=660:d=2'],
    ...['-i', chapters, '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map_metadata', '3', '-map_chapters', '3'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
    ...['-metadata', `creation_time=${CREATED}`, '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra'],
    input,
  ]);
  const source = probeMetadata(input);
  t.equal(source.chapters.length, 2, 'the input has its chapters');
  // The output starts at the first picture (0.023 s into this .mkv: its AAC priming), and the
  // chapters move with the pictures: each mark stays on the same picture.
  const firstPicture = Number(source.streams.find((s) => s.codec_type === 'video')?.start_time) - Number(source.format.start_time ?? 0);
  const expectedStarts = source.chapters.map((c) => Math.max(0, Number(c.start_time) - firstPicture));

  for (const ext of ['.mp4', '.mkv', '.mov']) {
    await t.test(ext, async (t) => {
      const output = join(dir, `out${ext}`);
      await render({ input, output, effect: 'vignette', workers: 2, batchSeconds: 0.5, cacheDir: false });
      const m = probeMetadata(output);
      t.equal(m.format.tags?.creation_time, CREATED, 'creation time');
      t.equal(m.format.tags?.title ?? m.format.tags?.TITLE, 'Holiday', 'title');
      const audio = m.streams.filter((s) => s.codec_type === 'audio');
      t.same(
        audio.map((s) => s.tags?.language),
        ['eng', 'fra'],
        'each audio track keeps its language',
      );
      t.same(
        m.chapters.map((c) => c.tags?.title),
        ['Arrival', 'Beach'],
        'chapter titles',
      );
      const starts = m.chapters.map((c) => Number(c.start_time));
      t.ok(
        starts.length === expectedStarts.length && starts.every((v, i) => Math.abs(v - expectedStarts[i]) <= 0.002),
        `chapters start at ${starts.join(', ')} s (input ${source.chapters.map((c) => c.start_time).join(', ')} s, first picture at ${firstPicture} s)`,
      );
      if (ext !== '.mkv') {
        const boxes = topLevelBoxes(output);
        t.ok(boxes.indexOf('moov') >= 0 && boxes.indexOf('moov') < boxes.indexOf('mdat'), `moov before mdat (faststart): ${boxes.join(' ')}`);
      }
    });
  }
});
