// The Ollama planner's HTTP client, against a small HTTP server on 127.0.0.1
// (test/helpers/ollama-standin.ts) that STANDS IN FOR OLLAMA: a real Ollama
// server with a model cannot run here, so the stand-in speaks Ollama's
// /api/chat protocol (non-streaming and streamed NDJSON) with scripted answers.
import t from 'tap';
import type { ProbeInfo } from '../src/media/probe-types.js';
import { gridFromPictures } from '../src/media/frame-grid.js';
import { ffmpegPaths } from '../src/media/ffmpeg.js';
import type { CutDetection } from '../src/plan/cuts.js';
import { ollamaFormat, ollamaPlan, OllamaError, requestOllamaPlan, normalizeHost } from '../src/plan/ollama.js';
import { planJsonSchema } from '../src/plan/schema.js';
import { closedPort, startOllamaStandin } from './helpers/ollama-standin.js';

// The video the planner is asked about: 10.01 s at 29.97 fps, cuts at frames 120 and 210.
const info: ProbeInfo = {
  file: '/nonexistent/clip.mp4',
  variableFrameRate: false,
  startTime: 0,
  width: 320,
  height: 240,
  codedWidth: 320,
  codedHeight: 240,
  fpsNum: 30000,
  fpsDen: 1001,
  fps: 30000 / 1001,
  frames: 300,
  duration: 10.01,
  rotation: 0,
  pixFmt: 'yuv420p',
  codec: 'h264',
  grid: gridFromPictures(Array.from({ length: 300 }, (_, i) => ({ time: (i * 1001) / 30000, keyframe: i === 0 })), [30000, 1001], 'packets'),
  audio: [],
  notes: [],
};
// Cuts given directly: this file tests the client, test/plan-cuts.test.ts the detector.
const detection: CutDetection = { cuts: [120, 210], scores: new Float32Array(300), frames: 300 };
const paths = { ffmpeg: '/nonexistent/ffmpeg', ffprobe: '/nonexistent/ffprobe' };

const goodPlan = {
  version: 1,
  subject: { prompt: 'a person' },
  segments: [
    { start: 0, end: 4.004, effects: [{ type: 'blur-background', radius: 30 }] },
    { start: 4.004, end: 7.007, effects: [{ type: 'grayscale-background' }, { type: 'vignette', strength: 0.4 }] },
    { start: 7.007, end: 10.01, effects: [{ type: 'dim-background' }] },
  ],
};
const badPlan = { version: 1, segments: [{ start: 0, end: 12, effects: [{ type: 'blurr-background' }] }] };

t.test('a good non-streaming answer becomes the plan; the request carries model, schema, facts', async (t) => {
  const server = await startOllamaStandin(() => ({ kind: 'chat', content: JSON.stringify(goodPlan) }));
  t.teardown(() => server.close());
  const result = await ollamaPlan(info, paths, { host: server.url, model: 'tiny-model', detection });
  t.equal(result.planner, 'ollama');
  t.same(result.warnings, []);
  t.same(result.cuts, [120, 210]);
  t.equal(result.plan.subject.prompt, 'a person');
  t.same(result.plan.segments.map((s) => s.effects.map((e) => e.type)), [['blur-background'], ['grayscale-background', 'vignette'], ['dim-background']]);
  t.equal(server.requests.length, 1);
  const body = server.requests[0].body;
  t.equal(body.model, 'tiny-model');
  t.equal(body.stream, false);
  t.same(body.format, ollamaFormat(), 'format is the plan JSON schema');
  t.same((body.format as { required: string[] }).required, (planJsonSchema() as { required: string[] }).required);
  const text = body.messages!.map((m) => m.content).join('\n');
  t.match(text, '10.01 s, 300 frames at 29.97 fps, 320x240');
  t.match(text, 'Detected hard cuts (seconds): 4.004, 7.007');
  t.match(text, '"blur-background": blur everything but the subject');
  t.match(text, 'radius: number 1..200, default 24');
});

t.test('a streamed NDJSON answer is joined from its chunks', async (t) => {
  const server = await startOllamaStandin(() => ({ kind: 'stream', content: JSON.stringify(goodPlan), pieces: 7 }));
  t.teardown(() => server.close());
  const plan = await requestOllamaPlan(info, detection.cuts, { host: server.url, model: 'm' });
  t.equal(plan.segments.length, 3);
  t.equal(plan.segments[0].effects[0].type, 'blur-background');
});

t.test('an invalid answer is retried once with the validation errors fed back', async (t) => {
  const server = await startOllamaStandin((_req, n) => (n === 0 ? { kind: 'chat', content: JSON.stringify(badPlan) } : { kind: 'stream', content: JSON.stringify(goodPlan) }));
  t.teardown(() => server.close());
  const plan = await requestOllamaPlan(info, detection.cuts, { host: server.url, model: 'm' });
  t.equal(plan.segments.length, 3);
  t.equal(server.requests.length, 2);
  const retry = server.requests[1].body.messages!;
  const first = server.requests[0].body.messages!;
  t.equal(retry.length, first.length + 2, 'the retry continues the conversation');
  t.same(retry[first.length], { role: 'assistant', content: JSON.stringify(badPlan) });
  const feedback = retry[first.length + 1];
  t.equal(feedback.role, 'user');
  t.match(feedback.content, 'segments[0].effects[0].type: "blurr-background" is not an effect; did you mean "blur-background"?');
});

t.test('video-level problems (past the end) are fed back too', async (t) => {
  const pastEnd = { version: 1, segments: [{ start: 0, end: 30, effects: [] }] };
  const server = await startOllamaStandin((_req, n) => ({ kind: 'chat', content: JSON.stringify(n === 0 ? pastEnd : goodPlan) }));
  t.teardown(() => server.close());
  await requestOllamaPlan(info, detection.cuts, { host: server.url, model: 'm' });
  t.match(server.requests[1].body.messages!.at(-1)!.content, 'segments[0]: ends at 30 s, past the end of the video; the video is 10.01 s long');
});

t.test('garbage twice is a clear failure listing the last problems', async (t) => {
  const server = await startOllamaStandin((_req, n) => ({ kind: 'chat', content: n === 0 ? 'Sure! Here is a plan: {' : '{"version": 1}' }));
  t.teardown(() => server.close());
  await t.rejects(requestOllamaPlan(info, detection.cuts, { host: server.url, model: 'm' }), {
    name: 'OllamaError',
    message: /Ollama model "m" at http:\/\/127\.0\.0\.1:\d+ gave no valid plan in 2 attempts; last problems:\n {2}segments: missing; expected/,
  });
  t.equal(server.requests.length, 2, 'exactly one retry');
  t.match(server.requests[1].body.messages!.at(-1)!.content, 'the answer is not valid JSON');
});

t.test('garbage twice with fallback "auto" gives the automatic plan and a warning', async (t) => {
  const server = await startOllamaStandin(() => ({ kind: 'stream', content: 'no' }));
  t.teardown(() => server.close());
  const result = await ollamaPlan(info, paths, { host: server.url, model: 'm', fallback: 'auto', detection, subject: 'a dog' });
  t.equal(result.planner, 'auto');
  t.equal(result.warnings.length, 1);
  t.match(result.warnings[0], /^the Ollama planner failed, so the automatic plan is used instead: Ollama model "m" .* gave no valid plan in 2 attempts/);
  // The automatic plan follows the detected cuts (frames 120 and 210 → 4.004 s and 7.007 s).
  t.same(result.plan.segments.map((s) => [s.start, s.end]), [[0, 4.004], [4.004, 7.007], [7.007, 10.01]]);
  t.equal(result.plan.subject.prompt, 'a dog');
});

t.test('a slow server hits the timeout with a clear message', async (t) => {
  const server = await startOllamaStandin(() => ({ kind: 'hang' }));
  t.teardown(() => server.close());
  await t.rejects(requestOllamaPlan(info, detection.cuts, { host: server.url, model: 'slow-model', timeoutMs: 300 }), {
    name: 'OllamaError',
    message: /^Ollama at http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.3 s \(model "slow-model"\).*--ollama-timeout/,
  });
});

t.test('a closed port asks whether `ollama serve` is running there; fallback still works', async (t) => {
  const port = await closedPort();
  const host = `http://127.0.0.1:${port}`;
  await t.rejects(requestOllamaPlan(info, detection.cuts, { host, model: 'm' }), {
    name: 'OllamaError',
    message: `cannot reach Ollama at ${host} (ECONNREFUSED): is \`ollama serve\` running at ${host}?`,
  });
  const result = await ollamaPlan(info, paths, { host: `127.0.0.1:${port}`, fallback: 'auto', detection });
  t.equal(result.planner, 'auto');
  t.match(result.warnings[0], 'is `ollama serve` running');
});

t.test('HTTP errors from Ollama are reported with the server message; a missing model says to pull it', async (t) => {
  const server = await startOllamaStandin((_req, n) =>
    n === 0 ? { kind: 'error', status: 404, error: 'model "llama9" not found, try pulling it first' } : { kind: 'error', status: 500, error: 'out of memory' },
  );
  t.teardown(() => server.close());
  await t.rejects(requestOllamaPlan(info, detection.cuts, { host: server.url, model: 'llama9' }), {
    message: /has no model "llama9" \(model "llama9" not found, try pulling it first\): run `ollama pull llama9`/,
  });
  await t.rejects(requestOllamaPlan(info, detection.cuts, { host: server.url, model: 'x' }), { message: /answered HTTP 500: out of memory$/ });
});

t.test('hosts are normalised and bad ones refused', async (t) => {
  t.equal(normalizeHost('127.0.0.1:11434'), 'http://127.0.0.1:11434');
  t.equal(normalizeHost('http://gpu-box:11434/'), 'http://gpu-box:11434');
  t.throws(() => normalizeHost('ftp://x'), OllamaError);
  t.throws(() => normalizeHost('http://'), { message: /is not a URL/ });
});

t.test('without cuts given, cuts are detected with the real ffmpeg before asking (a bad input fails first)', async (t) => {
  const server = await startOllamaStandin(() => ({ kind: 'chat', content: JSON.stringify(goodPlan) }));
  t.teardown(() => server.close());
  await t.rejects(ollamaPlan(info, ffmpegPaths(), { host: server.url }), { message: /ffmpeg could not decode \/nonexistent\/clip\.mp4/ });
  t.equal(server.requests.length, 0);
});
