// esbuild settings shared by scripts/build.mjs and the Lambda cold-start
// bench, whose baseline functions must be bundled exactly like the app's.
import { redisCommandSubset } from './redis-commands.mjs';

export const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  legalComments: 'none',
  logLevel: 'warning',
  // Development-only embedded database: loaded from node_modules when used.
  external: ['@electric-sql/pglite', '@electric-sql/pglite-socket'],
  // Some bundled dependencies are CommonJS and call require().
  banner: { js: "import { createRequire as __cfRequire } from 'node:module'; const require = __cfRequire(import.meta.url);" },
};

/**
 * A Lambda function's bundle: minified, for the runtime's Node, which ships
 * the AWS SDK v3, with node-redis's command table cut to the commands sent.
 */
export const lambdaFunction = {
  ...common,
  outExtension: { '.js': '.mjs' },
  target: 'node22',
  minify: true,
  external: [...common.external, '@aws-sdk/*', '@smithy/*'],
  plugins: [redisCommandSubset()],
};
