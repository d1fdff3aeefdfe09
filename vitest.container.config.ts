import { defineConfig } from 'vitest/config';

// `npm run test:container`: builds the Dockerfile with podman and runs the
// image like the Fargate task (see scripts/container/). Needs podman, runc
// and debootstrap (Debian packages) and the local PostgreSQL and Redis.
export default defineConfig({
  test: {
    include: ['test/container-image/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 900_000,
  },
});
