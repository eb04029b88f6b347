import { expect, test } from '@playwright/test';
import { ChatPage } from './pages/chat-page';

// Two browser contexts are two people: each has its own guest session (a signed cookie).

test("one browser cannot see or change another's conversations", async ({ browser }) => {
  const alice = await browser.newContext();
  const bob = await browser.newContext();
  try {
    const alicePage = await alice.newPage();
    const chat = new ChatPage(alicePage);
    await chat.goto();
    await chat.send('Alice’s private question');
    await chat.waitForReplyDone();
    const id = chat.conversationId()!;
    await expect(chat.conversations).toHaveCount(1);

    const bobPage = await bob.newPage();
    const bobChat = new ChatPage(bobPage);
    await bobChat.goto();
    await expect(bobChat.sidebar).toContainText('No conversations yet.');
    // Alice's link shows Bob nothing of hers.
    await bobPage.goto(`/?c=${id}`);
    await expect(bobPage.getByTestId('load-error')).toContainText('does not exist');
    const path = `/api/conversations/${id}`;
    expect((await bob.request.get(path)).status()).toBe(404);
    expect((await bob.request.patch(path, { data: { title: 'Bob was here' } })).status()).toBe(404);
    expect((await bob.request.delete(path)).status()).toBe(404);
    const hijack = await bob.request.post('/api/chat', {
      data: {
        id,
        trigger: 'submit-message',
        messages: [{ id: 'b1', role: 'user', parts: [{ type: 'text', text: 'mine now' }] }],
      },
    });
    expect(hijack.status()).toBe(404);

    // Alice still has it, unchanged.
    await chat.page.reload();
    await expect(chat.userMessages).toHaveText(['Alice’s private question']);
    await expect(chat.conversations).toHaveCount(1);
    const title = (await (await alice.request.get(path)).json()).title;
    expect(title).toBe('Alice’s private question');
  } finally {
    await alice.close();
    await bob.close();
  }
});
