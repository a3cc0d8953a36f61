import { defineConfig } from 'vitest/config';

/** `npm run test:crash`: the kill -9 suite, apart from `npm test` because it runs for minutes. */
export default defineConfig({
  test: {
    include: ['test/crash/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
