import type { UIMessage } from 'ai';

/** The message type shared by the chat, the API client and the backend (AI SDK v5 UI message). */
export type ChatMessage = UIMessage;

export type ConversationSummary = {
  id: string;
  title: string;
  created_at: string;
  updated_at: string;
};

export type Conversation = {
  id: string;
  title: string;
  messages: ChatMessage[];
};

export type ModelList = {
  models: { id: string }[];
  default: string;
  /** The longest message the server accepts from the user (MAX_MESSAGE_CHARS). */
  max_message_chars?: number;
  /** Set when the chat answers from documents (the RAG part): how many are ingested. */
  docs?: DocsStatus;
};

export type DocsStatus = {
  documents: number;
  chunks: number;
  error?: string;
  /** Questions the ingested documents answer (a section of each), for the empty state. */
  suggestions?: string[];
};

/**
 * How a reply ended, as the server stores it in the message's metadata:
 * `stop` (complete), `length` (cut off by the token limit), `stopped` (the user stopped it or
 * left the conversation) or `error` (the model server failed mid-reply).
 */
export type FinishReason = 'stop' | 'length' | 'stopped' | 'error';

/** Whether a reply ended before the model finished it (show it as cut off, offer Continue). */
export function interruption(message: ChatMessage): Exclude<FinishReason, 'stop'> | undefined {
  const reason = (message.metadata as { finishReason?: FinishReason } | undefined)?.finishReason;
  return message.role === 'assistant' && reason && reason !== 'stop' ? reason : undefined;
}

/** The plain text of a message (its text parts, joined). */
export function messageText(message: ChatMessage): string {
  return message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** Whether a message has anything to show (a reply can end before its first token). */
export function hasContent(message: ChatMessage): boolean {
  return message.parts.some((part) => part.type !== 'step-start');
}
