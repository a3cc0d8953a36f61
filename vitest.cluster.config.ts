import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: the API tests on PostgreSQL (PARITY_TEST_POSTGRES=1 switches the
 * helpers to a schema of their own per server), the storage conformance and migration suites'
 * PostgreSQL halves, then the multi-node suites (several servers on one PostgreSQL and one
 * Redis, killed and cut off). Needs both running: test/cluster/globalSetup.ts fails the run
 * otherwise. The multi-node files run after the rest, one at a time: each starts several
 * servers and keeps the machine busy.
 */

const ON_POSTGRES = [
  'test/server/store/conformance.test.ts',
  'test/scripts/migratePostgres.test.ts',
  'test/server/flow.test.ts',
  'test/server/trading.test.ts',
  'test/server/invariants.test.ts',
  'test/server/input.test.ts',
  'test/server/auth.test.ts',
  'test/server/live.test.ts',
  'test/server/persistence.test.ts',
  'test/server/integrations.test.ts',
  'test/server/integrationsDelivery.test.ts',
  'test/server/integrationsLive.test.ts',
  'test/server/integrationsSlack.test.ts',
  'test/server/simulation.test.ts',
  'test/server/chat/slack.test.ts',
  'test/server/chat/discord.test.ts',
  'test/server/chat/reminders.test.ts',
  'test/server/chat/postedActions.test.ts',
  'test/server/spaces.test.ts',
  'test/server/proposals.test.ts',
  'test/server/comments.test.ts',
  'test/server/paging.test.ts',
  'test/server/exports.test.ts',
  'test/security/authz.test.ts',
  'test/security/spaces.authz.test.ts',
  'test/security/money.test.ts',
  'test/security/findings.test.ts',
  'test/security/limits.test.ts',
  'test/fuzz/http.test.ts',
  'test/fuzz/socket.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { PARITY_TEST_POSTGRES: '1' },
    globalSetup: ['test/globalSetup.ts', 'test/cluster/globalSetup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'postgres', include: ON_POSTGRES, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
