import { defineConfig } from 'vitest/config';

/** `npm run test:load`: the load suite, apart from `npm test` because it runs for a minute or more. */
export default defineConfig({
  test: {
    include: ['test/load/**/*.test.ts'],
    pool: 'forks',
    hookTimeout: 60_000,
  },
});
