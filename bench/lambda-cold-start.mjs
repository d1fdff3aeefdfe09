// Lambda variant: bundle size (raw and zipped) and cold start, against a
// minimal serverless-http hello-world bundle measured in the same run,
// interleaved. Needs PostgreSQL and Redis (the same defaults as the tests).
//   node bench/lambda-cold-start.mjs [--runs N] [--no-write] [--compile-cache]
// --compile-cache adds the app with a V8 compile cache made by one start
// beforehand (NODE_COMPILE_CACHE, portable), as a function shipping one
// would start: the option measured in docs/performance.md, not shipped.
// BENCH_LAMBDA_NODE=/path/to/node runs the cold starts on another Node than
// the one running this script: the Lambda runtime's major version (24), say.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { lambdaFunction } from '../scripts/esbuild-options.mjs';
import { createScratchDatabase } from './scratch-database.mjs';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 10) || 10;
const write = !args.includes('--no-write');
const compileCache = args.includes('--compile-cache');
const outFile = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
const root = path.resolve(import.meta.dirname, '..');
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/10';
const lambdaNode = process.env.BENCH_LAMBDA_NODE || process.execPath;
const lambdaNodeVersion = execFileSync(lambdaNode, ['--version'], { encoding: 'utf8' }).trim();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;

// 1. Bundles: the app as `npm run build:lambda` makes it, and the baseline with the same settings.
// Built into a folder of its own: tests that build the Lambda into dist/ may run at the same time.
const buildRoot = mkdtempSync(path.join(os.tmpdir(), 'cf-bench-lambda-'));
execFileSync(process.execPath, ['scripts/build.mjs', 'lambda', '--out', buildRoot], { cwd: root, stdio: 'inherit' });
const appBundle = path.join(buildRoot, 'lambda/index.mjs');
const helloDir = path.join(buildRoot, 'bench-hello');
// The baselines, bundled with the app's function's settings.
async function bundleBaseline(entry, outdir) {
  await build({ ...lambdaFunction, entryPoints: { index: path.join(root, entry) }, outdir });
  return path.join(outdir, 'index.mjs');
}
const helloBundle = await bundleBaseline('bench/baselines/hello-lambda.ts', helloDir);
const stackBundle = await bundleBaseline('bench/baselines/stack-lambda.ts', path.join(buildRoot, 'bench-stack'));
const zipped = (file) => zipSync({ 'index.mjs': readFileSync(file) }, { level: 9 }).length;
// The function's whole code: the entry file and the query-compiler wasm beside it.
const appFiles = readdirSync(path.join(buildRoot, 'lambda'))
  .filter((f) => /\.(mjs|wasm)$/.test(f))
  .map((f) => path.join(buildRoot, 'lambda', f));
const sizes = {
  app: { raw: appFiles.reduce((n, f) => n + statSync(f).size, 0), zip: statSync(path.join(buildRoot, 'lambda.zip')).size },
  hello: { raw: statSync(helloBundle).size, zip: zipped(helloBundle) },
  stack: { raw: statSync(stackBundle).size, zip: zipped(stackBundle) },
};

// 2. A database, a user and a session for the authenticated first request.
const db = await createScratchDatabase();
const env = {
  ...process.env,
  NODE_ENV: 'production',
  DATABASE_URL: db.url,
  PGSSLMODE: 'disable',
  REDIS_URL,
  SESSION_SECRET: randomBytes(32).toString('hex'),
  CORS_ORIGIN: 'https://contactfolio.com',
  LOG_LEVEL: 'warn',
};

const v2 = (method, rawPath, { body, cookies } = {}) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath,
  rawQueryString: '',
  ...(cookies ? { cookies } : {}),
  headers: {
    'content-type': 'application/json',
    'x-forwarded-for': '198.51.100.7',
    'x-forwarded-proto': 'https',
    host: 'bench.lambda-url.us-east-1.on.aws',
  },
  requestContext: {
    http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'bench' },
    requestId: 'bench',
    routeKey: '$default',
    stage: '$default',
    timeEpoch: Date.now(),
  },
  ...(body ? { body: JSON.stringify(body) } : {}),
  isBase64Encoded: false,
});

const setup = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `
    const { handler } = await import(${JSON.stringify(new URL(`file://${appBundle}`).href)});
    await handler({ action: 'migrate' }, {});
    const signup = await handler(${JSON.stringify(v2('POST', '/v1/auth/signup', { body: { email: 'bench@example.test', password: 'bench password 1', name: 'Bench' } }))}, {});
    const cookie = signup.cookies.find((c) => c.startsWith('cf.sid=')).split(';')[0];
    for (let i = 0; i < 50; i++) {
      const ev = ${JSON.stringify(v2('POST', '/v1/contacts'))};
      ev.cookies = [cookie];
      ev.body = JSON.stringify({ firstName: 'Contact ' + i, emails: [{ value: 'c' + i + '@example.test' }] });
      await handler(ev, {});
    }
    process.stdout.write(cookie);
    process.exit(0);
    `,
  ],
  { env, encoding: 'utf8' },
);
if (setup.status !== 0) throw new Error(`setup failed: ${setup.stderr}`);
const cookie = setup.stdout.trim();

// 3. Cold starts, interleaved: hello, app, hello, app, ...
function coldStart(bundle, event, extraEnv = {}) {
  const t0 = performance.now();
  const out = spawnSync(lambdaNode, [path.join(root, 'bench/cold-start-child.mjs'), bundle, JSON.stringify(event)], {
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
  });
  const wallMs = performance.now() - t0;
  if (out.status !== 0) throw new Error(`cold start failed: ${out.stderr}`);
  const r = JSON.parse(out.stdout.trim().split('\n').at(-1));
  if (r.status !== 200) throw new Error(`cold start answered ${r.status}`);
  return { ...r, wallMs };
}
const samples = { hello: [], stack: [], app: [], cached: [] };
const cacheEnv = { NODE_COMPILE_CACHE: path.join(buildRoot, 'lambda', 'compile-cache'), NODE_COMPILE_CACHE_PORTABLE: '1' };
if (compileCache) coldStart(appBundle, v2('GET', '/v1/contacts', { cookies: [cookie] }), cacheEnv); // fills the cache
for (let i = 0; i < runs; i++) {
  samples.hello.push(coldStart(helloBundle, v2('GET', '/')));
  samples.stack.push(coldStart(stackBundle, v2('GET', '/v1/contacts', { cookies: [cookie] })));
  samples.app.push(coldStart(appBundle, v2('GET', '/v1/contacts', { cookies: [cookie] })));
  if (compileCache) samples.cached.push(coldStart(appBundle, v2('GET', '/v1/contacts', { cookies: [cookie] }), cacheEnv));
}
await db.drop();

const summary = (list) => ({
  loadMs: median(list.map((s) => s.loadMs)),
  firstRequestMs: median(list.map((s) => s.firstRequestMs)),
  processToResponseMs: median(list.map((s) => s.sinceProcessStartMs)),
  wallMs: median(list.map((s) => s.wallMs)),
});
const result = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  // The Node that ran the cold starts.
  node: lambdaNodeVersion,
  runs,
  sizes,
  coldStart: {
    hello: summary(samples.hello),
    stack: summary(samples.stack),
    app: summary(samples.app),
    ...(compileCache ? { appWithCompileCache: summary(samples.cached) } : {}),
  },
};
const ratio = result.coldStart.app.processToResponseMs / result.coldStart.hello.processToResponseMs;
result.coldStart.ratio = ratio;
result.coldStart.stackRatio = result.coldStart.stack.processToResponseMs / result.coldStart.hello.processToResponseMs;

const row = (name, s, z) =>
  `${name.padEnd(22)} ${kib(z.raw).padStart(9)} ${kib(z.zip).padStart(9)} ${s.loadMs.toFixed(0).padStart(8)} ${s.firstRequestMs.toFixed(0).padStart(8)} ${s.processToResponseMs.toFixed(0).padStart(10)} ${s.wallMs.toFixed(0).padStart(8)}`;
console.log(`\nLambda cold start on Node ${lambdaNodeVersion.replace(/^v/, '')}, median of ${runs} interleaved runs (ms)`);
console.log(
  `${'bundle'.padEnd(22)} ${'raw'.padStart(9)} ${'zipped'.padStart(9)} ${'load'.padStart(8)} ${'1st req'.padStart(8)} ${'to answer'.padStart(10)} ${'wall'.padStart(8)}`,
);
console.log(row('hello-world', result.coldStart.hello, sizes.hello));
console.log(row('stack floor (GET list)', result.coldStart.stack, sizes.stack));
console.log(row('contactfolio (GET list)', result.coldStart.app, sizes.app));
if (compileCache) console.log(row('  with compile cache', result.coldStart.appWithCompileCache, sizes.app));
console.log(`ratio app/hello (process start to answer): ${ratio.toFixed(2)}; stack floor/hello: ${result.coldStart.stackRatio.toFixed(2)}`);
if (outFile) writeFileSync(outFile, JSON.stringify(result, null, 2));
if (write) {
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  const file = path.join(root, 'bench/results', `lambda-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`written ${path.relative(root, file)}`);
}
rmSync(buildRoot, { recursive: true, force: true });
