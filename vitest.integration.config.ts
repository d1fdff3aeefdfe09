import { defineConfig } from 'vitest/config';

// `npm run test:integration`: against the AWS endpoint AWS_ENDPOINT_URL names
// (LocalStack by default), with the same local PostgreSQL and Redis as the tests.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/integration/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
