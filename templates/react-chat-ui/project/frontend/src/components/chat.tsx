import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport } from 'ai';
import { useEffect, useRef, useState } from 'react';
import { useAutoScroll } from '../hooks/use-auto-scroll';
import { api, CHAT_API, errorText } from '../lib/api';
import {
  type ChatMessage,
  type DocsStatus,
  type FinishReason,
  hasContent,
  interruption,
} from '../lib/types';
import { Composer } from './composer';
import { Message } from './message';

/** Starters for the empty state; a click sends one. With documents ingested, the server's
 * suggestions (questions the documents answer) are shown instead. */
export const SUGGESTIONS = [
  'Explain how a hash map works',
  'Write a haiku about the sea',
  'Give me three names for a cat',
  'Show a Python function that reverses a string',
];

type Props = {
  id: string;
  initialMessages: ChatMessage[];
  model: string | undefined;
  maxChars?: number;
  /** Set when the chat answers from documents: the empty state says what is ingested. */
  docs?: DocsStatus;
  /** The model is not ready yet (it is loading): nothing can be sent. */
  disabled?: boolean;
  /** Called when the server accepted a message (the conversation now exists on the server). */
  onSend?: () => void;
  /**
   * Called when a reply starts streaming (the server has saved the history) and when it ends
   * (finished, stopped or failed): titles and order in the sidebar may have changed.
   */
  onSettled?: () => void;
};

const markEnded = (messages: ChatMessage[], reason: FinishReason) => {
  const last = messages.at(-1);
  if (last?.role !== 'assistant' || !hasContent(last) || interruption(last)) return messages;
  return [...messages.slice(0, -1), { ...last, metadata: { finishReason: reason } }];
};

/** The only component that owns `useChat`; everything below it gets plain props. */
export function Chat({
  id,
  initialMessages,
  model,
  maxChars,
  docs,
  disabled = false,
  onSend,
  onSettled,
}: Props) {
  const modelRef = useRef(model);
  modelRef.current = model;
  const settledRef = useRef(onSettled);
  settledRef.current = onSettled;
  const [draft, setDraft] = useState('');
  // A message sent but not yet accepted by the server, and the list before it: if the server
  // refuses it (HTTP 4xx/5xx before the stream starts), the list is restored and the text goes
  // back into the composer, so nothing looks sent that was not.
  const pending = useRef<{ text: string; before: ChatMessage[] } | null>(null);
  const acceptedRef = useRef(onSend);
  acceptedRef.current = onSend;
  const [transport] = useState(
    () =>
      new DefaultChatTransport<ChatMessage>({
        api: CHAT_API,
        body: () => (modelRef.current ? { model: modelRef.current } : {}),
        // The response status says whether the server took the message (and saved it).
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (response.ok && pending.current) {
            pending.current = null;
            acceptedRef.current?.();
          }
          return response;
        },
      }),
  );
  const [refusal, setRefusal] = useState<string>();

  const { messages, sendMessage, status, stop, regenerate, setMessages, error, clearError } =
    useChat<ChatMessage>({
      id,
      messages: initialMessages,
      transport,
      experimental_throttle: 40, // re-render at most every 40 ms while tokens stream in
      onFinish: () => settledRef.current?.(),
      onError: (err) => {
        const refused = pending.current;
        pending.current = null;
        if (refused) {
          setMessages(refused.before);
          setDraft(refused.text);
          setRefusal(errorText(err));
        } else {
          setMessages((list) => markEnded(list, 'error'));
        }
        settledRef.current?.();
      },
    });

  const busy = status === 'submitted' || status === 'streaming';
  useEffect(() => {
    if (status === 'streaming') settledRef.current?.();
  }, [status]);
  const { ref, onScroll, atBottom, scrollToBottom } = useAutoScroll<HTMLDivElement>(messages);

  // Stop the stream when this conversation is closed (switching chats, unmount). The server
  // keeps the partial reply, marked as stopped, so it never looks complete when reopened.
  const stopRef = useRef(stop);
  stopRef.current = stop;
  useEffect(() => () => void stopRef.current(), []);

  // The message's own buttons disappear while it streams: keep keyboard focus in the composer.
  const focusComposer = () => document.getElementById('composer-input')?.focus();

  function submit(text: string, before?: ChatMessage[]) {
    clearError();
    setRefusal(undefined);
    pending.current = { text, before: messages };
    if (before) setMessages(before);
    setDraft('');
    void sendMessage({ text });
  }

  function send(text: string) {
    scrollToBottom();
    submit(text);
  }

  function edit(messageId: string, text: string) {
    const index = messages.findIndex((message) => message.id === messageId);
    if (index < 0) return;
    submit(text, messages.slice(0, index));
    focusComposer();
  }

  function retry() {
    clearError();
    setRefusal(undefined);
    scrollToBottom();
    void regenerate();
    focusComposer();
  }

  // Continue a cut-off reply: `sendMessage()` with no message asks for more of the last reply;
  // the server has the model go on from it, and the new text extends that same message.
  function continueReply() {
    clearError();
    setRefusal(undefined);
    scrollToBottom();
    void sendMessage();
    focusComposer();
  }

  async function stopReply() {
    const reply = messages.at(-1)?.role === 'assistant' ? messages.at(-1)?.id : undefined;
    await stop();
    setMessages((list) => markEnded(list, 'stopped'));
    if (reply) void showSaved(reply);
  }

  // The server keeps what it had sent when the client left, and some of it was still in flight
  // (not shown yet): show the reply as saved, so the screen matches what a reload shows.
  async function showSaved(replyId: string) {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const saved = await api.getConversation(id).then(
        (conversation) => conversation.messages.find((m) => m.id === replyId && interruption(m)),
        () => undefined,
      );
      if (saved) {
        setMessages((list) =>
          list.map((m) =>
            m.id === replyId ? { ...m, parts: saved.parts, metadata: saved.metadata } : m,
          ),
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  const last = messages.at(-1);
  // A reply that failed or was stopped before its first token has nothing to show.
  const visible = messages.filter(
    (message) => message.role === 'user' || hasContent(message) || (busy && message === last),
  );
  const shownError = refusal ?? (error ? errorText(error) : undefined);

  return (
    <section className="chat" aria-label="Conversation">
      <div className="messages" ref={ref} onScroll={onScroll} data-testid="messages">
        {messages.length === 0 ? (
          <div className="empty" data-testid="empty-state">
            <h2>How can I help?</h2>
            <p className="muted">
              Replies stream in as they are written. Press Escape to stop one.
            </p>
            {docs && <DocsNotice docs={docs} />}
            <ul className="suggestions" aria-label="Suggestions">
              {(docs?.chunks && docs.suggestions?.length ? docs.suggestions : SUGGESTIONS).map(
                (text) => (
                  <li key={text}>
                    <button
                      type="button"
                      className="suggestion"
                      disabled={disabled}
                      onClick={() => send(text)}
                      data-testid="suggestion"
                    >
                      {text}
                    </button>
                  </li>
                ),
              )}
            </ul>
          </div>
        ) : (
          <div role="log" aria-live="polite" aria-relevant="additions" className="message-list">
            {visible.map((message) => {
              const isLast = message === visible.at(-1);
              return (
                <Message
                  key={message.id}
                  message={message}
                  streaming={busy && message === last && message.role === 'assistant'}
                  canEdit={!busy}
                  canRegenerate={!busy && isLast && message.role === 'assistant'}
                  canContinue={!busy && isLast && !shownError}
                  onEdit={edit}
                  onRegenerate={retry}
                  onContinue={continueReply}
                />
              );
            })}
            {status === 'submitted' && last?.role === 'user' && (
              <article className="message assistant" data-testid="message-pending" aria-busy>
                <span className="typing" role="status" aria-label="Assistant is thinking" />
              </article>
            )}
          </div>
        )}
        {shownError && (
          <div className="error-banner" role="alert" data-testid="chat-error">
            <span>{shownError}</span>
            {!refusal && (
              <button type="button" className="button" onClick={retry} data-testid="retry-button">
                Retry
              </button>
            )}
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
      <Composer
        value={draft}
        onChange={setDraft}
        busy={busy}
        disabled={disabled}
        maxChars={maxChars}
        onSend={send}
        onStop={() => void stopReply()}
      />
    </section>
  );
}

/** What the chat answers from: the ingested documents, or how to ingest them. */
function DocsNotice({ docs }: { docs: DocsStatus }) {
  if (docs.error) {
    return (
      <p className="docs-notice error-banner" role="alert" data-testid="docs-error">
        {docs.error}
      </p>
    );
  }
  return docs.chunks === 0 ? (
    <p className="docs-notice" data-testid="docs-empty">
      No documents are ingested yet. Run <code>make ingest</code> (it reads the RAG part&apos;s{' '}
      <code>docs/</code> folder), then reload: replies will cite the passages they use.
    </p>
  ) : (
    <p className="docs-notice" data-testid="docs-ready">
      Answers come from your {docs.documents} documents ({docs.chunks} passages), with sources you
      can open.
    </p>
  );
}
