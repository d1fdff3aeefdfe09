import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          // The integration suite needs an AWS endpoint (npm run test:integration),
          // the image suite podman (npm run test:container).
          exclude: ['test/integration/**', 'test/container-image/**', 'node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        // Component tests of the web app, in a simulated DOM.
        extends: true,
        esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
        test: {
          name: 'web',
          include: ['web/src/**/*.test.tsx'],
          environment: 'happy-dom',
        },
      },
    ],
  },
});
