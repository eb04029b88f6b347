import { expect, test } from '@playwright/test';
import { ChatPage } from './pages/chat-page';

// The backend's upstream here is backend/tests/scripted_llm.py: "[evil]" gets hostile markdown.

test('a malicious model reply renders inert', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const external: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('http://127.0.0.1')) external.push(request.url());
  });

  const chat = new ChatPage(page);
  await chat.goto();
  // The user's own text (and so the conversation title) is hostile too.
  const hostileQuestion = `<img src="x" onerror="window.__pwned = 'title'"> hi [evil]`;
  await chat.send(hostileQuestion);
  await chat.waitForReplyDone();
  await expect(chat.userMessages).toHaveText([hostileQuestion]);
  const reply = chat.lastReply;
  await expect(reply).toContainText('The end.');

  // Raw HTML shows as text; nothing executable or remote made it into the DOM.
  await expect(reply).toContainText('<script>window.__pwned = "script"</script>');
  await expect(reply).toContainText(`<img src="x" onerror="window.__pwned = 'img'">`);
  await expect(
    reply.locator('script, iframe, object, embed, svg, img, [onerror], [onload]'),
  ).toHaveCount(0);
  await expect(reply.getByText('[image: tracker]')).toBeVisible();
  const hrefs = await reply
    .locator('a[href]')
    .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  expect(hrefs).toEqual(['https://example.com/docs']);

  // The javascript: link is plain text: clicking it does nothing.
  await reply.getByText('click me').click();
  await reply.getByText('html link').click();
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(external).toEqual([]);

  await expect(chat.sidebar.locator('img')).toHaveCount(0);
  await expect(page.locator('main img, nav img')).toHaveCount(0);

  // Reloaded from the database, it is still inert.
  await page.reload();
  await expect(chat.lastReply).toContainText('The end.');
  await expect(chat.lastReply.locator('script, iframe, img, svg, [onerror]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
});
