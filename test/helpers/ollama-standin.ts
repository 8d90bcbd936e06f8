// A small HTTP server on 127.0.0.1 that speaks Ollama's /api/chat protocol.
// It STANDS IN FOR OLLAMA, which cannot run here (no model weights, no
// network): tests script its answers to exercise maskflow's real HTTP client.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandinRequest {
  path: string;
  method: string;
  body: {
    model?: unknown;
    messages?: { role: string; content: string }[];
    format?: unknown;
    stream?: unknown;
    [key: string]: unknown;
  };
}

export type StandinReply =
  /** A non-streaming /api/chat answer whose assistant message is `content`. */
  | { kind: 'chat'; content: string }
  /** The same content as a streamed NDJSON answer, in `pieces` chunks. */
  | { kind: 'stream'; content: string; pieces?: number }
  /** An HTTP error the way Ollama sends one: {"error": "..."}. */
  | { kind: 'error'; status: number; error: string }
  /** Never answers (until the server closes). */
  | { kind: 'hang' };

export interface OllamaStandin {
  url: string;
  requests: StandinRequest[];
  close(): Promise<void>;
}

const MODEL_FIELDS = { created_at: '2024-01-01T00:00:00Z' };

function finalFields(model: string) {
  return { model, ...MODEL_FIELDS, done: true, done_reason: 'stop', total_duration: 1, eval_count: 1 };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

/** Starts the stand-in; `answer` decides the reply to the n-th /api/chat request (0-based). */
export async function startOllamaStandin(answer: (request: StandinRequest, n: number) => StandinReply): Promise<OllamaStandin> {
  const requests: StandinRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      let body: StandinRequest['body'] = {};
      try {
        body = text ? (JSON.parse(text) as StandinRequest['body']) : {};
      } catch {
        sendJson(res, 400, { error: 'invalid JSON in request body' });
        return;
      }
      const request = { path: req.url ?? '', method: req.method ?? '', body };
      if (req.method !== 'POST' || req.url !== '/api/chat') {
        sendJson(res, 404, { error: `404 page not found` });
        return;
      }
      // Like Ollama, insist on a model and a message list.
      if (typeof body.model !== 'string' || !body.model) {
        sendJson(res, 400, { error: 'model is required' });
        return;
      }
      if (!Array.isArray(body.messages)) {
        sendJson(res, 400, { error: 'messages must be a list' });
        return;
      }
      requests.push(request);
      const reply = answer(request, requests.length - 1);
      const model = body.model;
      switch (reply.kind) {
        case 'chat':
          sendJson(res, 200, { ...finalFields(model), message: { role: 'assistant', content: reply.content } });
          return;
        case 'stream': {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          const pieces = Math.max(1, reply.pieces ?? 5);
          const size = Math.ceil(reply.content.length / pieces);
          for (let i = 0; i < reply.content.length; i += size) {
            res.write(`${JSON.stringify({ model, ...MODEL_FIELDS, message: { role: 'assistant', content: reply.content.slice(i, i + size) }, done: false })}\n`);
          }
          res.end(`${JSON.stringify({ ...finalFields(model), message: { role: 'assistant', content: '' } })}\n`);
          return;
        }
        case 'error':
          sendJson(res, reply.status, { error: reply.error });
          return;
        case 'hang':
          return; // the client's timeout has to end this
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
