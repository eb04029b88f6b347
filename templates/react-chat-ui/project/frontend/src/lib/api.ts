import type { Conversation, ConversationSummary, ModelList } from './types';

export const CHAT_API = '/api/chat';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * A readable one-line message for an error from useChat or fetch: FastAPI's `{"detail": ...}`
 * bodies are unwrapped, and a network failure says what to check.
 */
export function errorText(error: Error): string {
  if (error instanceof TypeError && /fetch|network/i.test(error.message)) {
    return 'Cannot reach the server. Is the backend running?';
  }
  try {
    const body = JSON.parse(error.message);
    if (typeof body?.detail === 'string') return body.detail;
    if (Array.isArray(body?.detail))
      return body.detail.map((d: { msg?: string }) => d.msg).join('; ');
  } catch {
    // not JSON: the message is already text
  }
  return error.message || 'Something went wrong.';
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { 'Content-Type': 'application/json', ...init?.headers },
    });
  } catch {
    throw new ApiError('Cannot reach the server. Is the backend running?', 0);
  }
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const body = await response.json();
      if (typeof body?.detail === 'string') detail = body.detail;
    } catch {
      // not JSON; keep the status text
    }
    throw new ApiError(`${response.status} ${detail}`.trim(), response.status);
  }
  return response.status === 204 ? (undefined as T) : response.json();
}

export const api = {
  /** Newest first; with `search`, only those whose title or messages contain it. */
  listConversations: (search?: string) =>
    request<ConversationSummary[]>(
      search ? `/api/conversations?q=${encodeURIComponent(search)}` : '/api/conversations',
    ),
  getConversation: (id: string) =>
    request<Conversation>(`/api/conversations/${encodeURIComponent(id)}`),
  renameConversation: (id: string, title: string) =>
    request<unknown>(`/api/conversations/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify({ title }),
    }),
  deleteConversation: (id: string) =>
    request<unknown>(`/api/conversations/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  listModels: () => request<ModelList>('/api/models'),
};
