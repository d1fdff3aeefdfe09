import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { cdkJsonContext } from '../infra/support/synth.ts';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/harness.ts';
import { ROOT } from '../support/process.ts';
import { buildImage, freePort, pod } from '../../scripts/container/image.mjs';
import { TASK_CPU_UNITS, TASK_MEMORY_MIB } from '../../infra/constructs/service.ts';

/*
 * The Dockerfile as it is, built and run with podman in a container shaped
 * like the Fargate task: read-only root, 512 MiB, a quarter of a CPU, the
 * task definition's environment, against this machine's PostgreSQL and
 * Redis. `npm run test:container`; scripts/container/ says how podman runs here.
 */

const IMAGE = `localhost/contactfolio-api:test-${process.pid}`;
const NAME = `contactfolio-test-${process.pid}`;
const timings: Record<string, number> = {};

function ok(r: SpawnSyncReturns<string>, what: string): string {
  expect(r.status, `${what}:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

/** The API container's environment as the synthesized task definition gives it. */
function taskEnvironment(): Record<string, unknown> {
  // As `cdk synth` builds it: cdk.json's context (feature flags included).
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'cf-cdk-')),
    context: { ...cdkJsonContext(), hostedZoneId: 'Z123EXAMPLE' },
  });
  const { backend } = buildApp(app, { image: ecs.ContainerImage.fromRegistry('contactfolio-api') });
  const [task] = Object.values(Template.fromStack(backend).findResources('AWS::ECS::TaskDefinition')) as {
    Properties: { ContainerDefinitions: { Name: string; Environment: { Name: string; Value: unknown }[]; Secrets: { Name: string }[] }[] };
  }[];
  const api = task!.Properties.ContainerDefinitions.find((c) => c.Name === 'api')!;
  const env = Object.fromEntries(api.Environment.map((e) => [e.Name, e.Value]));
  for (const s of api.Secrets) env[s.Name] = { secret: s.Name };
  return env;
}

let db: TestDatabase;
let port: number;
let env: string[];

beforeAll(async () => {
  Object.assign(timings, buildImage(IMAGE));

  db = await createTestDatabase();
  port = await freePort();
  const u = new URL(db.url);
  const redis = new URL(REDIS_URL);
  const task = taskEnvironment();
  // Values the task gets from AWS (the reader endpoint, the secret) become
  // this machine's; the rest is the task definition's own. Two differ on
  // purpose: the local PostgreSQL has no TLS, and the test speaks plain HTTP.
  const local: Record<string, string> = {
    PORT: String(port),
    PGHOST: u.hostname,
    PGREADERHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username) || 'postgres',
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: u.pathname.slice(1),
    SESSION_SECRET: 'container-test-secret-0123456789abcdef',
    REDIS_URL: redis.toString(),
    PGSSLMODE: 'disable',
    COOKIE_SECURE: 'false',
  };
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries(task)) merged[k] = typeof v === 'string' && !(k in local) ? v : (local[k] ?? '');
  Object.assign(merged, { PGSSLMODE: local.PGSSLMODE, COOKIE_SECURE: local.COOKIE_SECURE });
  expect(Object.keys(task).sort()).toEqual(
    expect.arrayContaining(['NODE_ENV', 'CORS_ORIGIN', 'PGHOST', 'REDIS_URL', 'SESSION_SECRET', 'PORT']),
  );
  expect(merged.NODE_ENV).toBe('production');
  env = Object.entries(merged).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
}, 900_000);

afterAll(async () => {
  pod(['rm', '-f', '-t', '0', NAME]);
  pod(['rmi', '-f', IMAGE]);
  // The build stage's images are the layer cache of the next run (a build
  // then takes seconds); a day-old one only fills the disk.
  pod(['image', 'prune', '-f', '--filter', 'until=24h']);
  await db?.drop();
  process.stdout.write(`container: ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}\n`);
});

it('is an image that runs as a non-root user, with a HEALTHCHECK, and of a sane size', () => {
  const [image] = JSON.parse(ok(pod(['image', 'inspect', IMAGE]), 'inspect')) as {
    Config: { User: string };
    Healthcheck?: { Test: string[] };
    Size: number;
  }[];
  expect(image!.Config.User).toBe('node');
  expect(image!.Healthcheck?.Test.join(' ')).toContain('/health/live');
  const size = image!.Size;
  timings.imageBytes = size;
  expect(size).toBeLessThan(400 * 1024 * 1024);
});

it('migrates with dist/migrate.mjs on a read-only root', () => {
  const out = ok(
    pod(['run', '--rm', '--network', 'host', '--read-only', ...env, IMAGE, 'node', 'dist/migrate.mjs'], { timeout: 60_000 }),
    'migrate',
  );
  expect(out).toContain('20261125000000_init');
});

it('serves in a task-shaped container (read-only, 512 MiB, 0.25 CPU): healthy, the smoke journey, the HEALTHCHECK, non-root, and a clean SIGTERM', async () => {
  const started = performance.now();
  ok(
    pod([
      'run',
      '-d',
      '--name',
      NAME,
      '--network',
      'host',
      '--read-only',
      '--memory',
      `${TASK_MEMORY_MIB}m`,
      '--cpus',
      String(TASK_CPU_UNITS / 1024),
      '--health-interval',
      'disable',
      ...env,
      IMAGE,
    ]),
    'podman run',
  );
  let healthy = false;
  while (!healthy && performance.now() - started < 60_000) {
    healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (!healthy) await new Promise((r) => setTimeout(r, 100));
  }
  timings.healthyMs = performance.now() - started;
  expect(healthy, pod(['logs', NAME]).stdout).toBe(true);

  const smoke = spawnSync(process.execPath, ['scripts/smoke.mjs', '--base-url', `http://127.0.0.1:${port}`], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(smoke.status, smoke.stdout + smoke.stderr).toBe(0);
  expect(smoke.stdout).toMatch(/\b\d+ passed, 0 failed/);

  // The image's own HEALTHCHECK command, run in the container.
  expect(pod(['healthcheck', 'run', NAME]).status).toBe(0);
  expect(ok(pod(['exec', NAME, 'id', '-u']), 'id').trim()).toBe('1000');
  const memory = ok(pod(['stats', '--no-stream', '--format', '{{.MemUsage}}', NAME]), 'stats');
  timings.memoryMiB = Number.parseFloat(memory) * (memory.includes('GB') ? 1024 : memory.includes('kB') ? 1 / 1024 : 1);
  expect(timings.memoryMiB).toBeLessThan(256);

  const stopping = performance.now();
  ok(pod(['stop', '-t', '25', NAME], { timeout: 60_000 }), 'podman stop');
  timings.stopMs = performance.now() - stopping;
  const state = ok(pod(['inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', NAME]), 'inspect').trim();
  expect(state).toBe('0 false');
  expect(timings.stopMs).toBeLessThan(10_000);
  const logs = pod(['logs', NAME]);
  expect(logs.stdout).toContain('"msg":"stopped"');
  expect(logs.stdout).not.toContain('container-test-secret');
});
