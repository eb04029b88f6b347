import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { ConversationSummary } from '../lib/types';

type Props = {
  conversations: ConversationSummary[] | undefined;
  loadError: string | undefined;
  activeId: string;
  open: boolean;
  onSelect: (id: string) => void;
  onNew: () => void;
  onRename: (id: string, title: string) => void;
  onDelete: (id: string) => void;
  onRetry: () => void;
  /** Closes the drawer (small screens). */
  onClose: () => void;
};

export function Sidebar(props: Props) {
  const { conversations, loadError, activeId, open, onSelect, onNew, onRetry, onClose } = props;
  const newChatButton = useRef<HTMLButtonElement>(null);

  // On small screens the sidebar is a drawer: focus moves into it, and Escape closes it.
  useEffect(() => {
    if (open) newChatButton.current?.focus();
  }, [open]);

  return (
    <nav
      onKeyDown={(event) => {
        if (open && event.key === 'Escape' && !event.defaultPrevented) onClose();
      }}
      id="sidebar"
      className={`sidebar${open ? ' open' : ''}`}
      aria-label="Conversations"
      data-testid="sidebar"
    >
      <button
        ref={newChatButton}
        type="button"
        className="button primary new-chat"
        onClick={onNew}
        data-testid="new-chat"
      >
        New chat
      </button>
      {loadError ? (
        <div role="alert" className="sidebar-error">
          <p>{loadError}</p>
          <button type="button" className="button" onClick={onRetry}>
            Retry
          </button>
        </div>
      ) : conversations === undefined ? (
        <p className="muted">Loading…</p>
      ) : conversations.length === 0 ? (
        <p className="muted">No conversations yet.</p>
      ) : (
        <ul className="conversation-list">
          {conversations.map((conversation) => (
            <ConversationItem
              key={conversation.id}
              conversation={conversation}
              active={conversation.id === activeId}
              onSelect={onSelect}
              onRename={props.onRename}
              onDelete={props.onDelete}
            />
          ))}
        </ul>
      )}
    </nav>
  );
}

type ItemProps = {
  conversation: ConversationSummary;
  active: boolean;
  onSelect: (id: string) => void;
  onRename: (id: string, title: string) => void;
  onDelete: (id: string) => void;
};

function ConversationItem({ conversation, active, onSelect, onRename, onDelete }: ItemProps) {
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState(conversation.title);
  const name = conversation.title || 'Untitled';

  function submit(event: FormEvent) {
    event.preventDefault();
    setRenaming(false);
    const value = title.trim();
    if (value && value !== conversation.title) onRename(conversation.id, value);
  }

  if (renaming) {
    return (
      <li className="conversation">
        <form onSubmit={submit} className="rename">
          <label htmlFor={`rename-${conversation.id}`} className="visually-hidden">
            New title
          </label>
          <input
            id={`rename-${conversation.id}`}
            data-testid="rename-input"
            value={title}
            autoFocus
            maxLength={200}
            onChange={(event) => setTitle(event.target.value)}
            onBlur={submit}
            onKeyDown={(event) => {
              if (event.key !== 'Escape') return;
              event.preventDefault(); // cancel the rename only, keep the drawer open
              setRenaming(false);
            }}
          />
        </form>
      </li>
    );
  }

  return (
    <li className={`conversation${active ? ' active' : ''}`} data-testid="conversation-item">
      <button
        type="button"
        className="conversation-title"
        aria-current={active ? 'page' : undefined}
        onClick={() => onSelect(conversation.id)}
        title={name}
      >
        {name}
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label={`Rename ${name}`}
        onClick={() => {
          setTitle(conversation.title);
          setRenaming(true);
        }}
      >
        ✎
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label={`Delete ${name}`}
        data-testid="delete-conversation"
        onClick={() => window.confirm(`Delete “${name}”?`) && onDelete(conversation.id)}
      >
        ✕
      </button>
    </li>
  );
}
