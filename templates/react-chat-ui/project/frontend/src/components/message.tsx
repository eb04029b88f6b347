import { type KeyboardEvent, lazy, Suspense, useState } from 'react';
import { type ChatMessage, type FinishReason, interruption, messageText } from '../lib/types';
import { CopyButton } from './copy-button';
import { citationsOf, SourcesPanel, sourcesOf, withCitationLinks } from './sources';

// The markdown pipeline (unified, micromark, sanitizer) is loaded after first paint;
// until it arrives a reply shows as plain text.
const loadMarkdown = () => import('./markdown');
const Markdown = lazy(loadMarkdown);
export const preloadMarkdown = () => void loadMarkdown();

type Props = {
  message: ChatMessage;
  streaming: boolean;
  canEdit: boolean;
  canRegenerate: boolean;
  /** Offer Continue when this reply was cut off (the last message, nothing streaming). */
  canContinue?: boolean;
  onEdit: (messageId: string, text: string) => void;
  onRegenerate: () => void;
  onContinue?: () => void;
};

const ENDED: Record<Exclude<FinishReason, 'stop'>, string> = {
  stopped: 'Stopped before the end',
  length: 'Cut off: the reply reached its length limit',
  error: 'Cut off: the model server failed',
};

export function Message({
  message,
  streaming,
  canEdit,
  canRegenerate,
  canContinue = false,
  onEdit,
  onRegenerate,
  onContinue,
}: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [openSource, setOpenSource] = useState<number>();
  const text = messageText(message);
  const sources = sourcesOf(message);
  const citations = citationsOf(message);
  const isUser = message.role === 'user';
  const ended = streaming ? undefined : interruption(message);

  function startEdit() {
    setDraft(text);
    setEditing(true);
  }

  function save() {
    const value = draft.trim();
    if (!value) return;
    setEditing(false);
    onEdit(message.id, value);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      setEditing(false);
    }
  }

  return (
    <article
      className={`message ${message.role}`}
      data-testid={`message-${message.role}`}
      data-state={streaming ? 'streaming' : 'done'}
      aria-label={isUser ? 'You' : 'Assistant'}
      aria-busy={streaming}
    >
      {editing ? (
        <div className="edit">
          <label htmlFor={`edit-${message.id}`} className="visually-hidden">
            Edit message
          </label>
          <textarea
            id={`edit-${message.id}`}
            dir="auto"
            data-testid="edit-input"
            value={draft}
            autoFocus
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onKeyDown}
          />
          <div className="actions">
            <button type="button" className="button primary" onClick={save} data-testid="edit-save">
              Save &amp; send
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="content" data-testid="message-content" dir="auto">
          {isUser ? (
            <p className="user-text">{text}</p>
          ) : text ? (
            <Suspense fallback={<p className="user-text">{text}</p>}>
              {sources.length ? (
                <Markdown
                  text={withCitationLinks(text, sources, citations)}
                  onCite={setOpenSource}
                />
              ) : (
                <Markdown text={text} />
              )}
            </Suspense>
          ) : streaming ? (
            <span className="typing" role="status" aria-label="Assistant is thinking" />
          ) : (
            <p className="muted">(empty reply)</p>
          )}
        </div>
      )}
      {sources.length > 0 && (
        <SourcesPanel
          sources={sources}
          citations={citations}
          open={openSource}
          onOpen={setOpenSource}
        />
      )}
      {ended && (
        <p className="interrupted" data-testid="interrupted" data-reason={ended}>
          <span>{ENDED[ended]}</span>
          {canContinue && onContinue && (
            <button
              type="button"
              className="button small"
              onClick={onContinue}
              data-testid="continue-button"
            >
              Continue
            </button>
          )}
        </p>
      )}
      {!editing && !streaming && (
        <div className="actions">
          <CopyButton text={text} />
          {isUser && canEdit && (
            <button
              type="button"
              className="icon-button"
              onClick={startEdit}
              data-testid="edit-button"
            >
              Edit
            </button>
          )}
          {canRegenerate && (
            <button
              type="button"
              className="icon-button"
              onClick={onRegenerate}
              data-testid="regenerate-button"
            >
              Regenerate
            </button>
          )}
        </div>
      )}
    </article>
  );
}
