// The packet scan: real ffprobe (and ffmpeg's framecrc listing where ffprobe
// cannot read a file) on generated clips, no decoding.
import t from 'tap';
import { join } from 'node:path';
import { parseFfprobePackets, parseFramecrcPackets, picturePackets, scanVideoPackets, ticksToSeconds, type VideoPackets } from '../src/media/packets.js';
import { ffmpeg, paths } from './helpers/media.js';

/** Presentation times (seconds, ascending) of the keyframe packets that hold a picture. */
function keyframeTimes(p: VideoPackets): number[] {
  const out: number[] = [];
  for (const i of picturePackets(p)) {
    const ts = Number.isNaN(p.pts[i]) ? p.dts[i] : p.pts[i];
    if (p.keyframe[i] && !Number.isNaN(ts)) out.push(ticksToSeconds(p, ts));
  }
  return out;
}

t.test('lists every packet of an mp4 with timestamps and keyframe flags', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'gop.mp4');
  // 50 frames at 25 fps, a keyframe every 10 frames, B-frames (pts order differs from file order).
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25', '-frames:v', '50', '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2', '-g', '10', '-keyint_min', '10', '-sc_threshold', '0', file]);
  const p = await scanVideoPackets(paths, file, 0);
  t.equal(p.via, 'ffprobe');
  t.equal(p.pts.length, 50);
  const order = picturePackets(p);
  t.equal(order.length, 50);
  const times = Array.from(order, (i) => ticksToSeconds(p, p.pts[i]));
  const start = times[0];
  t.ok(times.every((v, i) => Math.abs(v - start - i / 25) < 1e-6), 'presentation times step 1/25 s');
  t.same(Array.from(keyframeTimes(p), (v) => Math.round((v - start) * 25)), [0, 10, 20, 30, 40]);
});

t.test('AVI dropped-frame entries: ffprobe lists only the pictures, at their index times', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'drop.avi');
  // Frames 20..40 removed, muxed VFR into AVI: the index keeps empty entries for them.
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25', '-t', '4', '-vf', "select='not(between(n\\,20\\,40))'", '-vsync', 'vfr', '-c:v', 'mjpeg', file]);
  const p = await scanVideoPackets(paths, file, 0);
  const pics = picturePackets(p);
  t.equal(pics.length, 79);
  t.same(Array.from(pics.subarray(18, 22), (i) => p.pts[i]), [18, 19, 41, 42]);
});

t.test('parsers read both listings', async (t) => {
  const probe = parseFfprobePackets('packet,0,0,1,500,K__\npacket,2,1,1,40,___\npacket,1,2,1,0,__\nstream,0,1/25\npacket,N/A,3,1,9,_D_\n', 0)!;
  t.same(Array.from(probe.pts), [0, 2, 1, NaN]);
  t.same(Array.from(probe.keyframe), [1, 0, 0, 0]);
  t.same(Array.from(probe.discard), [0, 0, 0, 1]);
  t.same(Array.from(picturePackets(probe)), [0, 1]);
  t.same(probe.timeBase, [1, 25]);
  t.equal(parseFfprobePackets('packet,0,0,1,500,K__\n', 0), undefined, 'no time base, no result');
  const crc = parseFramecrcPackets(
    '#tb 0: 1/90000\n#media_type 0: video\n0,     127920,     127920,     3600,     5406, 0x026118a1, S=1,        1, 0x00e000e0\n' +
      '0,     131520,     138720,     3600,      172, 0x3b8c6523, F=0x0\n0, -9223372036854775808, -9223372036854775808, 0, 10, 0x1, F=0x5\n',
    0,
    'why',
  )!;
  t.same(Array.from(crc.pts), [127920, 138720, NaN]);
  t.same(Array.from(crc.dts), [127920, 131520, NaN]);
  t.same(Array.from(crc.keyframe), [1, 0, 1]);
  t.same(Array.from(crc.discard), [0, 0, 1]);
  t.equal(crc.note, 'why');
  t.same(crc.timeBase, [1, 90000]);
});

t.test('MPEG-TS: listed even where ffprobe cannot read the file, keeping the original timestamps', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'clip.ts');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25', '-frames:v', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', file]);
  const p = await scanVideoPackets(paths, file, 0);
  if (p.via === 'ffmpeg') t.match(p.note, /ffprobe crashed \(signal SIG/, 'says that ffprobe crashed');
  t.equal(picturePackets(p).length, 30);
  t.same(p.timeBase, [1, 90000]);
  const first = ticksToSeconds(p, p.pts[picturePackets(p)[0]]);
  t.ok(first > 1, `TS timestamps start after the usual 1.4 s offset (${first})`);
  t.equal(keyframeTimes(p).length, 3);
});
