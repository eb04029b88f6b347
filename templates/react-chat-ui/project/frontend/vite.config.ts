/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `make dev` runs the backend on 127.0.0.1:8000; BACKEND_URL overrides it.
const backend = process.env.BACKEND_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/api': { target: backend, changeOrigin: true } },
  },
  build: {
    // scripts/bundle-size.mjs reads the manifest to measure the initial JS.
    manifest: true,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    testTimeout: 30_000, // a busy machine (CI, a shared laptop) is slow; waitFor allows 5 s
  },
});
