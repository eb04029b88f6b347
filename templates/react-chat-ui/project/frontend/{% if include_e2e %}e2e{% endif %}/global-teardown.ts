import { rmSync } from 'node:fs';

/** Removes the temp folder with the e2e databases that playwright.config.ts created. */
export default function globalTeardown() {
  const dir = process.env.E2E_DATA_DIR;
  if (dir && process.env.E2E_DATA_DIR_IS_TEMP === '1')
    rmSync(dir, { recursive: true, force: true });
}
