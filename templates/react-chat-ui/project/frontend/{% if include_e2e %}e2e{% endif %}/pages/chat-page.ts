import { expect, type Locator, type Page } from '@playwright/test';

/** The chat UI as a user sees it; specs talk to this, not to selectors. */
export class ChatPage {
  readonly input: Locator;
  readonly sendButton: Locator;
  readonly stopButton: Locator;
  /** The text of each user message (without its action buttons). */
  readonly userMessages: Locator;
  /** Each assistant message, with `data-state` = streaming | done. */
  readonly assistantMessages: Locator;
  readonly sidebar: Locator;
  readonly conversations: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.input = page.getByTestId('composer-input');
    this.sendButton = page.getByTestId('send-button');
    this.stopButton = page.getByTestId('stop-button');
    this.userMessages = page.getByTestId('message-user').getByTestId('message-content');
    this.assistantMessages = page.getByTestId('message-assistant');
    this.sidebar = page.getByTestId('sidebar');
    this.conversations = page.getByTestId('conversation-item');
    this.error = page.getByTestId('chat-error');
  }

  get lastAssistant(): Locator {
    return this.assistantMessages.last();
  }

  /** The rendered text of the last reply (without its action buttons). */
  get lastReply(): Locator {
    return this.lastAssistant.getByTestId('message-content');
  }

  async goto(path = '/') {
    await this.page.goto(path);
    await expect(this.input).toBeVisible();
  }

  /** Types into the composer and presses Enter, as a user would. */
  async send(text: string) {
    await this.input.fill(text);
    await this.input.press('Enter');
  }

  /** Waits for the reply to end; a small model on a busy 2-core CPU can take a while. */
  async waitForReplyDone() {
    await expect(this.sendButton).toBeVisible({ timeout: 150_000 });
    await expect(this.lastAssistant).toHaveAttribute('data-state', 'done');
    await expect(this.error).toHaveCount(0);
  }

  conversationId(): string | null {
    return new URL(this.page.url()).searchParams.get('c');
  }

  /** Records the length of the last reply on every DOM change, to prove it streams in. */
  async recordReplyLengths() {
    await this.page.evaluate(() => {
      const lengths: number[] = [];
      (window as unknown as { __lengths: number[] }).__lengths = lengths;
      new MutationObserver(() => {
        const replies = document.querySelectorAll('[data-testid="message-assistant"]');
        const content = replies[replies.length - 1]?.querySelector(
          '[data-testid="message-content"]',
        );
        const length = content?.textContent?.length ?? 0;
        if (length && length !== lengths.at(-1)) lengths.push(length);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  }

  async replyLengths(): Promise<number[]> {
    return this.page.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
  }
}
