import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { ROOT } from '../support/process.ts';

/* scripts/smoke.mjs as CI and the deploy workflow run it: a separate process with only a base URL. */
function smoke(args: string[]): Promise<{ status: number | null; stdout: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['scripts/smoke.mjs', ...args], { cwd: ROOT });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stdout += d));
  return new Promise((resolve) => child.on('exit', (status) => resolve({ status, stdout, ms: Date.now() - t0 })));
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

it('passes every step against a healthy server, one line each with its latency, and leaves nothing behind', async () => {
  const usersBefore = await t.runtime.deps.users.count();
  const run = await smoke(['--base-url', `${t.baseUrl}/`]);
  expect(run.status, run.stdout).toBe(0);
  const steps = run.stdout.split('\n').filter((l) => /^(ok|FAIL) /.test(l));
  expect(steps.map((l) => l.slice(6, 19).trim())).toEqual([
    'health',
    'signup',
    'login',
    'create',
    'list',
    'search',
    'update',
    'export',
    'import',
    'delete',
    'logout',
    'session gone',
  ]);
  expect(steps.every((l) => /^ok +.+ +\d+ ms$/.test(l))).toBe(true);
  expect(run.stdout).toMatch(/^12 passed, 0 failed$/m);
  expect(await t.runtime.deps.users.count()).toBe(usersBefore);
});

it('fails with a non-zero exit and a count when nothing answers', async () => {
  const run = await smoke(['--base-url', 'http://127.0.0.1:9']);
  expect(run.status).toBe(1);
  expect(run.stdout).toMatch(/^FAIL {2}health/m);
  expect(run.stdout).toMatch(/^0 passed, 1 failed$/m);
});

it('times out cleanly against a server that never answers', async () => {
  const sockets = new Set<Socket>();
  const silent: Server = createServer(() => {}).on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const run = await smoke(['--base-url', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, '--timeout', '500']);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/FAIL {2}health .*(timeout|aborted)/i);
    expect(run.ms).toBeLessThan(10_000);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

it('explains its usage without a base URL', async () => {
  const run = await smoke([]);
  expect(run.status).toBe(2);
  expect(run.stdout).toContain('usage: smoke.mjs --base-url URL');
});
