import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LambdaHandler } from '../../handlers/lambda-handler.ts';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, PASSWORD, TEST_SESSION_SECRET, uniqueEmail, type TestDatabase } from '../support/harness.ts';
import { buildEvent, LambdaClient } from './events.ts';

// The deployment artifact itself: dist/lambda.zip unpacked on its own, as
// Lambda does, then invoked. Its chunks, the query compiler and the
// migrations must all be inside it.
const root = path.resolve(import.meta.dirname, '../..');
let db: TestDatabase;
let dir: string;
let handler: LambdaHandler;

beforeAll(async () => {
  // Its own output folder: other test files build the Lambda into dist/ at the same time.
  const out = mkdtempSync(path.join(tmpdir(), 'cf-lambda-build-'));
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'lambda', '--out', out], { cwd: root, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
  dir = mkdtempSync(path.join(tmpdir(), 'cf-lambda-zip-'));
  const zip = readFileSync(path.join(out, 'lambda.zip'));
  rmSync(out, { recursive: true, force: true });
  for (const [name, bytes] of Object.entries(unzipSync(zip))) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), bytes);
  }
  db = await createTestDatabase();
  // The function reads its configuration from the environment when it loads, as on Lambda.
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL,
    SESSION_SECRET: TEST_SESSION_SECRET,
    LOG_LEVEL: 'silent',
  });
  ({ handler } = (await import(pathToFileURL(path.join(dir, 'index.mjs')).href)) as { handler: LambdaHandler });
}, 120_000);
afterAll(async () => {
  await handler?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('the unpacked zip migrates, then serves signup, login, import, list, export and the OpenAPI document', async () => {
  expect(await handler({ action: 'migrate' } as never, { awsRequestId: 'test' })).toMatchObject({ applied: expect.any(Array) });
  const c = new LambdaClient(handler, 'httpApiV2');
  const email = uniqueEmail('zip');
  expect((await c.json('POST', '/v1/auth/signup', { email, password: PASSWORD, name: 'Zip' })).status).toBe(201);
  // Login goes through the limiter, which loads its own chunk on first use.
  expect((await c.json('POST', '/v1/auth/login', { email, password: 'wrong password 1' })).status).toBe(401);
  expect((await c.json('POST', '/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  const vcard = 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Nørgaard;Åse;;;\r\nFN:Åse Nørgaard\r\nEMAIL:ase@example.dk\r\nEND:VCARD\r\n';
  const imported = await c.send({ method: 'POST', path: '/v1/contacts/import', headers: { 'content-type': 'text/vcard' }, body: vcard });
  expect(imported.json()).toMatchObject({ imported: 1, merged: 0, unchanged: 0, skipped: [] });
  expect((await c.send({ method: 'GET', path: '/v1/contacts' })).json().items.map((x: { lastName: string }) => x.lastName)).toEqual([
    'Nørgaard',
  ]);
  const csv = await c.send({ method: 'GET', path: '/v1/contacts/export', query: { format: 'csv' } });
  expect(csv.status).toBe(200);
  expect(csv.text).toContain('Nørgaard');
  const openapi = await c.send({ method: 'GET', path: '/v1/openapi.json' });
  expect(openapi.json().openapi).toMatch(/^3\.1/);
});

it('a cold start that answers a list loads neither the ORM nor the login limiter: it works with both taken out of the artifact', async () => {
  const c = new LambdaClient(handler, 'httpApiV2');
  expect((await c.json('POST', '/v1/auth/signup', { email: uniqueEmail('lean'), password: PASSWORD, name: 'Lean' })).status).toBe(201);
  expect((await c.json('POST', '/v1/contacts', { firstName: 'Listed' })).status).toBe(201);

  // A copy of the artifact without the files that hold Prisma's runtime and
  // rate-limiter-flexible (its default key prefix is "rlflx").
  const lean = mkdtempSync(path.join(tmpdir(), 'cf-lambda-lean-'));
  try {
    cpSync(dir, lean, { recursive: true });
    const holding = (marker: string) =>
      readdirSync(lean).filter((f) => f.endsWith('.mjs') && readFileSync(path.join(lean, f), 'utf8').includes(marker));
    const prismaFiles = holding('PrismaClientKnownRequestError');
    const limiterFiles = holding('rlflx');
    for (const files of [prismaFiles, limiterFiles]) {
      expect(files.length).toBeGreaterThan(0);
      expect(files).not.toContain('index.mjs');
    }
    for (const f of [...prismaFiles, ...limiterFiles]) rmSync(path.join(lean, f), { force: true });

    // A fresh process, as a new execution environment: list, then a write.
    const invoke = (event: unknown) => {
      const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(path.join(lean, 'index.mjs')).href)});
        const r = await handler(JSON.parse(process.argv[1]), { awsRequestId: 'lean' });
        process.stdout.write(JSON.stringify({ status: r.statusCode, body: r.body }));
        process.exit(0);`;
      const out = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(event)], {
        encoding: 'utf8',
        env: process.env,
        timeout: 60_000,
      });
      expect(out.status, out.stderr).toBe(0);
      return JSON.parse(out.stdout) as { status: number; body: string };
    };
    const cookies = [c.sessionCookie!];
    const list = invoke(buildEvent('httpApiV2', { method: 'GET', path: '/v1/contacts', cookies }));
    expect(list.status).toBe(200);
    expect((JSON.parse(list.body) as { items: { firstName: string }[] }).items.map((x) => x.firstName)).toEqual(['Listed']);
    // The removed files were the ORM and the limiter: a write and a login, which need them, fail.
    expect(
      invoke(
        buildEvent('httpApiV2', {
          method: 'POST',
          path: '/v1/contacts',
          cookies,
          headers: { 'content-type': 'application/json' },
          body: '{"firstName":"X"}',
        }),
      ).status,
    ).toBe(500);
    expect(
      invoke(
        buildEvent('httpApiV2', {
          method: 'POST',
          path: '/v1/auth/login',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'nobody@example.test', password: PASSWORD }),
        }),
      ).status,
    ).toBe(500);
  } finally {
    rmSync(lean, { recursive: true, force: true });
  }
}, 60_000);
