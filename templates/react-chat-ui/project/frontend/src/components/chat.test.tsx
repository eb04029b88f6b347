import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../lib/types';
import { startUiStreamServer, textReply } from '../test/ui-stream-server';
import { Chat } from './chat';

let server: Awaited<ReturnType<typeof startUiStreamServer>>;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  server = await startUiStreamServer();
  // The app calls relative URLs ('/api/chat'); send them to the test server.
  globalThis.fetch = (input, init) => realFetch(new URL(String(input), server.url), init);
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await server.close();
});
afterEach(() => {
  server.replies.length = 0;
  server.requests.length = 0;
});

function renderChat(initialMessages: ChatMessage[] = []) {
  render(<Chat id="conv-1" initialMessages={initialMessages} model="smollm2" />);
  return { user: userEvent.setup(), input: screen.getByLabelText('Message') };
}

const lastAssistant = () => screen.getAllByTestId('message-assistant').at(-1)!;

describe('Chat', () => {
  it('sends the contract body and streams the reply in', async () => {
    server.replies.push(textReply(['Hel', 'lo ', 'there']));
    const { user, input } = renderChat();
    expect(screen.getByTestId('empty-state')).toBeInTheDocument();

    await user.type(input, 'hi{Enter}');

    await waitFor(() => expect(lastAssistant()).toHaveTextContent('Hello there'));
    await waitFor(() => expect(lastAssistant()).toHaveAttribute('data-state', 'done'));
    expect(screen.getByTestId('message-user')).toHaveTextContent('hi');
    const body = server.requests[0] as {
      id: string;
      trigger: string;
      model: string;
      messages: ChatMessage[];
    };
    expect(body).toMatchObject({ id: 'conv-1', trigger: 'submit-message', model: 'smollm2' });
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]).toMatchObject({ role: 'user', parts: [{ type: 'text', text: 'hi' }] });
  });

  it('shows an error part with Retry, which regenerates', async () => {
    server.replies.push(async (writer) => {
      writer.write({ type: 'start', messageId: 'failed-reply' });
      writer.write({ type: 'start-step' });
      writer.write({ type: 'error', errorText: 'Upstream model timed out after 30 s' });
    });
    server.replies.push(textReply(['Recovered']));
    const { user, input } = renderChat();

    await user.type(input, 'hello{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Upstream model timed out after 30 s');
    expect(screen.queryAllByTestId('message-assistant')).toHaveLength(0);

    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(lastAssistant()).toHaveTextContent('Recovered'));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(server.requests[1]).toMatchObject({ trigger: 'regenerate-message' });
    expect(screen.getAllByTestId('message-user')).toHaveLength(1);
  });

  it('a refused message (HTTP 413) is not shown as sent: it goes back into the composer', async () => {
    server.replies.push({
      status: 413,
      json: { detail: 'The message has 9001 characters (MAX_MESSAGE_CHARS is 8000).' },
    });
    const onSend = vi.fn();
    render(<Chat id="conv-1" initialMessages={[]} model="smollm2" onSend={onSend} />);
    const user = userEvent.setup();
    const input = screen.getByLabelText('Message');
    await user.type(input, 'a very long message{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /^The message has 9001 characters \(MAX_MESSAGE_CHARS is 8000\)\.$/,
    );
    expect(screen.queryAllByTestId('message-user')).toHaveLength(0);
    expect(screen.getByTestId('empty-state')).toBeInTheDocument();
    expect(input).toHaveValue('a very long message');
    expect(onSend).not.toHaveBeenCalled(); // the app puts a conversation in the URL only on success

    server.replies.push(textReply(['Fine']));
    await user.type(input, '{Enter}');
    await waitFor(() => expect(lastAssistant()).toHaveTextContent('Fine'));
    expect(onSend).toHaveBeenCalledOnce();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('marks a stopped or cut-off reply, with Continue', async () => {
    renderChat([
      { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Tell me a story' }] },
      {
        id: 'a1',
        role: 'assistant',
        metadata: { finishReason: 'length' },
        parts: [{ type: 'text', text: 'Once upon a' }],
      },
    ]);
    expect(screen.getByTestId('interrupted')).toHaveTextContent('Cut off');
    server.replies.push(async (writer) => {
      writer.write({ type: 'text-start', id: 't2' });
      writer.write({ type: 'text-delta', id: 't2', delta: ' time.' });
      writer.write({ type: 'text-end', id: 't2' });
      writer.write({ type: 'finish', messageMetadata: { finishReason: 'stop' } });
    });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Continue' }));
    // Continue extends the cut-off reply: no new message, no "Continue." from the user.
    await waitFor(() => expect(lastAssistant()).toHaveTextContent('Once upon a time.'));
    await waitFor(() => expect(lastAssistant()).toHaveAttribute('data-state', 'done'));
    expect(screen.getAllByTestId('message-user')).toHaveLength(1);
    expect(screen.getAllByTestId('message-assistant')).toHaveLength(1);
    expect(screen.queryByTestId('interrupted')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Continue' })).toBeNull();
    // The server is asked to continue: the history ends with the cut-off reply itself.
    const body = server.requests[0] as { trigger: string; messages: ChatMessage[] };
    expect(body.trigger).toBe('submit-message');
    expect(body.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(body.messages.at(-1)).toMatchObject({ id: 'a1', parts: [{ text: 'Once upon a' }] });
  });

  it('says so when the server cannot be reached', async () => {
    globalThis.fetch = (input, init) =>
      realFetch(new URL(String(input), 'http://127.0.0.1:9'), init);
    try {
      const { user, input } = renderChat();
      await user.type(input, 'anyone there?{Enter}');
      expect(await screen.findByRole('alert')).toHaveTextContent(
        'Cannot reach the server. Is the backend running?',
      );
    } finally {
      globalThis.fetch = (input, init) => realFetch(new URL(String(input), server.url), init);
    }
  });

  it('stops mid-stream: the request is aborted and the partial reply stays', async () => {
    server.replies.push(async (writer, closed) => {
      writer.write({ type: 'text-start', id: 't1' });
      writer.write({ type: 'text-delta', id: 't1', delta: 'partial answer' });
      await closed; // never finishes on its own
    });
    const { user, input } = renderChat();

    await user.type(input, 'write a long essay{Enter}');
    await waitFor(() => expect(lastAssistant()).toHaveTextContent('partial answer'));
    const before = server.disconnects();
    await user.click(screen.getByRole('button', { name: 'Stop' }));

    expect(await screen.findByRole('button', { name: 'Send' })).toBeInTheDocument();
    await waitFor(() => expect(server.disconnects()).toBe(before + 1));
    expect(lastAssistant()).toHaveTextContent('partial answer');
    expect(within(lastAssistant()).getByTestId('interrupted')).toHaveTextContent('Stopped');
    expect(within(lastAssistant()).getByRole('button', { name: 'Continue' })).toBeInTheDocument();
  });

  it('after Stop, shows the partial reply as the server saved it (no more, no less)', async () => {
    server.replies.push(async (writer, closed) => {
      writer.write({ type: 'start', messageId: 'reply-1' });
      writer.write({ type: 'text-start', id: 't1' });
      writer.write({ type: 'text-delta', id: 't1', delta: 'partial answer' });
      await closed;
    });
    // What the backend stored: the text it had sent when the client went away, some of it still
    // in flight when Stop was pressed.
    server.routes.set('GET /api/conversations/conv-1', {
      status: 200,
      json: {
        id: 'conv-1',
        title: 'essay',
        messages: [
          { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'write a long essay' }] },
          {
            id: 'reply-1',
            role: 'assistant',
            metadata: { finishReason: 'stopped' },
            parts: [{ type: 'text', text: 'partial answer, and the words in flight' }],
          },
        ],
      },
    });
    const { user, input } = renderChat();
    await user.type(input, 'write a long essay{Enter}');
    await waitFor(() => expect(lastAssistant()).toHaveTextContent('partial answer'));
    await user.click(screen.getByRole('button', { name: 'Stop' }));

    await waitFor(() =>
      expect(lastAssistant()).toHaveTextContent('partial answer, and the words in flight'),
    );
    expect(within(lastAssistant()).getByTestId('interrupted')).toHaveTextContent('Stopped');
    server.routes.clear();
  });

  it('with documents, the empty state suggests what they answer', () => {
    const suggestions = ['What does HNSW say about how a search works?'];
    const docs = { documents: 2, chunks: 9, suggestions };
    render(<Chat id="conv-2" initialMessages={[]} model="smollm2" docs={docs} />);
    expect(screen.getAllByTestId('suggestion').map((b) => b.textContent)).toEqual(suggestions);
    expect(screen.getByTestId('empty-state')).not.toHaveTextContent('haiku');
  });

  it('edits a user message: history is cut before it and the new text is sent', async () => {
    server.replies.push(textReply(['Six.']));
    const { user } = renderChat([
      { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'What is 2+2?' }] },
      { id: 'a1', role: 'assistant', parts: [{ type: 'text', text: 'Four.' }] },
    ]);

    await user.click(screen.getByRole('button', { name: 'Edit' }));
    const box = screen.getByLabelText('Edit message');
    await user.clear(box);
    await user.type(box, 'What is 3+3?{Enter}');

    await waitFor(() => expect(lastAssistant()).toHaveTextContent('Six.'));
    const body = server.requests[0] as { messages: ChatMessage[] };
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0].parts).toEqual([{ type: 'text', text: 'What is 3+3?' }]);
    expect(screen.queryByText('Four.')).toBeNull();
  });

  it('regenerates the last reply', async () => {
    server.replies.push(textReply(['Second take.']));
    const { user } = renderChat([
      { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Name a colour.' }] },
      { id: 'a1', role: 'assistant', parts: [{ type: 'text', text: 'Blue.' }] },
    ]);

    await user.click(screen.getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(lastAssistant()).toHaveTextContent('Second take.'));
    expect(screen.getAllByTestId('message-assistant')).toHaveLength(1);
    // The old reply is dropped client-side; the server gets the history up to the user turn.
    const body = server.requests[0] as { trigger: string; messages: ChatMessage[] };
    expect(body.trigger).toBe('regenerate-message');
    expect(body.messages.map((message) => message.id)).toEqual(['u1']);
  });
});
