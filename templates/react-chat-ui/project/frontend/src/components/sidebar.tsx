import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { ConversationSummary } from '../lib/types';
import { PencilIcon, PlusIcon, SearchIcon, TrashIcon } from './icons';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Groups conversations (newest first) by when they were last updated, as chat apps do. */
export function groupByDate(
  conversations: ConversationSummary[],
  now = new Date(),
): { label: string; items: ConversationSummary[] }[] {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const labelOf = (updated: string) => {
    const time = Date.parse(updated);
    if (Number.isNaN(time) || time >= today) return 'Today';
    if (time >= today - DAY_MS) return 'Yesterday';
    if (time >= today - 7 * DAY_MS) return 'Previous 7 days';
    if (time >= today - 30 * DAY_MS) return 'Previous 30 days';
    return 'Older';
  };
  const groups: { label: string; items: ConversationSummary[] }[] = [];
  for (const conversation of conversations) {
    const label = labelOf(conversation.updated_at);
    if (groups.at(-1)?.label !== label) groups.push({ label, items: [] });
    groups.at(-1)!.items.push(conversation);
  }
  return groups;
}

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
  /** The ids of the conversations whose messages contain `query` (the server searches them). */
  searchMessages?: (query: string) => Promise<string[]>;
};

/** How long typing pauses before the server is asked to search message text. */
export const SEARCH_DELAY_MS = 250;

/**
 * The search box's query, and the conversations it matches: by title at once, by message text
 * when the server answers (`searchMessages`, after a pause in typing).
 */
function useSearch(
  conversations: ConversationSummary[] | undefined,
  searchMessages: Props['searchMessages'],
) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<{ query: string; ids: Set<string> }>();
  const wanted = query.trim();
  useEffect(() => {
    if (!wanted || !searchMessages) return;
    let current = true;
    const timer = setTimeout(() => {
      searchMessages(wanted).then(
        (ids) => current && setFound({ query: wanted, ids: new Set(ids) }),
        () => {}, // titles still match without the server
      );
    }, SEARCH_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [wanted, searchMessages]);
  const needle = wanted.toLowerCase();
  const shown =
    conversations && needle
      ? conversations.filter(
          (conversation) =>
            conversation.title.toLowerCase().includes(needle) ||
            (found?.query === wanted && found.ids.has(conversation.id)),
        )
      : conversations;
  return { query, setQuery, searching: needle !== '', shown };
}

export function Sidebar(props: Props) {
  const { conversations, loadError, activeId, open, onSelect, onNew, onRetry, onClose } = props;
  const newChatButton = useRef<HTMLButtonElement>(null);
  const { query, setQuery, searching, shown } = useSearch(conversations, props.searchMessages);

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
        <PlusIcon size={16} />
        New chat
      </button>
      <search className="sidebar-search">
        <SearchIcon size={15} />
        <input
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key !== 'Escape' || !query) return;
            event.preventDefault(); // clear the search only, keep the drawer open
            setQuery('');
          }}
          placeholder="Search chats"
          aria-label="Search conversations"
          maxLength={200}
          data-testid="conversation-search"
        />
      </search>
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
      ) : searching && shown?.length === 0 ? (
        <p className="muted" role="status">
          No conversations match “{query.trim()}”.
        </p>
      ) : (
        groupByDate(shown ?? []).map((group) => (
          <section key={group.label} className="conversation-group" aria-label={group.label}>
            <h2 className="group-label">{group.label}</h2>
            <ul className="conversation-list">
              {group.items.map((conversation) => (
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
          </section>
        ))
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
        className="icon-button row-action"
        aria-label={`Rename ${name}`}
        title="Rename"
        onClick={() => {
          setTitle(conversation.title);
          setRenaming(true);
        }}
      >
        <PencilIcon size={15} />
      </button>
      <button
        type="button"
        className="icon-button row-action"
        aria-label={`Delete ${name}`}
        title="Delete"
        data-testid="delete-conversation"
        onClick={() => window.confirm(`Delete “${name}”?`) && onDelete(conversation.id)}
      >
        <TrashIcon size={15} />
      </button>
    </li>
  );
}
