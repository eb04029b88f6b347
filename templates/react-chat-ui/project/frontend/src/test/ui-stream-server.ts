import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createUIMessageStream,
  pipeUIMessageStreamToResponse,
  type UIMessageStreamWriter,
} from 'ai';

/** What one scripted reply does; `closed` resolves when the client disconnects. */
export type Reply =
  | ((writer: UIMessageStreamWriter, closed: Promise<void>) => Promise<void>)
  | { status: number; json: unknown };

type JsonReply = { status: number; json: unknown };

/**
 * A real HTTP server on 127.0.0.1 that answers POST /api/chat with the AI SDK UI message
 * stream (written by the `ai` package itself), so component tests exercise the real
 * transport, SSE parsing and abort path. Chat replies are scripted per request; other
 * routes (`GET /api/models`, ...) answer what `routes` holds, else 404.
 */
export async function startUiStreamServer() {
  const replies: Reply[] = [];
  const requests: Record<string, unknown>[] = [];
  const routes = new Map<string, JsonReply>();
  const log: string[] = [];
  let disconnects = 0;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const route = `${req.method} ${req.url}`;
    log.push(raw ? `${route} ${raw}` : route);
    if (route !== 'POST /api/chat') {
      const { status, json } = routes.get(route) ?? { status: 404, json: { detail: 'Not Found' } };
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
      return;
    }
    requests.push(JSON.parse(raw));
    const reply = replies.shift();
    if (!reply) {
      res.writeHead(500).end('no scripted reply');
      return;
    }
    if (typeof reply !== 'function') {
      res
        .writeHead(reply.status, { 'Content-Type': 'application/json' })
        .end(JSON.stringify(reply.json));
      return;
    }
    const closed = new Promise<void>((resolve) =>
      res.on('close', () => {
        if (!res.writableFinished) disconnects += 1;
        resolve();
      }),
    );
    const stream = createUIMessageStream({
      execute: ({ writer }) => reply(writer, closed),
      onError: (error) => String(error),
    });
    pipeUIMessageStreamToResponse({ response: res, stream });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    replies,
    requests,
    routes,
    log,
    disconnects: () => disconnects,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Streams `chunks` as one text part, `delayMs` apart. */
export function textReply(chunks: string[], delayMs = 5): Reply {
  return async (writer) => {
    writer.write({ type: 'text-start', id: 't1' });
    for (const delta of chunks) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      writer.write({ type: 'text-delta', id: 't1', delta });
    }
    writer.write({ type: 'text-end', id: 't1' });
  };
}
