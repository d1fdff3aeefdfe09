// An esbuild plugin that gives node-redis (@redis/client) a command table holding
// only the commands this app sends, for the Lambda bundle, built from the package's
// own index so a change in its layout fails the build (docs/performance.md).
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/*
 * The commands the app's Redis users call, by node-redis module name. The API
 * tests run the app with a guard (test/support/harness.ts) that fails on any
 * other, which in the Lambda bundle would be a TypeError at run time.
 */
export const APP_REDIS_COMMANDS = [
  // connect-redis (express-session's store): get, set, destroy, all/ids/length/clear.
  'GET',
  'SET',
  'EXPIRE',
  'DEL',
  'MGET',
  'SCAN',
  // rate-limiter-flexible's RateLimiterRedis (login limiter): its Lua script, and multi() reads and writes.
  'EVAL',
  'INCRBY',
  'PTTL',
  // The app's health probe.
  'PING',
];

const require = createRequire(import.meta.url);

/**
 * The table module's source: node-redis's commands/index.js reduced to
 * `keep` plus the commands the client itself looks up in the table (AUTH at
 * connect, for instance), with every named export the original has.
 */
export function commandTableSource(indexFile, keep) {
  const dir = path.dirname(indexFile);
  const original = readFileSync(indexFile, 'utf8');
  // The client's own lookups: `commands_1.default.AUTH` and the like.
  const internal = new Set();
  const lib = path.dirname(dir);
  for (const file of readdirSync(lib, { recursive: true }).filter((f) => f.endsWith('.js') && !f.startsWith(`commands${path.sep}`))) {
    for (const m of readFileSync(path.join(lib, file), 'utf8').matchAll(/commands_1\.default\.([A-Z_]+)/g)) internal.add(m[1]);
  }
  const wanted = new Set([...keep, ...internal]);
  // `    pTTL: PTTL_1.default,`: every name node-redis gives each command.
  const entries = [...original.matchAll(/^\s+(\w+): (\w+)_1\.default,?$/gm)].map(([, key, module]) => ({ key, module }));
  const missing = [...wanted].filter((name) => !entries.some((e) => e.module === name));
  if (entries.length < 500 || missing.length) {
    throw new Error(
      `@redis/client's command table changed shape (${entries.length} entries; not found: ${missing.join(', ') || 'none'}); update ${path.basename(import.meta.filename)}`,
    );
  }
  // Named exports (CLIENT_KILL_FILTERS, ...) are getters on another command module's export.
  const named = [
    ...original.matchAll(
      /Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return (\w+)_1\.(\w+); \} \}\);/g,
    ),
  ];
  const declared = [...original.matchAll(/exports\.(\w+) = /g)].map((m) => m[1]).filter((n) => n !== 'default');
  const namedKeys = new Set([...named.map((m) => m[1]), 'NON_STICKY_COMMANDS']);
  if (declared.some((n) => !namedKeys.has(n)))
    throw new Error(
      `@redis/client's command table has new exports (${declared.join(', ')}); update ${path.basename(import.meta.filename)}`,
    );
  const modules = new Set([...wanted, ...named.map((m) => m[2])]);
  const req = (m) => JSON.stringify(path.join(dir, `${m}.js`));
  return [
    '"use strict";',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    ...[...modules].map((m) => `const ${m}_1 = require(${req(m)});`),
    ...named.map(
      ([, name, module, prop]) =>
        `Object.defineProperty(exports, "${name}", { enumerable: true, get: function () { return ${module}_1.${prop}; } });`,
    ),
    `exports.default = {\n${entries
      .filter((e) => wanted.has(e.module))
      .map((e) => `  ${e.key}: ${e.module}_1.default,`)
      .join('\n')}\n};`,
    // The cluster's table: the same without the commands that need one node (HOTKEYS_*), as in the original.
    `exports.NON_STICKY_COMMANDS = Object.fromEntries(Object.entries(exports.default).filter(([key]) => !/^hotkeys/i.test(key)));`,
  ].join('\n');
}

/**
 * Every method name node-redis gives a command ("pTTL", "PTTL"), mapped to the
 * command's module name ("PTTL"): what a test checks the app's calls against.
 */
export function commandModulesByMethod() {
  const original = readFileSync(require.resolve('@redis/client/dist/lib/commands/index.js'), 'utf8');
  return new Map([...original.matchAll(/^\s+(\w+): (\w+)_1\.default,?$/gm)].map(([, key, module]) => [key, module]));
}

/** esbuild plugin: node-redis's command table, reduced to `keep` (default: the app's). */
export function redisCommandSubset(keep = APP_REDIS_COMMANDS) {
  const indexFile = require.resolve('@redis/client/dist/lib/commands/index.js');
  return {
    name: 'redis-command-subset',
    setup(build) {
      // "./lib/commands", "../commands" and the like, from inside @redis/client.
      build.onResolve({ filter: /(^|\/)commands(\/index(\.js)?)?$/ }, (args) => {
        const target = path.resolve(args.resolveDir, args.path);
        if (target !== path.dirname(indexFile) && target !== indexFile && `${target}.js` !== indexFile) return undefined;
        return { path: indexFile, namespace: 'redis-command-subset' };
      });
      build.onLoad({ filter: /.*/, namespace: 'redis-command-subset' }, (args) => ({
        contents: commandTableSource(args.path, keep),
        resolveDir: path.dirname(args.path),
        loader: 'js',
      }));
    },
  };
}
