import { expect, test } from '@playwright/test';
import { ChatPage } from './pages/chat-page';

// The backend's upstream here is e2e/evil-llm.mjs: "[slow]" streams a long reply slowly.

test('a stopped reply is marked, and Continue asks for the rest', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.send('Tell me everything [slow]');
  await expect(chat.lastReply).toContainText('word3');
  await chat.stopButton.click();
  await expect(chat.lastAssistant.getByTestId('interrupted')).toHaveText(/Stopped/);

  // After a reload the server's copy says so too.
  await expect
    .poll(async () => (await page.request.get(`/api/conversations/${chat.conversationId()}`)).ok())
    .toBe(true);
  await page.reload();
  await expect(chat.lastAssistant.getByTestId('interrupted')).toHaveText(/Stopped/);

  await chat.lastAssistant.getByTestId('continue-button').click();
  await expect(chat.userMessages.last()).toHaveText('Continue.');
  await expect(chat.lastAssistant).toHaveAttribute('data-state', 'streaming');
  await chat.stopButton.click();
});

test('leaving a conversation mid-reply leaves it marked as cut off', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.send('First conversation [slow]');
  await expect(chat.lastReply).toContainText('word3');
  const first = chat.conversationId()!;

  await page.getByTestId('new-chat').click(); // the reply is still streaming
  await expect(chat.userMessages).toHaveCount(0);
  await chat.sidebar
    .getByRole('button', { name: 'First conversation [slow]', exact: true })
    .click();
  expect(chat.conversationId()).toBe(first);
  await expect(chat.lastAssistant.getByTestId('interrupted')).toHaveText(/Stopped/);
  await expect(chat.lastAssistant.getByTestId('continue-button')).toBeVisible();
});
