// Bundles each entry point into dist/<name>.mjs with esbuild. dist/ sits one
// level below the project root like handlers/, so ../prisma/migrations
// resolves the same from source and from the bundle.
import { build } from 'esbuild';

const entries = process.argv.slice(2).length ? process.argv.slice(2) : ['server', 'migrate'];

await build({
  entryPoints: Object.fromEntries(entries.map((name) => [name, `handlers/${name}.ts`])),
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // Development-only embedded database: loaded from node_modules when used.
  external: ['@electric-sql/pglite', '@electric-sql/pglite-socket'],
  // Some bundled dependencies are CommonJS and call require().
  banner: { js: "import { createRequire as __cfRequire } from 'node:module'; const require = __cfRequire(import.meta.url);" },
});
