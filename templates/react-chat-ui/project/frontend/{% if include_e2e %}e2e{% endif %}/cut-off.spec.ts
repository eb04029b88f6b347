import { expect, test } from '@playwright/test';
import { ChatPage } from './pages/chat-page';

// The backend's upstream here is backend/tests/scripted_llm.py: "[slow]" streams a long reply slowly.

test('a stopped reply is marked, and Continue extends that same reply', async ({ page }) => {
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

  const path = `/api/conversations/${chat.conversationId()}`;
  type Stored = { messages: { role: string; parts: { text: string }[] }[] };
  const stored = async () => (await page.request.get(path)).json() as Promise<Stored>;
  const partial = (await stored()).messages[1].parts[0].text;

  await chat.lastAssistant.getByTestId('continue-button').click();
  await chat.waitForReplyDone();
  // No "Continue." message: the one reply grew, and it is no longer marked as cut off.
  await expect(chat.userMessages).toHaveText(['Tell me everything [slow]']);
  await expect(chat.assistantMessages).toHaveCount(1);
  await expect(chat.lastAssistant.getByTestId('interrupted')).toHaveCount(0);
  const { messages } = await stored();
  expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  expect(messages[1].parts[0].text.startsWith(partial)).toBe(true);
  expect(messages[1].parts[0].text.length).toBeGreaterThan(partial.length);
  await page.reload();
  await expect(chat.userMessages).toHaveCount(1);
  await expect(chat.assistantMessages).toHaveCount(1);
  await expect(chat.lastAssistant.getByTestId('interrupted')).toHaveCount(0);
});

test('sidebar search finds conversations by title and by message text', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.send('Packing list for Lisbon');
  await chat.waitForReplyDone();
  await chat.send('Also: umbrella_or_not?');
  await chat.waitForReplyDone();
  await page.getByTestId('new-chat').click();
  await chat.send('Sourdough starter tips');
  await chat.waitForReplyDone();
  await expect(chat.conversations).toHaveCount(2);

  const search = page.getByRole('searchbox', { name: 'Search conversations' });
  await search.focus();
  await page.keyboard.type('sourdough');
  await expect(chat.conversations).toHaveText(['Sourdough starter tips']);
  await search.fill('UMBRELLA_OR'); // only in a later message: the server finds it
  await expect(chat.conversations).toHaveText(['Packing list for Lisbon']);
  await search.fill('no such words');
  await expect(chat.sidebar.getByRole('status')).toHaveText(/No conversations match/);
  await search.press('Escape');
  await expect(search).toHaveValue('');
  await expect(chat.conversations).toHaveCount(2);
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
