import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Composer } from './composer';

function setup(busy = false) {
  const onSend = vi.fn();
  const onStop = vi.fn();
  const view = render(<Composer busy={busy} onSend={onSend} onStop={onStop} />);
  return { onSend, onStop, user: userEvent.setup(), input: screen.getByLabelText('Message'), view };
}

describe('Composer', () => {
  it('sends the trimmed text on Enter and clears the box', async () => {
    const { onSend, user, input } = setup();
    await user.type(input, '  hello there  {Enter}');
    expect(onSend).toHaveBeenCalledExactlyOnceWith('hello there');
    expect(input).toHaveValue('');
  });

  it('adds a newline on Shift+Enter without sending', async () => {
    const { onSend, user, input } = setup();
    await user.type(input, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(onSend).not.toHaveBeenCalled();
    expect(input).toHaveValue('line one\nline two');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).toHaveBeenCalledWith('line one\nline two');
  });

  it('does not send blank messages', async () => {
    const { onSend, user, input } = setup();
    await user.type(input, '   {Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
  });

  it('shows Stop while a reply streams; the button and Escape stop it', async () => {
    const { onSend, onStop, user, input } = setup(true);
    expect(screen.queryByRole('button', { name: 'Send' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    await user.type(input, 'next question{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    await user.keyboard('{Escape}');
    expect(onStop).toHaveBeenCalledTimes(2);
  });
});
