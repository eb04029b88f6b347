import { expect, test } from '@playwright/test';
import { ChatPage } from '../e2e/pages/chat-page';

// The backend answers from three ingested docs (hnsw.md, pgvector.md, chunking.md); its model,
// backend/tests/scripted_llm.py, repeats source 1's first sentence, with [1] and a bogus [7] when
// the question says [cite], and says something no passage says for [unanswerable].

test('citation chips open the passage they cite, and survive a reload', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  await expect(page.getByTestId('docs-ready')).toContainText('3 documents');
  await chat.send('How does an HNSW search move through the graph layers? [cite]');
  await chat.waitForReplyDone();

  const reply = chat.lastAssistant;
  const chips = reply.getByTestId('cite-chip');
  await expect(chips).toHaveCount(1); // [1]; the model's [7] names no source: no chip
  await expect(reply.getByTestId('invalid-citations')).toContainText('[7]');
  await expect(reply.getByTestId('source-item')).toHaveCount(4);
  await expect(reply.getByTestId('source-item').first()).toHaveAttribute('data-cited', 'true');

  const sentence = (await chat.lastReply.innerText()).split('Some say')[0].slice(0, 40);
  await chips.first().click();
  const passage = reply.getByTestId('passage');
  await expect(passage).toHaveAttribute('data-n', '1');
  await expect(passage).toContainText('hnsw.md');
  await expect(reply.getByTestId('passage-text')).toContainText(sentence);
  await page.screenshot({ path: 'screenshots/citations-desktop.png' });

  await page.reload();
  const again = chat.lastAssistant;
  await expect(again.getByTestId('cite-chip')).toHaveCount(1);
  await again.getByTestId('cite-chip').click();
  await expect(again.getByTestId('passage-text')).toContainText(sentence);
});

test('without [n] markers the server marks the sentence a passage supports', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.send('What is pgvector?');
  await chat.waitForReplyDone();
  const chip = chat.lastAssistant.getByTestId('cite-chip');
  await expect(chip).toHaveCount(1);
  await expect(chip).toHaveClass(/supported/);
  const n = await chip.getAttribute('data-n');
  await chip.click();
  await expect(chat.lastAssistant.getByTestId('passage')).toHaveAttribute('data-n', n ?? '');
  await expect(chat.lastAssistant.getByTestId('passage')).toContainText('pgvector.md');
});

test('an unanswerable question shows no citations', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  // On topic, so passages are found (an off-topic one finds none: the relevance floor); the
  // scripted model then writes a sentence no passage says.
  await chat.send('How does an HNSW index find nearest neighbours? [unanswerable]');
  await chat.waitForReplyDone();
  await expect(chat.lastAssistant.getByTestId('sources')).toContainText('none cited');
  await expect(chat.lastAssistant.getByTestId('cite-chip')).toHaveCount(0);
});

test('citations on a phone; regenerate and the conversation list keep them', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.send('How are documents split into chunks? [cite]');
  await chat.waitForReplyDone();
  await chat.lastAssistant.getByTestId('cite-chip').click();
  await expect(chat.lastAssistant.getByTestId('passage')).toBeVisible();
  await page.screenshot({ path: 'screenshots/citations-phone.png' });

  await chat.lastAssistant.getByTestId('regenerate-button').click();
  await chat.waitForReplyDone();
  await expect(chat.lastAssistant.getByTestId('cite-chip')).toHaveCount(1);

  const id = chat.conversationId();
  await chat.goto('/');
  await page.getByRole('button', { name: 'Conversations' }).click();
  await chat.conversations.filter({ hasText: 'How are documents split' }).first().click();
  expect(chat.conversationId()).toBe(id);
  await expect(chat.lastAssistant.getByTestId('cite-chip')).toHaveCount(1);
});
