import { expect, test } from '@playwright/test';
import { ChatPage } from './pages/chat-page';

// The upstream here is backend/tests/scripted_llm.py: it answers 503 to a message containing "[outage]".

test('an upstream failure shows a clear error with Retry, never a hung spinner', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto();

  await chat.send('[outage] are you there?');
  await expect(chat.error).toBeVisible({ timeout: 15_000 });
  await expect(chat.error).toContainText('503');
  await expect(chat.error).toContainText('scripted outage');
  await expect(chat.sendButton).toBeVisible();
  await expect(page.getByTestId('message-pending')).toHaveCount(0);
  await expect(chat.assistantMessages).toHaveCount(0);

  // Retry sends the same history again (and fails again, visibly, not silently).
  const retried = page.waitForRequest((r) => r.postDataJSON()?.trigger === 'regenerate-message');
  await chat.error.getByRole('button', { name: 'Retry' }).click();
  await retried;
  await expect(chat.error).toContainText('scripted outage');
  await expect(chat.userMessages).toHaveText(['[outage] are you there?']);

  // The next normal message works and clears the error.
  await chat.send('hello again');
  await chat.waitForReplyDone();
  await expect(chat.lastReply).toContainText('This is the scripted model.');
});
