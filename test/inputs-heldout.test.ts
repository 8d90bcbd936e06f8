// Held-out real clips (issue #12): sample videos that other projects ship in their Debian
// packages, made by cameras, phones and other tools, never by this project. Each is fetched
// at test time with `apt-get download` (cached in MASKFLOW_HELDOUT_CACHE, default
// ~/.cache/maskflow-ci/heldout-debs; nothing is committed), rendered, and checked: the output
// lasts as long as the input's video (±1 frame) and keeps every audio track, about as long
// as the input's. Run with `npm run test:heldout` (a separate CI step: it downloads ~35 MB
// once and renders ~50 s of video). Without apt-get it is skipped, loudly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { render } from '../src/render/render.js';
import { paths } from './helpers/media.js';

interface Clip {
  pkg: string;
  path: string;
  what: string;
}

const CLIPS: Clip[] = [
  { pkg: 'forensics-samples-files', path: 'usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4', what: 'phone clip: 1080p H.264 + AAC, variable frame rate' },
  { pkg: 'forensics-samples-files', path: 'usr/share/forensics-samples/original-files/movie2/movie-hello.mp4', what: '720p30 H.264 + AAC .mp4' },
  { pkg: 'forensics-samples-files', path: 'usr/share/forensics-samples/original-files/movie2/movie-hello.avi', what: 'H.264 + AAC in .avi' },
  { pkg: 'forensics-samples-files', path: 'usr/share/forensics-samples/original-files/movie2/movie-hello.mpeg', what: 'MPEG-2 + MP2 program stream, 29.97 fps' },
  { pkg: 'python3-imageio', path: 'usr/lib/python3/dist-packages/imageio/resources/images/cockatoo.mp4', what: '720p20 H.264 4:4:4 + MP3, 14 s' },
  { pkg: 'python3-imageio', path: 'usr/lib/python3/dist-packages/imageio/resources/images/realshort.mp4', what: '320x240 H.264 + AAC at 45000/1499 fps' },
  { pkg: 'python3-imageio', path: 'usr/lib/python3/dist-packages/imageio/resources/images/newtonscradle.gif', what: 'animated GIF (variable delays, bgra)' },
  { pkg: 'xine-ui', path: 'usr/share/xine/skins/xine-ui_logo.mpg', what: 'MPEG-2 elementary in .mpg, no audio' },
];

const cache = process.env.MASKFLOW_HELDOUT_CACHE ?? join(homedir(), '.cache', 'maskflow-ci', 'heldout-debs');

/** The .deb of `pkg` in the cache, downloaded when missing; or why it cannot be had. */
function fetchDeb(pkg: string): { deb: string } | { skip: string } {
  mkdirSync(cache, { recursive: true });
  const cached = (): string | undefined => readdirSync(cache).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  let deb = cached();
  if (!deb) {
    const which = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
    if (which.status !== 0) return { skip: 'apt-get is not available on this machine' };
    const r = spawnSync('apt-get', ['download', '-qq', pkg], { cwd: cache, encoding: 'utf8' });
    deb = cached();
    if (r.status !== 0 || !deb) return { skip: `apt-get download ${pkg} failed (${(r.stderr || r.stdout).trim().split('\n').pop()}); run apt-get update` };
  }
  return { deb: join(cache, deb) };
}

interface Streams {
  video: { frames: number; rate: string; duration: number };
  audio: number[];
}

function streams(file: string, count: boolean): Streams {
  const r = spawnSync(
    paths.ffprobe,
    ['-v', 'error', ...(count ? ['-count_frames'] : []), '-show_entries', 'stream=codec_type,nb_read_frames,r_frame_rate,duration:format=duration', '-of', 'json', file],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  const data = JSON.parse(r.stdout) as { streams: Record<string, string>[]; format: { duration?: string } };
  const v = data.streams.find((s) => s.codec_type === 'video')!;
  return {
    video: { frames: Number(v.nb_read_frames), rate: v.r_frame_rate, duration: Number(v.duration ?? data.format.duration) },
    audio: data.streams.filter((s) => s.codec_type === 'audio').map((s) => Number(s.duration ?? data.format.duration)),
  };
}

const extracted = new Map<string, string>();
const work = t.testdir({});

for (const clip of CLIPS) {
  t.test(`${clip.pkg}: ${clip.path.split('/').pop()} (${clip.what})`, async (t) => {
    const got = fetchDeb(clip.pkg);
    if ('skip' in got) {
      process.stderr.write(`\n*** SKIPPED held-out clip ${clip.path}: ${got.skip} ***\n\n`);
      t.pass(`skipped: ${got.skip}`);
      return;
    }
    let root = extracted.get(clip.pkg);
    if (!root) {
      root = join(work, `deb-${clip.pkg}`);
      const r = spawnSync('dpkg-deb', ['-x', got.deb, root], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`dpkg-deb -x ${got.deb}: ${r.stderr}`);
      extracted.set(clip.pkg, root);
    }
    const input = join(root, clip.path);
    t.ok(existsSync(input), `${clip.path} is in ${got.deb.split('/').pop()}`);
    const output = join(work, `${clip.path.split('/').pop()}.out.mp4`);
    const report = await render({ input, output, effect: 'vignette', workers: 2, batchSeconds: 1, cacheDir: false });
    const before = streams(input, false);
    const after = streams(output, true);
    const [n, d] = after.video.rate.split('/').map(Number);
    const frame = d / n;
    const lasts = after.video.frames * frame;
    t.equal(after.video.frames, report.frames, 'the frames the report says');
    t.ok(Math.abs(lasts - before.video.duration) <= frame + 1e-6, `video lasts ${lasts.toFixed(3)} s (${after.video.frames} frames at ${after.video.rate}), the input's ${before.video.duration.toFixed(3)} s`);
    t.equal(after.audio.length, before.audio.length, `audio tracks kept (${before.audio.length})`);
    after.audio.forEach((a, i) =>
      t.ok(Math.abs(a - before.audio[i]) <= frame + 0.05, `audio ${i} lasts ${a.toFixed(3)} s, the input's ${before.audio[i].toFixed(3)} s`),
    );
    t.comment(`${clip.path.split('/').pop()}: ${after.video.frames} frames @ ${after.video.rate}, ${lasts.toFixed(3)} s vs ${before.video.duration.toFixed(3)} s; audio ${after.audio.map((a) => a.toFixed(3)).join(', ') || 'none'}; warnings: ${report.warnings.join(' | ') || 'none'}`);
  });
}
