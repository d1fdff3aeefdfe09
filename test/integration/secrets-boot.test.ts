import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent, readResult } from '../lambda/events.ts';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, TEST_SESSION_SECRET, type TestDatabase } from '../support/harness.ts';
import { CLEAN_ENV, ROOT, startNode } from '../support/process.ts';
import { awsEnv, secretsClient } from './support/aws.ts';

/*
 * The server and the Lambda handler read their six secrets from Secrets
 * Manager at the endpoint (SECRETS_ID), and the smoke test passes against
 * the app booted that way. Bad secrets fail clearly.
 */
const sm = secretsClient();
const created: string[] = [];
let db: TestDatabase;
let appEnv: Record<string, string>;

async function createSecret(value: string): Promise<string> {
  const name = `contactfolio/it-${randomBytes(4).toString('hex')}`;
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  created.push(name);
  return name;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const url = new URL(db.url);
  const secretId = await createSecret(
    JSON.stringify({
      PGHOST: url.hostname,
      PGPORT: Number(url.port || 5432), // RDS-made secrets carry a number
      PGUSER: url.username || 'postgres',
      PGPASSWORD: 'unused-with-trust-auth',
      SESSION_SECRET: TEST_SESSION_SECRET,
      REDIS_URL,
    }),
  );
  appEnv = {
    ...awsEnv,
    SECRETS_ID: secretId,
    NODE_ENV: 'production',
    PGDATABASE: url.pathname.slice(1),
    PGSSLMODE: 'disable',
    MIGRATE_ON_BOOT: 'true',
    CORS_ORIGIN: 'https://contactfolio.com',
    COOKIE_SECURE: 'false', // plain HTTP here
    HOST: '127.0.0.1',
    PORT: '0',
  };
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'server'], { cwd: ROOT, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
});
afterAll(async () => {
  for (const name of created) await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  await db.drop();
});

function smoke(baseUrl: string) {
  return spawnSync(process.execPath, ['scripts/smoke.mjs', '--base-url', baseUrl], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

describe('the server (dist/server.mjs)', () => {
  it('boots with its secrets from Secrets Manager, and the smoke test passes against it', async () => {
    const server = await startNode(['dist/server.mjs'], appEnv);
    try {
      const health = await fetch(`${server.url}/health`);
      expect(await health.json()).toEqual({ status: 'ok', checks: { database: 'ok', sessions: 'ok' } });
      const run = smoke(server.url);
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^12 passed, 0 failed$/m);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).not.toContain(TEST_SESSION_SECRET);
  });

  it('refuses to start when the secret is missing, naming it', () => {
    const res = spawnSync(process.execPath, ['dist/server.mjs'], {
      cwd: ROOT,
      env: { ...CLEAN_ENV, ...appEnv, SECRETS_ID: 'contactfolio/does-not-exist' },
      encoding: 'utf8',
    });
    expect(res.status).toBe(78);
    expect(res.stderr).toContain('could not read secret "contactfolio/does-not-exist" (ResourceNotFoundException)');
  });

  it('refuses to start when the secret is malformed, naming the keys but no value', async () => {
    const partial = await createSecret(JSON.stringify({ PGHOST: 'db', PGPORT: '5432', PGUSER: 'app', PGPASSWORD: 'hunter2-do-not-print' }));
    const res = spawnSync(process.execPath, ['dist/server.mjs'], {
      cwd: ROOT,
      env: { ...CLEAN_ENV, ...appEnv, SECRETS_ID: partial },
      encoding: 'utf8',
    });
    expect(res.status).toBe(78);
    expect(res.stderr).toMatch(/missing or has invalid keys: SESSION_SECRET, REDIS_URL/);
    expect(res.stderr).not.toContain('hunter2-do-not-print');

    const notJson = await createSecret('hunter2-plain-text');
    const res2 = spawnSync(process.execPath, ['dist/server.mjs'], {
      cwd: ROOT,
      env: { ...CLEAN_ENV, ...appEnv, SECRETS_ID: notJson },
      encoding: 'utf8',
    });
    expect(res2.status).toBe(78);
    expect(res2.stderr).toContain('is not a JSON object');
    expect(res2.stderr).not.toContain('hunter2-plain-text');
  });
});

describe('the Lambda handler', () => {
  it('boots with its secrets from Secrets Manager; the smoke test passes against it (dev:lambda)', async () => {
    const lambda = await startNode(['--import', 'tsx', 'handlers/lambda-local.ts'], appEnv);
    try {
      const run = smoke(lambda.url);
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^12 passed, 0 failed$/m);
    } finally {
      await lambda.stop();
    }
  });

  it('fails the invocation clearly when the secret is missing', async () => {
    Object.assign(process.env, { ...appEnv, SECRETS_ID: 'contactfolio/nope' });
    const { createLambdaHandler } = await import('../../handlers/lambda-handler.ts');
    const handler = createLambdaHandler(process.env);
    await expect(handler(buildEvent('httpApiV2', { method: 'GET', path: '/health' }), {})).rejects.toThrow(
      'could not read secret "contactfolio/nope" (ResourceNotFoundException)',
    );
    // And serves once it points at a good secret.
    const good = createLambdaHandler({ ...process.env, SECRETS_ID: created[0]! });
    expect(readResult('httpApiV2', await good(buildEvent('httpApiV2', { method: 'GET', path: '/health' }), {})).status).toBe(200);
    await good.close();
  });
});
