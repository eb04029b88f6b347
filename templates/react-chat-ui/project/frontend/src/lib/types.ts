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
};

/** The plain text of a message (its text parts, joined). */
export function messageText(message: ChatMessage): string {
  return message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** Whether a message has anything to show (a reply can end before its first token). */
export function hasContent(message: ChatMessage): boolean {
  return message.parts.some((part) => part.type !== 'step-start');
}
