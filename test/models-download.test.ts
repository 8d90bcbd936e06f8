// The model downloader against a real HTTP server on 127.0.0.1 serving generated
// files. The registry's real hosts (GitHub releases, Hugging Face) cannot be reached
// from this machine, so every download here goes to this loopback server, which
// misbehaves on purpose: truncated bodies, wrong bytes, 404, 503, stalls, and it
// records each request (Range headers included) so resumption is checked, not assumed.
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DownloadError, downloadFile } from '../src/models/download.js';
import { findModel } from '../src/models/registry.js';
import { ensureModel, fileUrl, isCached, modelEntryPath, ModelUnavailableError, verifyModel } from '../src/models/store.js';
import { resolveModelPaths } from '../src/models/resolve.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

const body = randomBytes(3 * 1024 * 1024 + 123);
const other = randomBytes(body.length);

interface Seen {
  url: string;
  range?: string;
}
const seen: Seen[] = [];
const counts = new Map<string, number>();
/** Files the server serves at extra paths (path → bytes). */
const files = new Map<string, Uint8Array>();

function serve(req: IncomingMessage, res: ServerResponse, data: Uint8Array, opts: { cutAt?: number; stallMs?: number } = {}): void {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  if (start >= data.length && range) {
    res.writeHead(416, { 'content-range': `bytes */${data.length}` });
    res.end();
    return;
  }
  const headers: Record<string, string | number> = { 'content-length': data.length - start, 'accept-ranges': 'bytes' };
  if (range) headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
  res.writeHead(range ? 206 : 200, headers);
  const rest = data.subarray(start);
  if (opts.cutAt !== undefined) {
    // Part of the body, then the connection closes (a clean FIN, so the client keeps what arrived).
    res.write(rest.subarray(0, opts.cutAt), () => setTimeout(() => res.socket?.end(), 50));
    return;
  }
  if (opts.stallMs !== undefined) {
    res.write(rest.subarray(0, 1000));
    const timer = setTimeout(() => res.end(rest.subarray(1000)), opts.stallMs);
    res.on('close', () => clearTimeout(timer));
    return;
  }
  res.end(rest);
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  seen.push({ url, range: req.headers.range });
  const n = (counts.get(url) ?? 0) + 1;
  counts.set(url, n);
  if (files.has(url)) return serve(req, res, files.get(url) as Uint8Array);
  switch (url) {
    case '/ok.bin':
      return serve(req, res, body);
    case '/truncated-once.bin':
      return n === 1 ? serve(req, res, body, { cutAt: 1024 * 1024 }) : serve(req, res, body);
    case '/always-truncated.bin':
      return serve(req, res, body, { cutAt: 64 * 1024 });
    case '/wrong.bin':
      return serve(req, res, other);
    case '/flaky.bin':
      if (n <= 2) {
        res.writeHead(503);
        res.end('busy');
        return;
      }
      return serve(req, res, body);
    case '/stall-once.bin':
      return n === 1 ? serve(req, res, body, { stallMs: 10_000 }) : serve(req, res, body);
    case '/slow.bin':
      return serve(req, res, body, { stallMs: 600 });
    default:
      res.writeHead(404);
      res.end('not found');
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));

const work = mkdtempSync(join(tmpdir(), 'maskflow-download-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
// Generous stall timeout: the machine is shared and a first byte can be late; the stall tests set their own.
const fast = { backoffMs: 10, stallTimeoutMs: 10_000 };
const requestsFor = (path: string): Seen[] => seen.filter((s) => s.url === path);

t.test('a whole file: checked and renamed into place', async (t) => {
  const dest = join(work, 'ok.bin');
  const r = await downloadFile({ url: `${base}/ok.bin`, dest, sha256: sha256(body), md5: md5(body), size: body.length, ...fast });
  t.equal(r.sha256, sha256(body));
  t.equal(r.attempts, 1);
  t.notOk(r.resumed);
  t.ok(readFileSync(dest).equals(body));
  t.notOk(existsSync(`${dest}.part`), 'no temp file left');
});

t.test('a truncated response is resumed with an HTTP Range request', async (t) => {
  const dest = join(work, 'resumed.bin');
  const retries: string[] = [];
  const r = await downloadFile({ url: `${base}/truncated-once.bin`, dest, sha256: sha256(body), ...fast, onRetry: (i) => retries.push(i.reason) });
  t.equal(r.attempts, 2);
  t.ok(r.resumed, 'the second attempt continued the partial file');
  t.ok(readFileSync(dest).equals(body), 'the assembled file is exact');
  const reqs = requestsFor('/truncated-once.bin');
  t.equal(reqs.length, 2);
  t.equal(reqs[0].range, undefined);
  t.match(reqs[1].range, /^bytes=\d+-$/, 'the retry asked for the rest only');
  // How much of the cut first body reaches the file depends on load (fetch drops what it had
  // buffered but not yet handed over when the socket errors), so compare with what the first
  // attempt says it kept rather than with the server's cut point.
  t.match(retries[0], /connection lost after|response ended after/);
  const kept = Number(/after (\d+)/.exec(retries[0] ?? '')?.[1]);
  const from = Number(/\d+/.exec(reqs[1].range ?? '')?.[0]);
  t.ok(kept > 0 && kept <= 1024 * 1024, `the first attempt kept part of the cut body (${kept} bytes)`);
  t.equal(from, kept, 'the retry starts where the first attempt stopped');
});

t.test('a file that is always cut off fails after the retries, keeping the part for a later resume', async (t) => {
  const dest = join(work, 'cut.bin');
  const err = await downloadFile({ url: `${base}/always-truncated.bin`, dest, retries: 2, ...fast }).catch((e: unknown) => e);
  t.ok(err instanceof DownloadError);
  t.match((err as Error).message, /gave up after 3 attempts; run the command again to resume from \d+ bytes/);
  t.notOk(existsSync(dest), 'nothing at the destination');
  t.ok(existsSync(`${dest}.part`), 'the partial file stays for a resume');
  // Each retry continues from what is on disk (a cut can come before any byte reached the client,
  // so the offsets grow but not necessarily on every attempt).
  const offsets = requestsFor('/always-truncated.bin').map((s) => Number(/\d+/.exec(s.range ?? '0')?.[0]));
  t.ok(offsets.some((o) => o > 0), `retries resumed (offsets ${offsets.join(', ')})`);
  t.same([...offsets].sort((a, b) => a - b), offsets, 'offsets never go back');
});

t.test('a wrong hash deletes the file and names both checksums', async (t) => {
  const dest = join(work, 'wrong.bin');
  const err = await downloadFile({ url: `${base}/wrong.bin`, dest, sha256: sha256(body), ...fast }).catch((e: unknown) => e);
  t.ok(err instanceof DownloadError);
  t.equal((err as DownloadError).retryable, false);
  t.match((err as Error).message, `sha256 ${sha256(other)}, expected ${sha256(body)}`);
  t.notOk(existsSync(dest));
  t.notOk(existsSync(`${dest}.part`));
  t.equal(requestsFor('/wrong.bin').length, 1, 'a fresh file with the wrong hash is not fetched again');
});

t.test('404 fails at once, naming the URL', async (t) => {
  const err = await downloadFile({ url: `${base}/missing.bin`, dest: join(work, 'missing.bin'), ...fast }).catch((e: unknown) => e);
  t.ok(err instanceof DownloadError);
  t.equal((err as DownloadError).status, 404);
  t.match((err as Error).message, `${base}/missing.bin: not found (404)`);
  t.equal(requestsFor('/missing.bin').length, 1, 'no retries for a 404');
});

t.test('503 is retried with growing backoff', async (t) => {
  const delays: number[] = [];
  const r = await downloadFile({ url: `${base}/flaky.bin`, dest: join(work, 'flaky.bin'), sha256: sha256(body), backoffMs: 20, onRetry: (i) => delays.push(i.delayMs) });
  t.equal(r.attempts, 3);
  t.same(delays, [20, 40]);
});

t.test('a stalled server is abandoned after the stall timeout and the download resumes', async (t) => {
  const started = performance.now();
  const r = await downloadFile({ url: `${base}/stall-once.bin`, dest: join(work, 'stall.bin'), sha256: sha256(body), backoffMs: 10, stallTimeoutMs: 1500 });
  t.equal(r.attempts, 2);
  t.ok(r.resumed);
  t.ok(performance.now() - started < 9000, 'did not wait for the stalled response to finish');
});

t.test('a slow server that keeps sending within the stall timeout completes, with progress', async (t) => {
  const progress: number[] = [];
  const r = await downloadFile({ url: `${base}/slow.bin`, dest: join(work, 'slow.bin'), sha256: sha256(body), stallTimeoutMs: 3000, onProgress: (p) => progress.push(p.received) });
  t.equal(r.attempts, 1);
  t.ok(progress.length >= 2);
  t.equal(progress.at(-1), body.length);
});

t.test('registry models through a loopback mirror: MASKFLOW_MODEL_HOST, HF_ENDPOINT, offline, pins, verify', async (t) => {
  const home = join(work, 'home');
  const u2net = findModel('u2net');
  const modnet = findModel('modnet');
  const clip = findModel('clip');
  if (!u2net || !modnet || !clip) throw new Error('registry entries missing');
  t.match(fileUrl(u2net.files[0], {}), /^https:\/\/github\.com\/danielgatis\/rembg\/releases\/download\//, 'the real host by default (unreachable here)');
  t.equal(fileUrl(u2net.files[0], { MASKFLOW_MODEL_HOST: `${base}/` }), `${base}/${u2net.files[0].source.path}`);
  t.match(fileUrl(modnet.files[0], {}), /^https:\/\/huggingface\.co\/Xenova\/modnet\/resolve\/main\//);
  t.equal(fileUrl(modnet.files[0], { HF_ENDPOINT: base, MASKFLOW_MODEL_HOST: 'http://elsewhere' }), `${base}/${modnet.files[0].source.path}`, 'HF_ENDPOINT wins for Hugging Face files');

  // Offline: nothing is requested; the error names the file and where to put it.
  const before = seen.length;
  const offline = await ensureModel('modnet', { env: { MASKFLOW_HOME: home, MASKFLOW_OFFLINE: '1', HF_ENDPOINT: base } }).catch((e: unknown) => e);
  t.ok(offline instanceof ModelUnavailableError);
  t.match((offline as Error).message, 'MASKFLOW_OFFLINE=1');
  t.match((offline as Error).message, `onnx/model.onnx → ${join(home, 'models', 'modnet', 'onnx', 'model.onnx')}`);
  t.equal(seen.length, before, 'offline mode made no request');

  // A mirror serving a different u2net.onnx than rembg's published md5: refused, nothing cached.
  files.set(`/${u2net.files[0].source.path}`, body);
  const env = { MASKFLOW_HOME: home, MASKFLOW_MODEL_HOST: base, HF_ENDPOINT: base };
  const wrong = await ensureModel('u2net', { env, download: fast }).catch((e: unknown) => e);
  t.match((wrong as Error).message, `md5 ${md5(body)}, expected ${u2net.files[0].md5}`);
  t.notOk(isCached(u2net, env));

  // CLIP: three files in the Hugging Face layout, no published checksum: pinned on download.
  const clipBytes = clip.files.map(() => randomBytes(4096));
  clip.files.forEach((f, i) => files.set(`/${f.source.path}`, clipBytes[i]));
  const logs: string[] = [];
  const got = await ensureModel('clip', { env, download: fast, log: (l) => logs.push(l) });
  t.equal(got.source, 'download');
  t.equal(got.path, join(home, 'models', 'clip-vit-base-patch32'), 'the folder, as --ranker expects');
  t.match(logs.join('\n'), /licence MIT/, 'the licence is shown on first download');
  t.ok(readFileSync(join(got.path, 'onnx', 'text_model.onnx')).equals(clipBytes[1]));
  const pins = JSON.parse(readFileSync(join(got.path, 'maskflow-pins.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
  t.equal(pins.files['tokenizer.json'].sha256, sha256(clipBytes[2]), 'sha256 pinned');
  t.same((await verifyModel(clip, env)).map((c) => c.state), ['ok', 'ok', 'ok']);
  t.equal((await ensureModel('clip', { env })).source, 'cache', 'second use: from the cache, no request');

  // A file changed after download: verify says so.
  writeFileSync(join(got.path, 'tokenizer.json'), 'changed');
  const checks = await verifyModel(clip, env);
  t.equal(checks[2].state, 'mismatch');
  t.match(checks[2].detail, /pinned/);

  // Names resolve for the analysis; a wrong task or an unknown name is refused clearly.
  const resolved = await resolveModelPaths({ ranker: 'clip' }, { env });
  t.equal(resolved.paths.ranker, modelEntryPath(clip, env));
  await t.rejects(resolveModelPaths({ detector: 'clip' }, { env }), /clip-vit-base-patch32 is a ranker, not a detector/);
  await t.rejects(resolveModelPaths({ segmenter: 'u2nett' }, { env }), /no such file, and not a model name \(known segmenters: isnet, isnet-general-use, u2net/);
});
