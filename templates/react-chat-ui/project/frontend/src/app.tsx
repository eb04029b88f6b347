import { generateId } from 'ai';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Chat } from './components/chat';
import { ModelPicker } from './components/model-picker';
import { Sidebar } from './components/sidebar';
import { ThemeToggle } from './components/theme-toggle';
import { api, ApiError } from './lib/api';
import type { ChatMessage, ConversationSummary, ModelList } from './lib/types';

const MODEL_KEY = 'chat.model';

type Active =
  | { id: string; state: 'new' }
  | { id: string; state: 'loading' }
  | { id: string; state: 'ready'; messages: ChatMessage[] }
  | { id: string; state: 'error'; error: string; notFound: boolean };

function idFromUrl(): string | null {
  return new URLSearchParams(window.location.search).get('c');
}

function setUrl(id: string | null, mode: 'push' | 'replace' = 'push') {
  const url = new URL(window.location.href);
  if (id) url.searchParams.set('c', id);
  else url.searchParams.delete('c');
  if (url.href !== window.location.href) window.history[`${mode}State`](null, '', url);
}

/** The sidebar's search in message text: the ids of the conversations the server finds. */
const searchMessages = async (query: string) =>
  (await api.listConversations(query)).map((conversation) => conversation.id);

/** What a proxy or a starting server answers before the backend can serve (not a real failure). */
const STARTING = new Set([502, 503, 504]);

export function App() {
  const [active, setActive] = useState<Active>(() => {
    const id = idFromUrl();
    return id ? { id, state: 'loading' } : { id: generateId(), state: 'new' };
  });
  const [conversations, setConversations] = useState<ConversationSummary[]>();
  const [listError, setListError] = useState<string>();
  const [models, setModels] = useState<ModelList>();
  const [model, setModel] = useState<string | undefined>(
    () => localStorage.getItem(MODEL_KEY) ?? undefined,
  );
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);

  const refresh = useCallback(async () => {
    try {
      setConversations(await api.listConversations());
      setListError(undefined);
    } catch (error) {
      setListError(error instanceof Error ? error.message : String(error));
    }
  }, []);

  // Right after `make dev` the backend is still loading the model (40-60 s for the local one) and
  // the dev server answers 502; a model server that is starting answers 503: say so, ask again.
  const [modelLoading, setModelLoading] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    let retried = false;
    const loadModels = () =>
      api
        .listModels()
        .then((list) => {
          if (cancelled) return;
          setModelLoading(false);
          setModels(list);
          setModel((current) =>
            current && list.models.some((m) => m.id === current) ? current : list.default,
          );
          if (retried) void refresh(); // the list failed too while the backend was starting
        })
        .catch((error) => {
          if (cancelled) return;
          if (error instanceof ApiError && STARTING.has(error.status)) {
            setModelLoading(true);
            retried = true;
            timer = setTimeout(loadModels, 2000);
          } else {
            setModelLoading(false);
            setModels({ models: [], default: '' });
          }
        });
    void refresh();
    void loadModels();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [refresh]);

  const load = useCallback(async (id: string) => {
    setActive({ id, state: 'loading' });
    try {
      const conversation = await api.getConversation(id);
      setActive({ id, state: 'ready', messages: conversation.messages });
    } catch (error) {
      const notFound = error instanceof ApiError && error.status === 404;
      const message = notFound
        ? 'This conversation does not exist (it may have been deleted).'
        : error instanceof Error
          ? error.message
          : String(error);
      setActive({ id, state: 'error', error: message, notFound });
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, for the URL at startup
  useEffect(() => {
    if (active.state === 'loading') void load(active.id);
    // Load only what the URL named at startup; later loads go through select().
  }, []);

  const activeId = useRef(active.id);
  activeId.current = active.id;
  useEffect(() => {
    const onPopState = () => {
      const id = idFromUrl();
      if (id === activeId.current) return; // an in-page link (a footnote) changed only the #hash
      if (id) void load(id);
      else setActive({ id: generateId(), state: 'new' });
    };
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, [load]);

  function select(id: string) {
    setSidebarOpen(false);
    if (id === active.id) return;
    setUrl(id);
    void load(id);
  }

  function newChat() {
    setSidebarOpen(false);
    setUrl(null);
    setActive({ id: generateId(), state: 'new' });
    document.getElementById('composer-input')?.focus();
  }

  /** The server accepted the first message: the conversation exists, name it in the URL. */
  function onSend() {
    setUrl(active.id, 'replace');
    setConversations((list) =>
      list && !list.some((c) => c.id === active.id)
        ? [{ id: active.id, title: 'New chat', created_at: '', updated_at: '' }, ...list]
        : list,
    );
  }

  async function rename(id: string, title: string) {
    try {
      await api.renameConversation(id, title);
    } catch (error) {
      setListError(error instanceof Error ? error.message : String(error));
    }
    await refresh();
  }

  async function remove(id: string) {
    try {
      await api.deleteConversation(id);
      if (id === active.id) newChat();
    } catch (error) {
      setListError(error instanceof Error ? error.message : String(error));
    }
    await refresh();
  }

  function chooseModel(id: string) {
    setModel(id);
    localStorage.setItem(MODEL_KEY, id);
  }

  return (
    <div className="app">
      <header className="topbar">
        <button
          ref={menuButton}
          type="button"
          className="icon-button menu"
          aria-label="Conversations"
          aria-controls="sidebar"
          aria-expanded={sidebarOpen}
          onClick={() => setSidebarOpen((open) => !open)}
        >
          ☰
        </button>
        <h1>{document.title}</h1>
        <ModelPicker models={models} value={model} onChange={chooseModel} />
        <ThemeToggle />
      </header>
      <Sidebar
        conversations={conversations}
        loadError={modelLoading ? undefined : listError}
        activeId={active.id}
        open={sidebarOpen}
        onSelect={select}
        onNew={newChat}
        onRename={rename}
        onDelete={remove}
        onRetry={refresh}
        searchMessages={searchMessages}
        onClose={() => {
          setSidebarOpen(false);
          menuButton.current?.focus();
        }}
      />
      {sidebarOpen && (
        <div className="scrim" aria-hidden="true" onClick={() => setSidebarOpen(false)} />
      )}
      <main className="main">
        {modelLoading && (
          <p className="status model-loading" role="status" data-testid="model-loading">
            The model is loading: the chat is ready in a minute or less (this page retries on its
            own).
          </p>
        )}
        {active.state === 'loading' ? (
          <p className="status muted" role="status">
            Loading conversation…
          </p>
        ) : active.state === 'error' ? (
          <div className="status error-banner" role="alert" data-testid="load-error">
            <span>{active.error}</span>
            {active.notFound ? (
              <button type="button" className="button" onClick={newChat}>
                New chat
              </button>
            ) : (
              <button type="button" className="button" onClick={() => void load(active.id)}>
                Retry
              </button>
            )}
          </div>
        ) : (
          <Chat
            key={active.id}
            id={active.id}
            initialMessages={active.state === 'ready' ? active.messages : []}
            model={model}
            maxChars={models?.max_message_chars}
            docs={models?.docs}
            disabled={modelLoading}
            onSend={onSend}
            onSettled={refresh}
          />
        )}
      </main>
    </div>
  );
}
