import { defineConfig } from 'vitest/config';

/*
 * The suite in tiers (`vitest run --project <name>`):
 * - unit: no PostgreSQL, Redis or child processes; seconds. With web, `npm run test:unit`.
 * - web: the web app's components in a simulated DOM (happy-dom).
 * - api: the app against the real PostgreSQL and Redis (HTTP, database, Lambda handler).
 * - slow: the browser, the benchmarks' smoke runs, CDK synths, fuzzing, the workflows.
 * `npm test` runs them all; `.ci/run` calls it.
 */
const services = { globalSetup: ['test/support/global-setup.ts'] };

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        // Preact's JSX for the components (Vite 8 transforms with oxc).
        oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
        test: { name: 'web', include: ['web/src/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        extends: true,
        test: { name: 'api', include: ['test/{http,db,lambda,handlers,localstack,carddav}/**/*.test.ts'], ...services },
      },
      {
        extends: true,
        // The integration suite needs an AWS endpoint (npm run test:integration), the image suite podman (npm run test:container).
        test: { name: 'slow', include: ['test/{abuse,bench,container,e2e,infra,smoke}/**/*.test.ts'], ...services },
      },
    ],
  },
});
