import t from 'tap';
import { open, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ffmpegPaths } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { analyseVideo, type AnalyseOptions } from '../src/vision/analyse.js';
import { decodeEntry, defaultCacheDir, encodeEntry, FULL_HASH_LIMIT, hashFile } from '../src/vision/cache.js';
import { makeClip } from './helpers/vision-clips.js';

const paths = ffmpegPaths();

t.test('analysis cache: hit, misses on other parameters or input, corrupt and stale entries recomputed', async (t) => {
  const dir = t.testdir();
  const cacheDir = join(dir, 'cache');
  const a = await probe(makeClip({ dir, name: 'a.mp4', background: 'still-cellauto', width: 160, height: 120, seconds: 2, x0: 10, vx: 30, y0: 30, vy: 10, subjectWidth: 24, subjectHeight: 24 }).file, paths);
  const b = await probe(makeClip({ dir, name: 'b.mp4', background: 'still-cellauto', width: 160, height: 120, seconds: 2, x0: 100, vx: -30, y0: 30, vy: 10, subjectWidth: 24, subjectHeight: 24 }).file, paths);
  const opts: AnalyseOptions = { paths, cacheDir };

  const first = await analyseVideo(a, opts);
  t.equal(first.cached, false, 'first run computes');
  t.ok(first.cacheFile && (await readdir(cacheDir)).length === 1, 'one entry written');
  const second = await analyseVideo(a, opts);
  t.equal(second.cached, true, 'second run is a hit');
  t.ok(second.atlas.buffer instanceof SharedArrayBuffer && second.atlas.byteLength === second.atlas.buffer.byteLength, 'cached atlas is a whole SharedArrayBuffer');
  t.ok(Buffer.from(second.atlas).equals(Buffer.from(first.atlas)), 'same atlas bytes');
  t.same(second.keyframes, first.keyframes);
  t.same([second.finder, second.maskWidth, second.maskHeight], [first.finder, first.maskWidth, first.maskHeight]);
  t.equal((await analyseVideo(a, { ...opts, prompt: 'a dog' })).cached, true, 'the model-free finder ignores the prompt, so the prompt does not split its cache');

  t.equal((await analyseVideo(a, { ...opts, keyframeInterval: 0.5 })).cached, false, 'other keyframe interval: miss');
  t.equal((await analyseVideo(a, { ...opts, maskLongSide: 256 })).cached, false, 'other mask size: miss');
  t.equal((await analyseVideo(b, opts)).cached, false, 'other input: miss');
  t.equal((await analyseVideo(b, opts)).cached, true, 'other input now cached too');

  const file = first.cacheFile as string;
  const good = await readFile(file);

  // Corrupt: flip bytes in the middle of the entry.
  const corrupt = Buffer.from(good);
  for (let i = 0; i < 8; i++) corrupt[Math.floor(corrupt.length / 2) + i] ^= 0xff;
  await writeFile(file, corrupt);
  const afterCorrupt = await analyseVideo(a, opts);
  t.equal(afterCorrupt.cached, false, 'corrupt entry is not trusted');
  t.match(afterCorrupt.cacheNote, /checksum mismatch/);
  t.ok(Buffer.from(afterCorrupt.atlas).equals(Buffer.from(first.atlas)), 'recomputed result is the same');
  t.equal((await analyseVideo(a, opts)).cached, true, 'the recomputed entry replaced the corrupt one');

  // Truncated.
  await writeFile(file, good.subarray(0, 20));
  t.match((await analyseVideo(a, opts)).cacheNote, /truncated/);

  // Stale format version (well-formed otherwise, checksum valid).
  const header = JSON.parse(good.subarray(16, 16 + good.readUInt32LE(12)).toString()) as { key: string; parts: never; meta: unknown };
  const atlasBytes = good.subarray(good.length - 32 - first.atlas.byteLength, good.length - 32);
  await writeFile(file, encodeEntry(header.key, header.parts, { meta: header.meta, atlas: atlasBytes }, 99));
  const afterStale = await analyseVideo(a, opts);
  t.equal(afterStale.cached, false);
  t.match(afterStale.cacheNote, /stale format version 99/);

  // Entry of another input under this key's name.
  const bFile = (await analyseVideo(b, opts)).cacheFile;
  t.ok(bFile && bFile !== file, 'b has its own entry');
  await writeFile(file, await readFile(bFile as string));
  const afterSwap = await analyseVideo(a, opts);
  t.equal(afterSwap.cached, false);
  t.match(afterSwap.cacheNote, /key mismatch/);

  t.throws(() => decodeEntry(good, 'f'.repeat(64)), /key mismatch/);
  t.same((await readdir(cacheDir)).filter((n) => n.includes('.tmp-')), [], 'no temp files left behind');
});

t.test('cache folder: MASKFLOW_CACHE_DIR, then XDG_CACHE_HOME/maskflow, then ~/.cache/maskflow', async (t) => {
  t.equal(defaultCacheDir({ MASKFLOW_CACHE_DIR: '/x/y', XDG_CACHE_HOME: '/c' }), '/x/y');
  t.equal(defaultCacheDir({ XDG_CACHE_HOME: '/c' }), join('/c', 'maskflow'));
  t.match(defaultCacheDir({}), /\.cache[\\/]maskflow$/);
});

t.test('file hashes: whole file when small, size + start/middle/end chunks when big', async (t) => {
  const dir = t.testdir();
  const small = join(dir, 'small.bin');
  await writeFile(small, Buffer.from('hello'));
  const h1 = await hashFile(small);
  t.match(h1, /^full:[0-9a-f]{64}$/);
  await writeFile(small, Buffer.from('hellO'));
  t.not(await hashFile(small), h1, 'any byte changes a small file hash');

  const big = join(dir, 'big.bin');
  const fh = await open(big, 'w');
  await fh.truncate(FULL_HASH_LIMIT + 1024 * 1024); // sparse: cheap to create
  await fh.close();
  const hb = await hashFile(big);
  t.match(hb, /^sampled:[0-9a-f]{64}$/);
  const poke = async (pos: number): Promise<string> => {
    const f = await open(big, 'r+');
    await f.write(Buffer.from([7]), 0, 1, pos);
    await f.close();
    return hashFile(big);
  };
  const size = FULL_HASH_LIMIT + 1024 * 1024;
  const hMid = await poke(Math.floor(size / 2));
  t.not(hMid, hb, 'a change in the middle chunk changes the hash');
  t.not(await poke(size - 1), hMid, 'a change in the last chunk changes the hash');
  await t.rejects(hashFile(join(dir, 'missing.mp4'), 'input'), /input .*missing\.mp4: cannot read it \(ENOENT\)/);
});
