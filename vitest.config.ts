import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/e2e/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 300_000,
    // Secrets are sealed with this key in tests, so that no test writes a key file into the working folder's .data
    // (secrets.test.ts covers the key file).
    env: { PATRON_SECRET_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff' },
    hookTimeout: 300_000,
  },
});
