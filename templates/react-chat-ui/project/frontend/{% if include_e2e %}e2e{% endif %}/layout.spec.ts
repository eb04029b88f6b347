import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { ChatPage } from './pages/chat-page';

// The backend's upstream here is backend/tests/scripted_llm.py: "[code]" answers with a long code line,
// a footnote and a quote.

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** How far the page scrolls sideways (0 when nothing overflows the viewport). */
const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function codeReply(page: Page) {
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.send('Show me some code [code]');
  await chat.waitForReplyDone();
  await expect(chat.lastReply.getByTestId('code-block')).toBeVisible();
  return chat;
}

test('a reply with a long code line never widens the page (phone, narrow desktop)', async ({
  page,
}) => {
  await page.setViewportSize(PHONE);
  const chat = await codeReply(page);
  expect(await sidewaysOverflow(page)).toBe(0);
  // The code scrolls inside its own block; Send and the model picker stay on screen.
  const pre = chat.lastReply.locator('pre');
  expect(await pre.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  for (const control of [chat.input, page.getByTestId('model-select')]) {
    const box = (await control.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
  }
  await page.setViewportSize({ width: 800, height: 700 });
  expect(await sidewaysOverflow(page)).toBe(0);
});

test('no serious accessibility violations, light and dark; screenshots in frontend/screenshots/', async ({
  page,
}) => {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize(DESKTOP);
    await page.goto('/');
    await expect(page.getByTestId('empty-state')).toBeVisible();
    expect(await seriousViolations(page), `empty state, ${scheme}`).toEqual([]);
    await codeReply(page);
    expect(await seriousViolations(page), `code reply, ${scheme}`).toEqual([]);
    await page.screenshot({ path: `screenshots/desktop-${scheme}.png` });
    await page.setViewportSize(PHONE);
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.screenshot({ path: `screenshots/phone-${scheme}.png` });
  }
});

test('the theme toggle overrides the system theme and is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  const chat = new ChatPage(page);
  await chat.goto();
  const background = () =>
    page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const light = await background();
  const toggle = page.getByTestId('theme-toggle');
  await toggle.click(); // system -> light
  await toggle.click(); // light -> dark
  await expect(toggle).toHaveAccessibleName(/Theme: dark/);
  expect(await background()).not.toBe(light);
  await page.reload();
  expect(await background()).not.toBe(light);
  expect(await seriousViolations(page)).toEqual([]);
});

test('a footnote link jumps within the reply, in the same tab', async ({ page, context }) => {
  const chat = await codeReply(page);
  const reference = chat.lastReply.locator('sup a').first();
  const href = (await reference.getAttribute('href'))!;
  expect(href).toMatch(/^#user-content-[\w-]+-fn-1$/);
  await expect(reference).not.toHaveAttribute('target');
  // The target exists once, with exactly the id the link names (no doubled prefix).
  await expect(page.locator(`[id="${href.slice(1)}"]`)).toHaveCount(1);
  const pages = context.pages().length;
  await reference.click();
  expect(context.pages()).toHaveLength(pages);
  expect(new URL(page.url()).hash).toBe(href);
  await expect(page.locator(`[id="${href.slice(1)}"]`)).toBeInViewport();
});

test('the composer counts and holds back a message over the limit', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.input.fill('x'.repeat(8001));
  await expect(page.getByTestId('composer-count')).toHaveText(
    'Too long: 8,001 characters (the limit is 8,000).',
  );
  await expect(chat.sendButton).toBeDisabled();
  await chat.input.press('Enter');
  await expect(chat.userMessages).toHaveCount(0);
  await expect(chat.input).toHaveValue('x'.repeat(8001));
  expect(chat.conversationId()).toBeNull();
});
