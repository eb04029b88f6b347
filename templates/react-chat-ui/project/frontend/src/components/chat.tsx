import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport } from 'ai';
import { useEffect, useRef, useState } from 'react';
import { useAutoScroll } from '../hooks/use-auto-scroll';
import { CHAT_API, errorText } from '../lib/api';
import { type ChatMessage, hasContent } from '../lib/types';
import { Composer } from './composer';
import { Message } from './message';

type Props = {
  id: string;
  initialMessages: ChatMessage[];
  model: string | undefined;
  /** Called when the user sends (the conversation now exists on the server). */
  onSend?: () => void;
  /**
   * Called when a reply starts streaming (the server has saved the history) and when it ends
   * (finished, stopped or failed): titles and order in the sidebar may have changed.
   */
  onSettled?: () => void;
};

/** The only component that owns `useChat`; everything below it gets plain props. */
export function Chat({ id, initialMessages, model, onSend, onSettled }: Props) {
  const modelRef = useRef(model);
  modelRef.current = model;
  const [transport] = useState(
    () =>
      new DefaultChatTransport<ChatMessage>({
        api: CHAT_API,
        body: () => (modelRef.current ? { model: modelRef.current } : {}),
      }),
  );

  const settledRef = useRef(onSettled);
  settledRef.current = onSettled;

  const { messages, sendMessage, status, stop, regenerate, setMessages, error, clearError } =
    useChat<ChatMessage>({
      id,
      messages: initialMessages,
      transport,
      experimental_throttle: 40, // re-render at most every 40 ms while tokens stream in
      onFinish: () => settledRef.current?.(),
      onError: () => settledRef.current?.(),
    });

  const busy = status === 'submitted' || status === 'streaming';
  useEffect(() => {
    if (status === 'streaming') settledRef.current?.();
  }, [status]);
  const { ref, onScroll, atBottom, scrollToBottom } = useAutoScroll<HTMLDivElement>(messages);

  // Stop the stream when this conversation is closed (switching chats, unmount).
  const stopRef = useRef(stop);
  stopRef.current = stop;
  useEffect(() => () => void stopRef.current(), []);

  // The message's own buttons disappear while it streams: keep keyboard focus in the composer.
  const focusComposer = () => document.getElementById('composer-input')?.focus();

  function send(text: string) {
    clearError();
    scrollToBottom();
    onSend?.();
    void sendMessage({ text });
  }

  function edit(messageId: string, text: string) {
    const index = messages.findIndex((message) => message.id === messageId);
    if (index < 0) return;
    clearError();
    setMessages(messages.slice(0, index));
    onSend?.();
    void sendMessage({ text });
    focusComposer();
  }

  function retry() {
    clearError();
    scrollToBottom();
    void regenerate();
    focusComposer();
  }

  const last = messages.at(-1);
  // A reply that failed or was stopped before its first token has nothing to show.
  const visible = messages.filter(
    (message) => message.role === 'user' || hasContent(message) || (busy && message === last),
  );

  return (
    <section className="chat" aria-label="Conversation">
      <div className="messages" ref={ref} onScroll={onScroll} data-testid="messages">
        {messages.length === 0 ? (
          <div className="empty" data-testid="empty-state">
            <h2>How can I help?</h2>
            <p className="muted">
              Replies stream in as they are written. Press Escape to stop one.
            </p>
          </div>
        ) : (
          <div role="log" aria-live="polite" aria-relevant="additions" className="message-list">
            {visible.map((message) => (
              <Message
                key={message.id}
                message={message}
                streaming={busy && message === last && message.role === 'assistant'}
                canEdit={!busy}
                canRegenerate={!busy && message === last && message.role === 'assistant'}
                onEdit={edit}
                onRegenerate={retry}
              />
            ))}
            {status === 'submitted' && last?.role === 'user' && (
              <article className="message assistant" data-testid="message-pending" aria-busy>
                <span className="typing" role="status" aria-label="Assistant is thinking" />
              </article>
            )}
          </div>
        )}
        {error && (
          <div className="error-banner" role="alert" data-testid="chat-error">
            <span>{errorText(error)}</span>
            <button type="button" className="button" onClick={retry} data-testid="retry-button">
              Retry
            </button>
          </div>
        )}
      </div>
      {!atBottom && (
        <button
          type="button"
          className="button jump"
          onClick={() => scrollToBottom('smooth')}
          data-testid="jump-button"
        >
          Jump to latest
        </button>
      )}
      <Composer busy={busy} onSend={send} onStop={() => void stop()} />
    </section>
  );
}
