import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

// Runs against the real backend serving the built SPA (`npm run test:e2e` builds first):
// - "chat": the default local provider (the bundled SmolLM2 model), fresh SQLite DB;
// - "security": a second backend whose upstream is e2e/evil-llm.mjs (hostile replies).
export const PORTS = { chat: 8765, security: 8766, evilLlm: 8767 };

const root = fileURLToPath(new URL('..', import.meta.url));
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'chat-e2e-'));
const data = process.env.E2E_DATA_DIR;
const uvicorn = (port: number) =>
  `backend/.venv/bin/uvicorn app.main:app --app-dir backend --host 127.0.0.1 --port ${port}`;
const backendEnv = { FRONTEND_DIST: 'frontend/dist', LLM_TIMEOUT: '60' };

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    // Debian's Chromium; Playwright never downloads a browser here.
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chat',
      testIgnore: /security\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${PORTS.chat}` },
    },
    {
      name: 'security',
      testMatch: /security\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${PORTS.security}` },
    },
  ],
  webServer: [
    {
      command: uvicorn(PORTS.chat),
      cwd: root,
      url: `http://127.0.0.1:${PORTS.chat}/api/health`,
      env: { ...backendEnv, LLM_PROVIDER: 'local', DATABASE_URL: `sqlite:///${join(data, 'chat.db')}` },
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: 'pipe',
    },
    {
      command: `node frontend/e2e/evil-llm.mjs ${PORTS.evilLlm}`,
      cwd: root,
      url: `http://127.0.0.1:${PORTS.evilLlm}/v1/models`,
      reuseExistingServer: false,
    },
    {
      command: uvicorn(PORTS.security),
      cwd: root,
      url: `http://127.0.0.1:${PORTS.security}/api/health`,
      env: {
        ...backendEnv,
        LLM_PROVIDER: 'openai-compatible',
        LLM_BASE_URL: `http://127.0.0.1:${PORTS.evilLlm}/v1`,
        LLM_MODEL: 'evil-model',
        LLM_API_KEY: 'e2e',
        DATABASE_URL: `sqlite:///${join(data, 'security.db')}`,
      },
      timeout: 180_000,
      reuseExistingServer: false,
    },
  ],
});
