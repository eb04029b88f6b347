import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../lib/types';
import { Message } from './message';

const user: ChatMessage = {
  id: 'u1',
  role: 'user',
  parts: [{ type: 'text', text: 'What is **2+2**?' }],
};
const assistant: ChatMessage = {
  id: 'a1',
  role: 'assistant',
  parts: [{ type: 'text', text: 'It is **4**.' }],
};

function renderMessage(message: ChatMessage, props: Partial<Parameters<typeof Message>[0]> = {}) {
  const onEdit = vi.fn();
  const onRegenerate = vi.fn();
  render(
    <Message
      message={message}
      streaming={false}
      canEdit
      canRegenerate={false}
      onEdit={onEdit}
      onRegenerate={onRegenerate}
      {...props}
    />,
  );
  return { onEdit, onRegenerate };
}

describe('Message', () => {
  it('shows user text verbatim and assistant text as markdown', async () => {
    renderMessage(user);
    expect(screen.getByText('What is **2+2**?')).toBeInTheDocument();
    renderMessage(assistant);
    expect((await screen.findByText('4', {}, { timeout: 5_000 })).tagName).toBe('STRONG');
  });

  it('lays out each message in the direction of its own text (RTL too)', () => {
    renderMessage({ id: 'u2', role: 'user', parts: [{ type: 'text', text: 'مرحبا، كيف حالك؟' }] });
    expect(screen.getByTestId('message-content')).toHaveAttribute('dir', 'auto');
  });

  it('copies the message text', async () => {
    const events = userEvent.setup();
    renderMessage(assistant);
    await events.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await navigator.clipboard.readText()).toBe('It is **4**.');
    expect(screen.getByRole('button', { name: 'Copied' })).toBeInTheDocument();
  });

  it('edits a user message with the keyboard', async () => {
    const events = userEvent.setup();
    const { onEdit } = renderMessage(user);
    await events.click(screen.getByRole('button', { name: 'Edit' }));
    const box = screen.getByLabelText('Edit message');
    expect(box).toHaveFocus();
    expect(box).toHaveValue('What is **2+2**?');
    await events.clear(box);
    await events.type(box, 'What is 3+3?{Enter}');
    expect(onEdit).toHaveBeenCalledExactlyOnceWith('u1', 'What is 3+3?');
  });

  it('cancels an edit with Escape', async () => {
    const events = userEvent.setup();
    const { onEdit } = renderMessage(user);
    await events.click(screen.getByRole('button', { name: 'Edit' }));
    await events.keyboard('{Escape}');
    expect(screen.queryByLabelText('Edit message')).toBeNull();
    expect(onEdit).not.toHaveBeenCalled();
  });

  it('offers Regenerate only where allowed, and no actions while streaming', async () => {
    const events = userEvent.setup();
    const { onRegenerate } = renderMessage(assistant, { canRegenerate: true });
    await events.click(screen.getByRole('button', { name: 'Regenerate' }));
    expect(onRegenerate).toHaveBeenCalledOnce();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();

    renderMessage({ ...assistant, id: 'a2' }, { streaming: true, canRegenerate: true });
    expect(screen.getAllByRole('article')[1]).toHaveAttribute('aria-busy', 'true');
    expect(screen.getAllByRole('button', { name: 'Regenerate' })).toHaveLength(1);
  });
});
