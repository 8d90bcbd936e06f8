// The corpus of awkward inputs (issue #12): every case is generated with
// ffmpeg (tiny: 160x90-ish, 1-3 s), so nothing is committed. Shared by
// `npm run make-corpus -- --out DIR` and the test/inputs-corpus-*.test.ts
// files, which render each case and check what `expect` says.
//
// Every clip with video carries a flash (one white frame) at `flash` (a
// frame number of the input's grid) and, with audio, a 880 Hz tone burst
// starting at the same moment: a render keeps them together and in place.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {object} Expect
 * @property {number} frames        frames of the output (the input's frame grid)
 * @property {string} fps           output rate as num/den
 * @property {number} audio         audio streams in the output
 * @property {number | null} flash  output frame of the flash (±1 checked), null: none
 * @property {number | null} tone   seconds of the tone burst in the output (±1 frame), null: none
 * @property {number} [toneAfterFlash] seconds from the flash to the tone in the input itself (default 0: together)
 * @property {RegExp[]} [warnings]  each must match some report warning
 * @property {string} [sar]         sample aspect ratio the output keeps, e.g. "2:1"
 * @property {string} [dar]         display aspect ratio of the output, e.g. "16:9"
 * @property {string} [colorRange]  color_range tag of the output
 * @property {string} [colorSpace]  color_space (matrix) tag of the output
 * @property {number[]} [patchRgb]  rgb the centre patch of the output decodes to (±12), as the input's does (each decoded with its own tags)
 * @property {boolean} [progressive] the output's pictures show no combing (ffmpeg's idet, single-frame)
 * @property {RegExp} [refuse]      the render must fail with this message instead
 * @property {string} [todo]        a known failure, not fixed yet (the test runs and reports it as todo)
 *
 * @typedef {object} CorpusCase
 * @property {string} name
 * @property {string} group   which test file renders it
 * @property {string} file    file name of the input
 * @property {string} what    one line for the README/report table
 * @property {(ff: (args: string[]) => void, dir: string, file: string) => void} make
 * @property {Expect} expect
 * @property {string} [needs] an encoder the case needs (skipped when the ffmpeg lacks it)
 */

/** Sources: a moving test picture with a white frame at `flashFrame`, and silence with a tone burst at `toneAt` seconds. */
function sources({ size = '160x90', rate = '25', seconds = 2, flashFrame = 20, toneAt, audio = true, sampleRate = 48000, pixFmt = 'yuv420p' }) {
  const video = `testsrc2=size=${size}:rate=${rate}:duration=${seconds},drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='eq(n\\,${flashFrame})',format=${pixFmt}`;
  const args = ['-f', 'lavfi', '-i', video];
  if (audio) {
    const t = toneAt ?? flashFrame / rateValue(rate);
    args.push('-f', 'lavfi', '-i', `aevalsrc='if(between(t\\,${t}\\,${t + 0.2})\\,0.8*sin(2*PI*880*t)\\,0)':s=${sampleRate}:d=${seconds}`);
  }
  return args;
}

function rateValue(rate) {
  const [n, d] = String(rate).split('/').map(Number);
  return n / (d || 1);
}

const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '12', '-pix_fmt', 'yuv420p'];
const X264_ANY = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '12'];

/** A plain case: sources → one ffmpeg encode. */
function encoded(opts, output) {
  return (ff, dir, file) => ff([...sources(opts), ...output, '-shortest', join(dir, file)]);
}

/** Overwrites the payload of the `nth` non-keyframe video packet with zeros (its picture no longer decodes). */
export function corruptPacket(ffprobe, file, nth) {
  const r = spawnSync(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pos,size,flags', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  const packets = r.stdout.trim().split('\n').map((l) => l.split(',')).filter((f) => !f[2].includes('K'));
  // ffprobe prints the fields in its own order: size, pos, flags.
  const [size, pos] = packets[nth].map(Number);
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(size), 0, size, pos);
  } finally {
    closeSync(fd);
  }
}

const audioOnce = { audio: 1 };

/**
 * Really interlaced video: a box moving at 50 pictures/s woven into 25
 * frames of two fields (top first), so every moving edge is combed unless
 * the fields are put back together. Flash at frame 20, tone at 0.8 s.
 */
function interlacedClip(ff, dir, file) {
  const scene =
    "color=c=gray:s=160x96:r=50:d=2[bg];color=c=white:s=20x56:r=50:d=2[box];[bg][box]overlay=x='mod(t*200\\,140)':y=20:shortest=1," +
    "drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='between(n\\,40\\,41)',tinterlace=mode=interleave_top,format=yuv420p";
  ff(['-f', 'lavfi', '-i', scene, ...sources({ seconds: 2 }).slice(4), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '12', '-flags', '+ildct+ilme', '-top', '1', '-c:a', 'aac', '-shortest', join(dir, file)]);
}

/** @type {CorpusCase[]} */
export const CASES = [
  // ---- containers listing more frames than decode, dropped-frame entries, old codecs, audio codecs
  {
    name: 'broken-packet', group: 'containers', file: 'broken-h264-mp3.mp4',
    what: 'H.264 + MP3 .mp4 whose index lists 50 frames, one picture zeroed (49 decode)',
    make: (ff, dir, file, tools) => {
      ff([...sources({}), ...X264, '-bf', '0', '-c:a', 'libmp3lame', '-shortest', join(dir, file)]);
      corruptPacket(tools.ffprobe, join(dir, file), 25);
    },
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8, warnings: [/1 picture could not be decoded .*frame 2\d/] },
  },
  {
    name: 'avi-dropped-frames', group: 'containers', file: 'dropped-cinepak.avi', needs: 'cinepak',
    what: 'cinepak .avi with dropped-frame entries (frames 25-34 absent, VFR muxed into AVI) + PCM',
    make: (ff, dir, file) =>
      ff([...sources({ size: '160x96' }), '-vf', "select='not(between(n\\,25\\,34))'", '-vsync', 'vfr', '-c:v', 'cinepak', '-c:a', 'pcm_s16le', '-shortest', join(dir, file)]),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8, warnings: [/10 of 50 frames have no picture of their own.*frames 25, 26/] },
  },
  {
    name: 'mpeg4-bframes-mp3', group: 'containers', file: 'mpeg4-mp3.avi',
    what: 'MPEG-4 part 2 with B-frames + MP3 in .avi (decode-order index, no presentation times)',
    make: encoded({}, ['-c:v', 'mpeg4', '-bf', '2', '-g', '12', '-q:v', '4', '-c:a', 'libmp3lame']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8 },
  },
  {
    name: 'xvid-packed', group: 'containers', file: 'xvid-mp3.avi', needs: 'libxvid',
    what: 'Xvid (packed B-frames, "N-VOP" placeholder entries) + MP3 in .avi',
    make: encoded({}, ['-c:v', 'libxvid', '-bf', '2', '-c:a', 'libmp3lame']),
    // The decoder returns 48 of the 50 pictures, the first at 0.16 s while the audio starts at 0: the file
    // itself shows the flash 0.16 s after the tone (ffmpeg 4.1's Xvid-in-AVI muxing), and the render keeps that.
    expect: { frames: 48, fps: '25/1', ...audioOnce, flash: 20, tone: 0.64, toneAfterFlash: -0.16 },
  },
  {
    name: 'msmpeg4v3-ac3', group: 'containers', file: 'msmpeg4v3-ac3.avi',
    what: 'MS-MPEG4 v3 (DivX 3) + AC-3 in .avi',
    make: encoded({}, ['-c:v', 'msmpeg4', '-q:v', '4', '-c:a', 'ac3']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8 },
  },
  {
    name: 'mjpeg-pcm', group: 'containers', file: 'mjpeg-pcm.avi',
    what: 'MJPEG (yuvj422p, full range) + PCM in .avi',
    make: encoded({ pixFmt: 'yuvj422p' }, ['-c:v', 'mjpeg', '-q:v', '3', '-c:a', 'pcm_s16le']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8 },
  },
  {
    name: 'pcm-mov', group: 'containers', file: 'pcm.mov',
    what: 'H.264 + PCM s16le in .mov (PCM copied into a .mov output)',
    make: encoded({}, [...X264, '-c:a', 'pcm_s16le']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8 },
  },
  {
    name: 'mpegts', group: 'containers', file: 'camera.ts',
    what: 'MPEG-TS, H.264 + AAC (start time 1.4 s; the bundled ffprobe crashes on TS)',
    make: encoded({ seconds: 3, flashFrame: 50 }, [...X264, '-c:a', 'aac']),
    expect: { frames: 75, fps: '25/1', ...audioOnce, flash: 50, tone: 2 },
  },
  {
    name: 'm2ts', group: 'containers', file: 'camera.m2ts',
    what: 'M2TS (Blu-ray/AVCHD TS with 4-byte timecodes), H.264 + AC-3',
    make: encoded({ seconds: 3, flashFrame: 50 }, [...X264, '-c:a', 'ac3', '-f', 'mpegts', '-mpegts_m2ts_mode', '1']),
    expect: { frames: 75, fps: '25/1', ...audioOnce, flash: 50, tone: 2 },
  },
  {
    name: 'hevc', group: 'containers', file: 'hevc.mp4', needs: 'libx265',
    what: 'HEVC + AAC in .mp4',
    make: encoded({}, ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-pix_fmt', 'yuv420p', '-c:a', 'aac']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8 },
  },
  {
    name: 'vp9', group: 'containers', file: 'vp9.webm', needs: 'libvpx-vp9',
    what: 'VP9 + Opus in .webm (Opus re-encoded to AAC for .mp4, with a warning)',
    make: encoded({}, ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k', '-c:a', 'libopus']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8, warnings: [/opus audio cannot be stored in \.mp4/] },
  },
  {
    name: 'av1', group: 'containers', file: 'av1.mkv', needs: 'libaom-av1',
    what: 'AV1 in .mkv, no audio',
    make: encoded({ seconds: 1, flashFrame: 10, audio: false }, ['-c:v', 'libaom-av1', '-cpu-used', '8', '-crf', '40', '-b:v', '0', '-strict', 'experimental']),
    expect: { frames: 25, fps: '25/1', audio: 0, flash: 10, tone: null },
  },

  // ---- rates and very short clips
  {
    name: 'rate-23.976', group: 'rates', file: 'r23976.mp4', what: '24000/1001 fps',
    make: encoded({ rate: '24000/1001', flashFrame: 24 }, [...X264, '-c:a', 'aac']),
    expect: { frames: 48, fps: '24000/1001', ...audioOnce, flash: 24, tone: 24 / (24000 / 1001) },
  },
  {
    name: 'rate-26.777', group: 'rates', file: 'r26777.mkv', what: '26777/1000 fps (unusual) in .mkv',
    make: encoded({ rate: '26777/1000', flashFrame: 27 }, [...X264, '-c:a', 'aac']),
    expect: { frames: 54, fps: '26777/1000', ...audioOnce, flash: 27, tone: 27 / 26.777 },
  },
  {
    name: 'rate-59.94', group: 'rates', file: 'r5994.mp4', what: '60000/1001 fps',
    make: encoded({ rate: '60000/1001', seconds: 1, flashFrame: 30 }, [...X264, '-c:a', 'aac']),
    expect: { frames: 60, fps: '60000/1001', ...audioOnce, flash: 30, tone: 30 / (60000 / 1001) },
  },
  {
    name: 'rate-12.5', group: 'rates', file: 'r125.mov', what: '12.5 fps in .mov',
    make: encoded({ rate: '25/2', flashFrame: 10 }, [...X264, '-c:a', 'aac']),
    expect: { frames: 25, fps: '25/2', ...audioOnce, flash: 10, tone: 0.8 },
  },
  {
    name: 'rate-1', group: 'rates', file: 'r1.mp4', what: '1 fps, 3 frames',
    make: encoded({ rate: '1', seconds: 3, flashFrame: 1 }, [...X264, '-c:a', 'aac']),
    expect: { frames: 3, fps: '1/1', ...audioOnce, flash: 1, tone: 1 },
  },
  {
    name: 'one-frame', group: 'rates', file: 'one.mp4', what: 'a single frame, no audio',
    make: (ff, dir, file) => ff([...sources({ seconds: 1, flashFrame: 99, audio: false }), '-frames:v', '1', ...X264, join(dir, file)]),
    expect: { frames: 1, fps: '25/1', audio: 0, flash: null, tone: null },
  },
  {
    name: 'two-frames', group: 'rates', file: 'two.mkv', what: 'two frames, no audio, .mkv',
    make: (ff, dir, file) => ff([...sources({ seconds: 1, flashFrame: 1, audio: false }), '-frames:v', '2', ...X264, join(dir, file)]),
    expect: { frames: 2, fps: '25/1', audio: 0, flash: null, tone: null },
  },
  {
    name: 'vfr', group: 'rates', file: 'vfr.mkv',
    what: 'variable frame rate: 25 fps, then 10 fps (pictures kept at their times on a 25 fps grid)',
    make: (ff, dir, file) => {
      const plain = join(dir, 'vfr-source.mkv');
      ff([...sources({ seconds: 4, flashFrame: 70, toneAt: 0 }), ...X264, '-c:a', 'aac', '-shortest', plain]);
      // Frames 0-39 at 25 fps, then every picture 0.1 s apart: picture 70 is shown at 1.6 + 3.0 = 4.6 s.
      ff(['-i', plain, '-map', '0', '-vf', "setpts='if(lt(N\\,40)\\,N/25\\,40/25+(N-40)/10)/TB'", '-vsync', '0', ...X264, '-c:a', 'copy', join(dir, file)]);
    },
    // The last picture (40 + 59 x 2.5 = 187.5) lands on frame 188; picture 70 on 40 + 30 x 2.5 = 115.
    expect: { frames: 189, fps: '25/1', ...audioOnce, flash: 115, tone: null, warnings: [/repeat the picture before them/] },
  },

  // ---- timing: start offsets, audio shorter or later, edit lists, several tracks, other streams
  {
    name: 'start-offset', group: 'timing', file: 'offset.mp4', what: 'timestamps starting at 10 s (video and audio)',
    make: encoded({}, [...X264, '-c:a', 'aac', '-output_ts_offset', '10']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8 },
  },
  {
    name: 'audio-late-short', group: 'timing', file: 'audio-late.mkv', what: 'audio starting 0.5 s after the video and ending 0.5 s before it',
    make: (ff, dir, file) =>
      ff([...sources({ seconds: 3, flashFrame: 40 }), '-filter_complex', '[1:a]atrim=0.5:2.5,asetpts=PTS-STARTPTS+0.5/TB[a]', '-map', '0:v', '-map', '[a]', ...X264, '-c:a', 'aac', join(dir, file)]),
    expect: { frames: 75, fps: '25/1', ...audioOnce, flash: 40, tone: 1.6 },
  },
  {
    name: 'edit-list', group: 'timing', file: 'editlist.mp4', what: 'mp4 edit list (stream copy cut at 0.5 s, not on a keyframe)',
    make: (ff, dir, file) => {
      const full = join(dir, 'editlist-source.mp4');
      ff([...sources({ seconds: 3, flashFrame: 40 }), ...X264, '-c:a', 'aac', '-shortest', full]);
      ff(['-ss', '0.5', '-i', full, '-c', 'copy', join(dir, file)]);
    },
    // 0.5 s (12.5 frames) cut from the start: the first picture shown is frame 13 (0.52 s), so 62 frames remain and the flash (frame 40) is frame 27.
    expect: { frames: 62, fps: '25/1', ...audioOnce, flash: 27, tone: 1.1 },
  },
  {
    name: 'two-audio-tracks', group: 'timing', file: 'two-audio.mkv', what: 'two audio tracks (eng, fra) in .mkv',
    make: (ff, dir, file) =>
      ff([...sources({}), '-map', '0:v', '-map', '1:a', '-map', '1:a', ...X264, '-c:a', 'aac', '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', '-shortest', join(dir, file)]),
    expect: { frames: 50, fps: '25/1', audio: 2, flash: 20, tone: 0.8 },
  },
  {
    name: 'subtitles-data', group: 'timing', file: 'subs-data.mov', what: 'a subtitle track (mov_text) and a timecode data track in .mov',
    make: (ff, dir, file) => {
      const srt = join(dir, 'subs.srt');
      writeFileSync(srt, '1\n00:00:00,000 --> 00:00:01,000\nhello\n\n2\n00:00:01,000 --> 00:00:02,000\nworld\n');
      ff([...sources({}), '-i', srt, '-map', '0:v', '-map', '1:a', '-map', '2:s', ...X264, '-c:a', 'aac', '-c:s', 'mov_text', '-timecode', '00:00:10:00', '-t', '2', join(dir, file)]);
    },
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8, warnings: [/subtitle.*ignored/] },
  },

  // ---- pixel formats, colour, aspect, interlace
  {
    name: 'yuv420p10le', group: 'pixels', file: 'ten-bit.mp4', needs: 'libx265', what: '10-bit 4:2:0 (HEVC Main10), converted to 8-bit at decode',
    make: encoded({ pixFmt: 'yuv420p10le' }, ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-c:a', 'aac']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8 },
  },
  {
    name: 'yuv422p', group: 'pixels', file: 'yuv422.mov', what: '4:2:2 (ProRes in .mov)',
    make: encoded({ pixFmt: 'yuv422p10le' }, ['-c:v', 'prores_ks', '-profile:v', '0', '-c:a', 'pcm_s16le']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8 },
  },
  {
    name: 'yuv444p', group: 'pixels', file: 'yuv444.mp4', what: '4:4:4 H.264',
    make: encoded({ pixFmt: 'yuv444p' }, [...X264_ANY, '-c:a', 'aac']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8 },
  },
  {
    name: 'full-range-patch', group: 'pixels', file: 'full-range.mp4', what: 'full-range yuvj420p H.264 with a known colour patch',
    make: (ff, dir, file) =>
      ff(['-f', 'lavfi', '-i', 'color=c=0x3060c0:size=160x90:rate=25:duration=2', ...X264_ANY, '-pix_fmt', 'yuvj420p', '-color_range', 'pc', join(dir, file)]),
    expect: { frames: 50, fps: '25/1', audio: 0, flash: null, tone: null, patchRgb: [0x30, 0x60, 0xc0] },
  },
  {
    name: 'bt709-patch', group: 'pixels', file: 'bt709.mkv', what: 'BT.709-tagged H.264 (matrix, primaries, transfer) with a saturated colour patch',
    // Read as BT.601 (no tags on the output) this patch decodes to about 177,27,94.
    make: (ff, dir, file) =>
      ff(['-f', 'lavfi', '-i', 'color=c=0xc03060:size=160x90:rate=25:duration=1', '-vf', 'scale=out_color_matrix=bt709,format=yuv420p', ...X264_ANY, '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', join(dir, file)]),
    expect: { frames: 25, fps: '25/1', audio: 0, flash: null, tone: null, patchRgb: [0xc0, 0x30, 0x60], colorSpace: 'bt709' },
  },
  {
    name: 'rgb', group: 'pixels', file: 'rgb.mov', what: 'RGB (QuickTime Animation, rgb24) with a known colour patch',
    make: (ff, dir, file) => ff(['-f', 'lavfi', '-i', 'color=c=0xc03060:size=160x90:rate=25:duration=2', '-c:v', 'qtrle', '-pix_fmt', 'rgb24', join(dir, file)]),
    // qtrle codes an unchanged picture as a 7-byte packet for which ffmpeg's decoder returns nothing.
    expect: { frames: 50, fps: '25/1', audio: 0, flash: null, tone: null, patchRgb: [0xc0, 0x30, 0x60], colorSpace: 'bt709' },
  },
  {
    name: 'alpha', group: 'pixels', file: 'alpha.mov', what: 'video with alpha (QuickTime Animation argb)',
    make: encoded({ pixFmt: 'rgba' }, ['-c:v', 'qtrle', '-pix_fmt', 'argb', '-c:a', 'pcm_s16le']),
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8, warnings: [/alpha channel.*dropped/] },
  },
  {
    name: 'anamorphic', group: 'pixels', file: 'anamorphic.mp4', what: 'non-square pixels: PAL 720x576 stored, SAR 64:45 (displays 16:9)',
    make: (ff, dir, file) => ff([...sources({ size: '720x576', seconds: 1, flashFrame: 10 }), '-vf', 'setsar=64/45', ...X264, '-c:a', 'aac', '-shortest', join(dir, file)]),
    expect: { frames: 25, fps: '25/1', ...audioOnce, flash: 10, tone: 0.4, sar: '64:45', dar: '16:9' },
  },
  {
    name: 'interlaced', group: 'pixels', file: 'interlaced.mp4', what: 'interlaced H.264 in .mp4 (50 fields/s, top field first, field order in the header)',
    make: interlacedClip,
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8, warnings: [/interlaced video \(top field first\); deinterlaced/], progressive: true },
  },
  {
    name: 'interlaced-mkv', group: 'pixels', file: 'interlaced.mkv', what: 'interlaced H.264 in .mkv (the header says progressive: found from the coded frames)',
    make: interlacedClip,
    expect: { frames: 50, fps: '25/1', ...audioOnce, flash: 20, tone: 0.8, warnings: [/interlaced video \(top field first, from the coded frames\); deinterlaced/], progressive: true },
  },
];

/** Encoders this ffmpeg has (names as `ffmpeg -encoders` lists them). */
export function availableEncoders(ffmpeg) {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  return new Set(
    (r.stdout ?? '')
      .split('\n')
      .map((l) => /^\s[VAS][A-Z.]{5}\s+(\S+)/.exec(l)?.[1])
      .filter(Boolean),
  );
}

/**
 * Writes the cases (all, or those of `group`) into `dir` with the given ffmpeg/ffprobe.
 * Returns the cases written and those skipped (with why).
 */
export function makeCorpus(dir, tools, { group, only } = {}) {
  const encoders = availableEncoders(tools.ffmpeg);
  const ff = (args) => {
    const r = spawnSync(tools.ffmpeg, ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
  };
  const made = [];
  const skipped = [];
  for (const c of CASES) {
    if (group && c.group !== group) continue;
    if (only && !only.includes(c.name)) continue;
    if (c.needs && !encoders.has(c.needs)) {
      skipped.push({ case: c, why: `this ffmpeg has no ${c.needs} encoder` });
      continue;
    }
    c.make(ff, dir, c.file, tools);
    made.push(c);
  }
  return { made, skipped };
}
