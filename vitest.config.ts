import { defineConfig } from 'vitest/config';

/*
 * The suite in tiers (`vitest run --project <name>`):
 * - unit: no PostgreSQL, Redis or child processes; seconds. With web, `npm run test:unit`.
 * - web: the web app's components in a simulated DOM (happy-dom).
 * - api: the app against the real PostgreSQL and Redis (HTTP, database, Lambda handler).
 * - infra: CDK synths and assertions, the workflows, the Dockerfile's text, the smoke run.
 * - slow: the browser, the benchmarks' smoke runs, the hostile imports and sign-ins.
 * `npm test` runs them all; `.ci/run` calls it. The first four run two files
 * at a time (they mostly wait on PostgreSQL, Redis or child processes; each
 * file has its own database and Redis namespace); then slow runs one file at
 * a time, as its browser, benchmark and abuse runs measure time and memory
 * and want the cores.
 */
const services = { globalSetup: ['test/support/global-setup.ts'] };
const parallel = { maxWorkers: 2, sequence: { groupOrder: 0 } };

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], ...parallel } },
      {
        extends: true,
        // Preact's JSX for the components (Vite 8 transforms with oxc).
        oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
        test: { name: 'web', include: ['web/src/**/*.test.{ts,tsx}'], environment: 'happy-dom', ...parallel },
      },
      {
        extends: true,
        test: { name: 'api', include: ['test/{http,db,lambda,handlers,localstack,carddav}/**/*.test.ts'], ...services, ...parallel },
      },
      {
        extends: true,
        test: { name: 'infra', include: ['test/{container,infra,smoke}/**/*.test.ts'], ...services, ...parallel },
      },
      {
        extends: true,
        // The integration suite needs an AWS endpoint (npm run test:integration), the image suite podman (npm run test:container).
        test: {
          name: 'slow',
          include: ['test/{abuse,bench,e2e}/**/*.test.ts'],
          ...services,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
