import { expect, test } from '@playwright/test';
import { ChatPage } from '../e2e/pages/chat-page';

test('nothing ingested: the empty state says to run make ingest', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  await expect(page.getByTestId('docs-empty')).toContainText('make ingest');
  await chat.send('What is pgvector? [cite]');
  await chat.waitForReplyDone();
  await expect(chat.lastAssistant.getByTestId('sources')).toHaveCount(0);
  await expect(chat.lastAssistant.getByTestId('cite-chip')).toHaveCount(0);
});
