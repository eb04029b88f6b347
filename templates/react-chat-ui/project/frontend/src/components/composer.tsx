import { type FormEvent, type KeyboardEvent, useEffect, useRef } from 'react';
import { SendIcon, StopIcon } from './icons';

/** The server's default (MAX_MESSAGE_CHARS); the app passes the value from GET /api/models. */
export const DEFAULT_MAX_CHARS = 8000;

type Props = {
  value: string;
  onChange: (text: string) => void;
  busy: boolean;
  disabled?: boolean;
  maxChars?: number;
  onSend: (text: string) => void;
  onStop: () => void;
};

export function Composer({
  value,
  onChange,
  busy,
  disabled = false,
  maxChars = DEFAULT_MAX_CHARS,
  onSend,
  onStop,
}: Props) {
  const input = useRef<HTMLTextAreaElement>(null);
  const message = value.trim();
  const tooLong = message.length > maxChars;
  // The counter appears near the limit, like a tweet box: no noise for ordinary messages.
  const showCount = value.length > maxChars * 0.8;

  // Ready for the next message: focus the box, except on touch screens (it would pop the keyboard).
  useEffect(() => {
    if (!busy && window.matchMedia?.('(pointer: fine)').matches) input.current?.focus();
  }, [busy]);

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!message || tooLong || busy || disabled) return;
    onSend(message);
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
      <div className="composer-box">
        <label htmlFor="composer-input" className="visually-hidden">
          Message
        </label>
        <textarea
          id="composer-input"
          ref={input}
          data-testid="composer-input"
          value={value}
          rows={1}
          placeholder="Send a message"
          dir="auto"
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={onKeyDown}
          disabled={disabled}
          aria-invalid={tooLong || undefined}
          aria-describedby="composer-hint composer-count"
        />
        <span id="composer-hint" className="visually-hidden">
          Enter sends. Shift+Enter adds a new line. Escape stops a reply.
        </span>
        {busy ? (
          <button
            type="button"
            className="send-button stop"
            // Stop appears where Send was: the second click of a double-click on Send (detail 2)
            // lands here and must not stop the reply it just started.
            onClick={(event) => event.detail < 2 && onStop()}
            aria-label="Stop"
            title="Stop (Esc)"
            data-testid="stop-button"
          >
            <StopIcon />
          </button>
        ) : (
          <button
            type="submit"
            className="send-button"
            disabled={disabled || !message || tooLong}
            aria-label="Send"
            title="Send (Enter)"
            data-testid="send-button"
          >
            <SendIcon />
          </button>
        )}
      </div>
      <p
        id="composer-count"
        className={`composer-count${tooLong ? ' over' : ''}`}
        data-testid="composer-count"
        aria-live="polite"
        hidden={!showCount}
      >
        {tooLong
          ? `Too long: ${message.length.toLocaleString('en')} characters (the limit is ${maxChars.toLocaleString('en')}).`
          : `${value.length.toLocaleString('en')} / ${maxChars.toLocaleString('en')}`}
      </p>
    </form>
  );
}
