import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { App } from './app';
import { startUiStreamServer, textReply } from './test/ui-stream-server';

let server: Awaited<ReturnType<typeof startUiStreamServer>>;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  server = await startUiStreamServer();
  globalThis.fetch = (input, init) => realFetch(new URL(String(input), server.url), init);
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await server.close();
});
beforeEach(() => {
  server.routes.clear();
  server.log.length = 0;
  server.requests.length = 0;
  localStorage.clear();
  window.history.replaceState(null, '', '/');
  server.routes.set('GET /api/models', {
    status: 200,
    json: { models: [{ id: 'small' }, { id: '/models/big-model' }], default: 'small' },
  });
  server.routes.set('GET /api/conversations', {
    status: 200,
    json: [{ id: 'c1', title: 'Trip plans', created_at: '', updated_at: '' }],
  });
  server.routes.set('GET /api/conversations/c1', {
    status: 200,
    json: {
      id: 'c1',
      title: 'Trip plans',
      messages: [
        { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Where should I go?' }] },
        { id: 'a1', role: 'assistant', parts: [{ type: 'text', text: 'Try **Lisbon**.' }] },
      ],
    },
  });
});

describe('App', () => {
  it('opens a conversation from the sidebar and puts it in the URL', async () => {
    const user = userEvent.setup();
    render(<App />);
    const sidebar = screen.getByRole('navigation', { name: 'Conversations' });
    await user.click(await within(sidebar).findByRole('button', { name: 'Trip plans' }));

    expect(await screen.findByText('Where should I go?')).toBeInTheDocument();
    // Replies render as markdown once the lazy markdown chunk has loaded.
    expect((await screen.findByText('Lisbon', {}, { timeout: 20_000 })).tagName).toBe('STRONG');
    expect(window.location.search).toBe('?c=c1');
    expect(within(sidebar).getByRole('button', { name: 'Trip plans' })).toHaveAttribute(
      'aria-current',
      'page',
    );
  });

  it('while the backend or its model is starting (HTTP 502), says the model is loading, then is ready', async () => {
    server.routes.set('GET /api/models', { status: 502, json: {} });
    server.routes.set('GET /api/conversations', { status: 502, json: {} });
    render(<App />);
    const loading = await screen.findByTestId('model-loading');
    expect(loading).toHaveTextContent('The model is loading');
    expect(document.body).not.toHaveTextContent('Bad Gateway');
    expect(document.body).not.toHaveTextContent('Something went wrong');
    expect(screen.getByLabelText('Message')).toBeDisabled();

    server.routes.set('GET /api/models', {
      status: 200,
      json: { models: [{ id: 'small' }], default: 'small' },
    });
    server.routes.set('GET /api/conversations', { status: 200, json: [] });
    await waitFor(() => expect(screen.queryByTestId('model-loading')).toBeNull(), {
      timeout: 8_000,
    });
    expect(screen.getByLabelText('Message')).toBeEnabled();
  }, 15_000);

  it('explains a conversation that no longer exists and offers a new chat', async () => {
    window.history.replaceState(null, '', '/?c=gone');
    const user = userEvent.setup();
    render(<App />);

    const alert = await screen.findByTestId('load-error');
    expect(alert).toHaveTextContent('This conversation does not exist');
    await user.click(within(alert).getByRole('button', { name: 'New chat' }));
    expect(await screen.findByTestId('empty-state')).toBeInTheDocument();
    expect(window.location.search).toBe('');
  });

  it('sends the chosen model and remembers it', async () => {
    server.replies.push(textReply(['Hi!']));
    const user = userEvent.setup();
    render(<App />);
    const picker = screen.getByLabelText('Model');
    await waitFor(() => expect(picker).toHaveValue('small'));
    expect(within(picker).getByRole('option', { name: 'big-model' })).toHaveValue(
      '/models/big-model',
    );

    await user.selectOptions(picker, '/models/big-model');
    await user.type(screen.getByLabelText('Message'), 'hello{Enter}');
    await waitFor(() => expect(server.requests).toHaveLength(1));
    expect(server.requests[0]).toMatchObject({ model: '/models/big-model' });
    expect(localStorage.getItem('chat.model')).toBe('/models/big-model');
    // Once the server accepted it, the new conversation is addressable.
    await waitFor(() => expect(window.location.search).toMatch(/^\?c=.+/));
  });

  it('a refused first message puts no conversation in the URL', async () => {
    server.replies.push({ status: 413, json: { detail: 'The message has 9001 characters.' } });
    const user = userEvent.setup();
    render(<App />);
    await user.type(screen.getByLabelText('Message'), 'too long{Enter}');
    expect(await screen.findByTestId('chat-error')).toHaveTextContent('9001 characters');
    expect(window.location.search).toBe('');
    expect(screen.getByLabelText('Message')).toHaveValue('too long');
    const sidebar = screen.getByRole('navigation', { name: 'Conversations' });
    expect(within(sidebar).queryByRole('button', { name: 'New chat' })).toBeInTheDocument();
    expect(within(sidebar).getAllByTestId('conversation-item')).toHaveLength(1);
  });

  it('renames and deletes through the API', async () => {
    server.routes.set('PATCH /api/conversations/c1', { status: 200, json: {} });
    server.routes.set('DELETE /api/conversations/c1', { status: 204, json: null });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Rename Trip plans' }));
    const input = screen.getByLabelText('New title');
    await user.clear(input);
    await user.type(input, 'Lisbon trip{Enter}');
    await waitFor(() =>
      expect(server.log).toContain('PATCH /api/conversations/c1 {"title":"Lisbon trip"}'),
    );

    window.confirm = () => true;
    await user.click(screen.getByRole('button', { name: 'Delete Trip plans' }));
    await waitFor(() => expect(server.log).toContain('DELETE /api/conversations/c1'));
  });

  it('shows when the server is unreachable, with Retry', async () => {
    globalThis.fetch = (input, init) =>
      realFetch(new URL(String(input), 'http://127.0.0.1:9'), init);
    try {
      render(<App />);
      const sidebar = screen.getByRole('navigation', { name: 'Conversations' });
      expect(await within(sidebar).findByRole('alert')).toHaveTextContent(
        'Cannot reach the server',
      );
      expect(screen.getByLabelText('Model')).toBeDisabled();
    } finally {
      globalThis.fetch = (input, init) => realFetch(new URL(String(input), server.url), init);
    }
  });
});
