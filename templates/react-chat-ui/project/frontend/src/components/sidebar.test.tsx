import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ConversationSummary } from '../lib/types';
import { groupByDate, Sidebar } from './sidebar';

const conversations: ConversationSummary[] = [
  { id: 'c1', title: 'Trip plans', created_at: '2026-01-01', updated_at: '2026-01-02' },
  { id: 'c2', title: 'Rust questions', created_at: '2026-01-01', updated_at: '2026-01-01' },
];

function setup(props: Partial<Parameters<typeof Sidebar>[0]> = {}) {
  const handlers = {
    onSelect: vi.fn(),
    onNew: vi.fn(),
    onRename: vi.fn(),
    onDelete: vi.fn(),
    onRetry: vi.fn(),
    onClose: vi.fn(),
  };
  render(
    <Sidebar
      conversations={conversations}
      loadError={undefined}
      activeId="c1"
      open={false}
      {...handlers}
      {...props}
    />,
  );
  return { ...handlers, user: userEvent.setup() };
}

describe('Sidebar', () => {
  it('search filters by title as you type; Escape clears it and keeps the drawer open', async () => {
    const { onClose, user } = setup({ open: true });
    const search = screen.getByRole('searchbox', { name: 'Search conversations' });
    await user.click(search);
    await user.keyboard('RUST');
    const titles = () =>
      screen.getAllByTestId('conversation-item').map((item) => item.firstChild?.textContent);
    expect(titles()).toEqual(['Rust questions']);

    await user.clear(search);
    await user.type(search, 'nothing like it');
    expect(screen.getByRole('status')).toHaveTextContent(
      'No conversations match “nothing like it”.',
    );

    await user.keyboard('{Escape}');
    expect(search).toHaveValue('');
    expect(titles()).toEqual(['Trip plans', 'Rust questions']);
    expect(onClose).not.toHaveBeenCalled();
  });

  it('search also shows conversations whose messages match, as the server finds them', async () => {
    const searchMessages = vi.fn(async (query: string) => (query === 'lisbon' ? ['c1'] : []));
    const { user } = setup({ searchMessages });
    await user.type(screen.getByRole('searchbox', { name: 'Search conversations' }), 'lisbon');
    // Typing pauses, the server is asked once, and the match (not in any title) appears.
    await waitFor(() => expect(screen.getByRole('button', { name: 'Trip plans' })).toBeVisible());
    expect(screen.queryByRole('button', { name: 'Rust questions' })).toBeNull();
    expect(searchMessages).toHaveBeenCalledTimes(1);
    expect(searchMessages).toHaveBeenCalledWith('lisbon');
  });

  it('lists conversations and marks the active one', async () => {
    const { onSelect, onNew, user } = setup();
    const nav = screen.getByRole('navigation', { name: 'Conversations' });
    expect(within(nav).getByRole('button', { name: 'Trip plans' })).toHaveAttribute(
      'aria-current',
      'page',
    );
    await user.click(within(nav).getByRole('button', { name: 'Rust questions' }));
    expect(onSelect).toHaveBeenCalledWith('c2');
    await user.click(within(nav).getByRole('button', { name: 'New chat' }));
    expect(onNew).toHaveBeenCalledOnce();
  });

  it('renames with the keyboard', async () => {
    const { onRename, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Rename Rust questions' }));
    const input = screen.getByLabelText('New title');
    expect(input).toHaveFocus();
    await user.clear(input);
    await user.type(input, 'Borrow checker{Enter}');
    expect(onRename).toHaveBeenCalledExactlyOnceWith('c2', 'Borrow checker');
  });

  it('deletes only after confirmation', async () => {
    const { onDelete, user } = setup();
    const confirm = vi
      .spyOn(window, 'confirm')
      .mockReturnValueOnce(false)
      .mockReturnValueOnce(true);
    await user.click(screen.getByRole('button', { name: 'Delete Trip plans' }));
    expect(onDelete).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Delete Trip plans' }));
    expect(onDelete).toHaveBeenCalledExactlyOnceWith('c1');
    confirm.mockRestore();
  });

  it('as an open drawer, takes focus and closes on Escape', async () => {
    const { onClose, user } = setup({ open: true });
    expect(screen.getByRole('button', { name: 'New chat' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('shows loading, empty and error states', async () => {
    const { onRetry, user } = setup({
      loadError: 'Cannot reach the server. Is the backend running?',
    });
    expect(screen.getByRole('alert')).toHaveTextContent('Cannot reach the server');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });
});

describe('groupByDate', () => {
  it('groups by last update like chat apps do: Today, Yesterday, 7 and 30 days, Older', () => {
    const now = new Date(2026, 5, 15, 12, 0);
    const at = (days: number) => new Date(2026, 5, 15 - days, 9, 0).toISOString();
    const items = [0, 1, 3, 20, 90].map((days) => ({
      id: `c${days}`,
      title: `${days} days`,
      created_at: '',
      updated_at: at(days),
    }));
    expect(groupByDate(items, now).map((g) => [g.label, g.items.map((c) => c.id)])).toEqual([
      ['Today', ['c0']],
      ['Yesterday', ['c1']],
      ['Previous 7 days', ['c3']],
      ['Previous 30 days', ['c20']],
      ['Older', ['c90']],
    ]);
  });
});
