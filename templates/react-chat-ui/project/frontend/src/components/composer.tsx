import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';

type Props = {
  busy: boolean;
  disabled?: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
};

export function Composer({ busy, disabled = false, onSend, onStop }: Props) {
  const [text, setText] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);

  // Ready for the next message: focus the box, except on touch screens (it would pop the keyboard).
  useEffect(() => {
    if (!busy && window.matchMedia?.('(pointer: fine)').matches) input.current?.focus();
  }, [busy]);

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const message = text.trim();
    if (!message || busy || disabled) return;
    onSend(message);
    setText('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter is a newline; never send while an IME is composing.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && busy) {
      event.preventDefault();
      onStop();
    }
  }

  return (
    <form className="composer" onSubmit={submit} aria-label="Send a message">
      <label htmlFor="composer-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={input}
        data-testid="composer-input"
        value={text}
        rows={1}
        placeholder="Send a message"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        disabled={disabled}
        aria-describedby="composer-hint"
      />
      <span id="composer-hint" className="visually-hidden">
        Enter sends. Shift+Enter adds a new line. Escape stops a reply.
      </span>
      {busy ? (
        <button type="button" className="button stop" onClick={onStop} data-testid="stop-button">
          Stop
        </button>
      ) : (
        <button
          type="submit"
          className="button primary"
          disabled={disabled || !text.trim()}
          data-testid="send-button"
        >
          Send
        </button>
      )}
    </form>
  );
}
