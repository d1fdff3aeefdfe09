import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LOCALSTACK_SECRET_ID, LOCALSTACK_WEB_BUCKET } from '../../infra/stacks/localstack-stack.ts';
import { ROOT } from '../support/process.ts';

/* LocalStack itself cannot run here (no Docker engine); its files are checked as far as they can be. */
const compose = parse(readFileSync(path.join(ROOT, 'localstack/docker-compose.yml'), 'utf8'));

describe('docker-compose.yml', () => {
  it('pins LocalStack, PostgreSQL and Redis versions', () => {
    for (const [name, image] of Object.entries(compose.services).map(([n, s]) => [n, (s as { image: string }).image])) {
      expect(image, name).toMatch(/:\d+\.\d+(\.\d+)?$/);
    }
  });

  it('reads the auth token from the environment, refusing to start without it', () => {
    expect(compose.services.localstack.environment.LOCALSTACK_AUTH_TOKEN).toMatch(/^\$\{LOCALSTACK_AUTH_TOKEN:\?.+\}$/);
  });

  it('serves 4566 on loopback only, runs the init hooks, and puts Lambdas on the network with postgres and redis', () => {
    expect(compose.services.localstack.ports).toEqual(['127.0.0.1:4566:4566']);
    expect(compose.services.localstack.volumes).toContain('./init/ready.d:/etc/localstack/init/ready.d:ro');
    expect(compose.services.localstack.environment.LAMBDA_DOCKER_NETWORK).toBe(`${compose.name}_default`);
  });
});

describe('init hook', () => {
  // A stand-in for LocalStack's awslocal CLI (the AWS edge): records each call;
  // "describe"/"head" calls fail until a "create"/"mb" call has been seen.
  function runHook(dir: string) {
    const log = path.join(dir, 'calls.log');
    const stub = path.join(dir, 'awslocal');
    writeFileSync(
      stub,
      `#!/usr/bin/env bash\necho "$*" >> "${log}"\ncase "$*" in\n  *describe-secret*) grep -q create-secret "${log}" || exit 255 ;;\n  *head-bucket*) grep -q " mb " "${log}" || exit 255 ;;\nesac\n`,
    );
    chmodSync(stub, 0o755);
    const run = spawnSync('bash', [path.join(ROOT, 'localstack/init/ready.d/10-contactfolio.sh')], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    return { run, calls: readFileSync(log, 'utf8').trim().split('\n') };
  }

  it('creates the secret with the six keys and the web bucket, once', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cf-hook-'));
    const first = runHook(dir);
    expect(first.run.status, first.run.stderr).toBe(0);
    const create = first.calls.find((c) => c.startsWith('secretsmanager create-secret'))!;
    expect(create).toContain(`--name ${LOCALSTACK_SECRET_ID}`);
    const secret = JSON.parse(create.slice(create.indexOf('--secret-string ') + '--secret-string '.length));
    expect(Object.keys(secret).sort()).toEqual(['PGHOST', 'PGPASSWORD', 'PGPORT', 'PGUSER', 'REDIS_URL', 'SESSION_SECRET']);
    expect(secret).toMatchObject({
      PGHOST: 'postgres',
      PGPASSWORD: compose.services.postgres.environment.POSTGRES_PASSWORD,
      REDIS_URL: 'redis://redis:6379',
    });
    expect(secret.SESSION_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(first.calls).toContain(`s3 mb s3://${LOCALSTACK_WEB_BUCKET}`);

    const second = runHook(dir);
    expect(second.run.status).toBe(0);
    expect(second.calls.filter((c) => c.includes('create-secret'))).toHaveLength(1);
    expect(second.run.stdout).toContain(`secret ${LOCALSTACK_SECRET_ID} exists`);
  });
});

it('run.sh parses and explains its steps', () => {
  expect(spawnSync('bash', ['-n', path.join(ROOT, 'localstack/run.sh')]).status).toBe(0);
  const usage = spawnSync('bash', [path.join(ROOT, 'localstack/run.sh'), 'help'], { encoding: 'utf8' });
  expect(usage.status).toBe(2);
  for (const step of ['up', 'deploy', 'upload', 'smoke', 'test', 'down']) expect(usage.stdout).toContain(`localstack/run.sh ${step}`);
});
