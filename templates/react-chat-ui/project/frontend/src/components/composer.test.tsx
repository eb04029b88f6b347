import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { Composer } from './composer';

/** The composer as Chat uses it: Chat owns the text and clears it when it sends. */
function Harness(props: {
  busy: boolean;
  maxChars?: number;
  onSend: (t: string) => void;
  onStop: () => void;
}) {
  const [text, setText] = useState('');
  return (
    <Composer
      {...props}
      value={text}
      onChange={setText}
      onSend={(message) => {
        props.onSend(message);
        setText('');
      }}
    />
  );
}

/** Goes busy when it sends, as Chat does: Stop replaces Send under the pointer. */
function Sending({ onStop }: { onStop: () => void }) {
  const [busy, setBusy] = useState(false);
  return <Harness busy={busy} onSend={() => setBusy(true)} onStop={onStop} />;
}

function setup(busy = false, maxChars?: number) {
  const onSend = vi.fn();
  const onStop = vi.fn();
  const view = render(<Harness busy={busy} maxChars={maxChars} onSend={onSend} onStop={onStop} />);
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

  it('the second click of a double-click on Send does not stop the reply it started', async () => {
    const onStop = vi.fn();
    render(<Sending onStop={onStop} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Message'), 'hello');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    // Stop now sits where Send was: the browser delivers the second click there (detail 2).
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }), { detail: 2 });
    expect(onStop).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }), { detail: 1 });
    expect(onStop).toHaveBeenCalledOnce();
  });

  it('counts near the limit and refuses a message over it, keeping the text', async () => {
    const { onSend, user, input } = setup(false, 20);
    const count = screen.getByTestId('composer-count');
    await user.type(input, 'short');
    expect(count).not.toBeVisible();
    await user.type(input, ' and longer text{Enter}');
    expect(count).toBeVisible();
    expect(count).toHaveTextContent('Too long: 21 characters (the limit is 20).');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    expect(onSend).not.toHaveBeenCalled();
    expect(input).toHaveValue('short and longer text');
    await user.type(input, '{Backspace}{Backspace}');
    expect(count).toHaveTextContent('19 / 20');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).toHaveBeenCalledWith('short and longer te');
  });
});
