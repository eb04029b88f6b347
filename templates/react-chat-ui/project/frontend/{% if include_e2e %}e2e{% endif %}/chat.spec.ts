import { expect, test } from '@playwright/test';
import { ChatPage } from './pages/chat-page';

// Runs against the real backend and the bundled SmolLM2 model: assert shape, not facts.

test('a reply streams in, then persists across a reload', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.recordReplyLengths();

  await chat.send('Write a short poem about the sea.');
  await expect(chat.userMessages).toHaveText(['Write a short poem about the sea.']);
  await expect(chat.stopButton).toBeVisible();
  await chat.waitForReplyDone();

  const lengths = await chat.replyLengths();
  expect(lengths.length, `reply grew in steps: ${lengths}`).toBeGreaterThanOrEqual(3);
  expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
  const reply = await chat.lastReply.innerText();
  expect(reply.trim().length).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/chat.png', fullPage: true });

  // Reload: the conversation is in the URL and in the sidebar, marked current.
  const id = chat.conversationId();
  expect(id).toBeTruthy();
  await page.reload();
  await expect(chat.userMessages).toHaveText(['Write a short poem about the sea.']);
  await expect(chat.lastReply).toHaveText(reply);
  await expect(chat.sidebar.locator('[aria-current="page"]')).toHaveCount(1);

  // From a fresh start the sidebar still lists it, and opening it restores the messages.
  const response = await page.request.get('/api/conversations');
  const summary = ((await response.json()) as { id: string; title: string }[]).find(
    (c) => c.id === id,
  );
  expect(summary).toBeTruthy();
  await chat.goto('/');
  await expect(chat.userMessages).toHaveCount(0);
  await chat.sidebar
    .getByRole('button', { name: summary!.title || 'Untitled', exact: true })
    .first()
    .click();
  await expect(chat.userMessages).toHaveText(['Write a short poem about the sea.']);
  expect(chat.conversationId()).toBe(id);
});

test('Stop ends the stream and the partial reply is kept', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();

  await chat.send('Tell me a long story about a dragon who learns to cook. Use many details.');
  await expect(chat.lastAssistant).toHaveAttribute('data-state', 'streaming');
  await expect(chat.lastReply).not.toHaveText('');
  await chat.stopButton.click();

  await expect(chat.sendButton).toBeVisible({ timeout: 5_000 });

  // The server saved the partial reply; the page then shows it as saved (the words that were
  // still in flight at Stop included), and nothing more arrives.
  const id = chat.conversationId();
  await expect
    .poll(async () => {
      const conversation = await (await page.request.get(`/api/conversations/${id}`)).json();
      return conversation.messages?.length;
    })
    .toBe(2);
  await page.waitForTimeout(1_500);
  const partial = await chat.lastReply.innerText();
  await page.waitForTimeout(1_500);
  expect(await chat.lastReply.innerText(), 'no tokens after Stop').toBe(partial);
  await page.reload();
  await expect(chat.assistantMessages).toHaveCount(1);
  await expect(chat.lastReply).not.toHaveText('');
  await expect
    .poll(() => chat.lastReply.innerText(), { message: 'what was shown is what was saved' })
    .toBe(partial);
});

test('Regenerate replaces the last reply', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  // Stopping early keeps this test fast on a slow CPU; a stopped reply can be regenerated too.
  await chat.send('Say hello in one sentence.');
  await expect(chat.lastReply).not.toHaveText('');
  await chat.stopButton.click();
  await expect(chat.sendButton).toBeVisible();

  const request = page.waitForRequest(
    (r) => r.url().endsWith('/api/chat') && r.postDataJSON()?.trigger === 'regenerate-message',
  );
  await chat.lastAssistant.getByTestId('regenerate-button').click();
  const body = (await request).postDataJSON();
  expect(body.messages.map((m: { role: string }) => m.role)).toEqual(['user']);
  // The old reply is replaced in place by a new one that streams in.
  await expect(chat.lastAssistant).toHaveAttribute('data-state', 'streaming');
  await expect(chat.assistantMessages).toHaveCount(1);
  await expect(chat.lastReply).not.toHaveText('');
  await chat.stopButton.click();
  await expect(chat.sendButton).toBeVisible();
  await expect(chat.assistantMessages).toHaveCount(1);
  await expect(chat.userMessages).toHaveCount(1);

  // The server kept only the regenerated reply.
  const id = chat.conversationId();
  await expect
    .poll(async () => {
      const conversation = await (await page.request.get(`/api/conversations/${id}`)).json();
      return conversation.messages?.map((m: { role: string }) => m.role).join(',');
    })
    .toBe('user,assistant');
});

test('Edit a question continues from there; Copy copies', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.send('Name a fruit.');
  await expect(chat.lastReply).not.toHaveText('');
  await chat.stopButton.click();
  await expect(chat.sendButton).toBeVisible();

  // Copy puts the reply's text on the clipboard.
  const reply = await chat.lastReply.innerText();
  await chat.lastAssistant.getByTestId('copy-button').click();
  await expect(chat.lastAssistant.getByTestId('copy-button')).toHaveText('Copied');
  expect((await page.evaluate(() => navigator.clipboard.readText())).trim()).toBe(reply.trim());

  // Edit: the old reply goes, the new question gets a new reply.
  await page.getByTestId('message-user').getByTestId('edit-button').click();
  await page.getByTestId('edit-input').fill('Name a vegetable.');
  await page.getByTestId('edit-input').press('Enter');
  await expect(chat.userMessages).toHaveText(['Name a vegetable.']);
  await expect(chat.lastReply).not.toHaveText('');
  await chat.stopButton.click();
  await expect(chat.sendButton).toBeVisible();
  await expect(chat.assistantMessages).toHaveCount(1);

  // The server's copy of the conversation matches what the user sees.
  const id = chat.conversationId();
  await expect
    .poll(async () => {
      const conversation = await (await page.request.get(`/api/conversations/${id}`)).json();
      return conversation.messages?.map((m: { role: string; parts: { text?: string }[] }) =>
        m.role === 'user' ? m.parts.map((p) => p.text).join('') : m.role,
      );
    })
    .toEqual(['Name a vegetable.', 'assistant']);
});

test('keyboard only: send, newline, regenerate, new chat', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();

  await expect(chat.input).toBeFocused();
  await page.keyboard.type('First line');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('Second line');
  await expect(chat.input).toHaveValue('First line\nSecond line');
  await page.keyboard.press('Enter');
  await expect(chat.userMessages).toHaveText(['First line\nSecond line']);
  await chat.waitForReplyDone();
  await expect(chat.input).toBeFocused();

  // Shift+Tab back from the composer reaches the reply's Regenerate button.
  const regenerate = chat.lastAssistant.getByTestId('regenerate-button');
  for (
    let i = 0;
    i < 10 && !(await regenerate.evaluate((el) => el === document.activeElement));
    i++
  ) {
    await page.keyboard.press('Shift+Tab');
  }
  await expect(regenerate).toBeFocused();
  const request = page.waitForRequest((r) => r.postDataJSON()?.trigger === 'regenerate-message');
  await page.keyboard.press('Enter');
  await request;
  // Focus moved to the composer, where Escape stops the reply.
  await expect(chat.input).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(chat.sendButton).toBeVisible({ timeout: 5_000 });

  // Tab from the top of the page reaches "New chat"; Enter starts one with the composer focused.
  const newChat = page.getByTestId('new-chat');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < 10 && !(await newChat.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(newChat).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(chat.userMessages).toHaveCount(0);
  await expect(chat.input).toBeFocused();
  expect(chat.conversationId()).toBeNull();
});

test('auto-scroll follows the reply, but not after the user scrolls up', async ({ page }) => {
  await page.setViewportSize({ width: 900, height: 320 });
  const chat = new ChatPage(page);
  await chat.goto();
  const list = page.getByTestId('messages');
  const gapToBottom = () => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

  await chat.send('Write a long story about a lighthouse keeper and a storm. Use many paragraphs.');
  // The reply overflows the view while it streams, and the view follows it.
  await expect
    .poll(() => list.evaluate((el) => el.scrollHeight > el.clientHeight + 100))
    .toBe(true);
  await expect(chat.lastAssistant).toHaveAttribute('data-state', 'streaming');
  expect(await gapToBottom()).toBeLessThan(60);

  // The user scrolls up to read: the view stays put while tokens keep arriving.
  await list.hover();
  await page.mouse.wheel(0, -5_000);
  await expect(page.getByTestId('jump-button')).toBeVisible();
  const top = await list.evaluate((el) => el.scrollTop);
  const length = (await chat.lastReply.innerText()).length;
  await expect.poll(async () => (await chat.lastReply.innerText()).length).toBeGreaterThan(length);
  expect(await list.evaluate((el) => el.scrollTop)).toBe(top);

  // "Jump to latest" pins it to the bottom again.
  await page.getByTestId('jump-button').click();
  await expect.poll(gapToBottom).toBeLessThan(60);
  await expect(page.getByTestId('jump-button')).toBeHidden();
  await chat.stopButton.click();
  await expect(chat.sendButton).toBeVisible();
});

test('mobile layout: the sidebar is a drawer and the app fills the viewport', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 740 });
  const chat = new ChatPage(page);
  await chat.goto();
  await expect(chat.sidebar).toBeHidden();
  const menu = page.getByRole('button', { name: 'Conversations' });
  await menu.click();
  await expect(chat.sidebar).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('new-chat')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(chat.sidebar).toBeHidden();
  await expect(menu).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(chat.sidebar).toBeVisible();
  await page.getByTestId('new-chat').click();
  await expect(chat.sidebar).toBeHidden();
  const box = await chat.input.boundingBox();
  expect(box!.y + box!.height).toBeLessThanOrEqual(740);
});
