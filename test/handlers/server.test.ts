import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, PASSWORD, TEST_SESSION_SECRET, uniqueEmail, type TestDatabase } from '../support/harness.ts';
import { CLEAN_ENV, ROOT, startNode } from '../support/process.ts';

/*
 * The bundle exactly as `npm start` and the container run it: a real
 * process, real signals, real ports.
 */

const startServer = (env: Record<string, string>) => startNode(['dist/server.mjs'], { PORT: '0', HOST: '127.0.0.1', ...env });

beforeAll(() => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
});

describe('server against PostgreSQL and Redis', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('migrates at boot, serves /health, and on SIGTERM finishes in-flight requests and exits 0', async () => {
    const s = await startServer({ DATABASE_URL: db.url, REDIS_URL, SESSION_SECRET: TEST_SESSION_SECRET });
    expect(s.output()).toContain('20261125000000_init');
    const health = await fetch(`${s.url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('set-cookie')).toBeNull();

    // A signup takes ~100 ms of scrypt: send it, then SIGTERM while it runs.
    const inFlight = fetch(`${s.url}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail('sigterm'), password: PASSWORD, name: 'In flight' }),
    });
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    s.child.kill('SIGTERM');
    expect((await inFlight).status).toBe(201);
    expect(await s.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(s.output()).toContain('"msg":"stopped"');
    expect(s.output()).not.toMatch(/DeprecationWarning|ExperimentalWarning/);
    // Nothing secret in the logs.
    expect(s.output()).not.toContain(TEST_SESSION_SECRET);
    expect(s.output()).not.toContain(PASSWORD);
  });

  it('refuses to start in production without its required settings, naming each variable', async () => {
    const res = spawnSync(process.execPath, ['dist/server.mjs'], {
      cwd: ROOT,
      env: { ...CLEAN_ENV, NODE_ENV: 'production', SESSION_SECRET: 'short' },
      encoding: 'utf8',
    });
    expect(res.status).toBe(78);
    for (const name of ['DATABASE_URL or PGHOST', 'REDIS_URL', 'SESSION_SECRET', 'CORS_ORIGIN']) expect(res.stderr).toContain(name);
    expect(res.stderr).not.toContain('short');
  });

  it('names a bad variable', () => {
    const res = spawnSync(process.execPath, ['dist/server.mjs'], {
      cwd: ROOT,
      env: { ...CLEAN_ENV, MAX_USERS: 'many', REDIS_URL: 'http://x' },
      encoding: 'utf8',
    });
    expect(res.status).toBe(78);
    expect(res.stderr).toMatch(/MAX_USERS:/);
    expect(res.stderr).toMatch(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });
});

describe('embedded default (no PostgreSQL or Redis configured)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cf-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on PGlite with in-memory sessions, keeps data across restarts, and lets one process at a time use the directory', async () => {
    const email = uniqueEmail('embedded');
    const first = await startServer({ DATA_DIR: dataDir });
    expect(first.output()).toContain('embedded PostgreSQL');
    expect(first.output()).toContain('no REDIS_URL');
    const signup = await fetch(`${first.url}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD, name: 'Embedded' }),
    });
    expect(signup.status).toBe(201);
    const cookie = signup.headers
      .getSetCookie()
      .find((c) => c.startsWith('cf.sid='))!
      .split(';')[0]!;
    const created = await fetch(`${first.url}/v1/contacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ firstName: 'Persisted' }),
    });
    expect(created.status).toBe(201);
    // pg warned at every start that one client was queried concurrently.
    expect(first.output()).not.toContain('DeprecationWarning');

    // A second process on the same directory would lose the first one's
    // writes (PGlite has no lock): it refuses to start, and says why.
    const rival = spawnSync(process.execPath, ['dist/server.mjs'], {
      cwd: ROOT,
      env: { ...CLEAN_ENV, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(rival.status).toBe(1);
    expect(rival.stderr).toContain(`in use by another contactfolio process (pid ${first.child.pid})`);
    expect(rival.stderr).toContain('DATA_DIR');

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startServer({ DATA_DIR: dataDir });
    try {
      const login = await fetch(`${second.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(login.status).toBe(200);
      const list = await fetch(`${second.url}/v1/contacts`, {
        headers: {
          cookie: login.headers
            .getSetCookie()
            .find((c) => c.startsWith('cf.sid='))!
            .split(';')[0]!,
        },
      });
      expect(((await list.json()) as { items: { firstName: string }[] }).items.map((c) => c.firstName)).toEqual(['Persisted']);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('takes over the lock of a process that died without releasing it (kill -9)', async () => {
    const first = await startServer({ DATA_DIR: dataDir });
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startServer({ DATA_DIR: dataDir });
    try {
      expect((await fetch(`${second.url}/health`)).status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});
