import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { aws_lambda as lambda } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LOCALSTACK_WEB_BUCKET } from '../../infra/stacks/localstack-stack.ts';
import { CLEAN_ENV, ROOT } from '../support/process.ts';
import { LOCALSTACK } from './localstack-facts.ts';

/*
 * localstack/ checked against what LocalStack's source says at the pinned tag
 * (recorded in localstack-facts.ts with the file each fact comes from): a pin
 * that moves without re-reading those files fails here.
 */
const compose = parse(readFileSync(path.join(ROOT, 'localstack/docker-compose.yml'), 'utf8'));
const localstack = compose.services.localstack;
const functionSource = readFileSync(path.join(ROOT, 'infra/constructs/node-function.ts'), 'utf8');

/** The Runtime/Architecture constant infra/constructs/node-function.ts names, resolved through aws-cdk-lib. */
function fromFunctionSource<T>(kind: 'Runtime' | 'Architecture', table: Record<string, T>): T {
  const names = [...functionSource.matchAll(new RegExp(`lambda\\.${kind}\\.([A-Z0-9_]+)`, 'g'))].map((m) => m[1]!);
  expect(new Set(names).size, `one lambda.${kind} in node-function.ts`).toBe(1);
  return table[names[0]!]!;
}

describe(`the LocalStack pin (${LOCALSTACK.version}, the version the facts were read at)`, () => {
  it('the compose file runs the version the facts were recorded for', () => {
    expect(localstack.image).toBe(`localstack/localstack:${LOCALSTACK.version}`);
  });

  it("accepts the functions' runtime (services/lambda_/runtimes.py IMAGE_MAPPING)", () => {
    expect(localstack.image).toBe(`localstack/localstack:${LOCALSTACK.version}`);
    const runtime = fromFunctionSource('Runtime', lambda.Runtime as unknown as Record<string, lambda.Runtime>);
    expect(runtime, 'a Runtime constant of aws-cdk-lib').toBeInstanceOf(lambda.Runtime);
    expect(LOCALSTACK.lambdaRuntimes).toContain(runtime.name);
  });

  it('runs the ARM_64 functions natively on x86 hosts (config.py LAMBDA_IGNORE_ARCHITECTURE)', () => {
    const arch = fromFunctionSource('Architecture', lambda.Architecture as unknown as Record<string, lambda.Architecture>);
    // Only a non-x86 architecture needs LocalStack to ignore it on the usual x86 host.
    if (arch.name !== lambda.Architecture.X86_64.name) {
      expect(LOCALSTACK.config).toHaveProperty('LAMBDA_IGNORE_ARCHITECTURE');
      expect(LOCALSTACK.trueStrings).toContain(String(localstack.environment.LAMBDA_IGNORE_ARCHITECTURE));
    }
    for (const name of Object.keys(localstack.environment).filter((n) => n.startsWith('LAMBDA_'))) {
      expect(LOCALSTACK.config, `${name} is a LocalStack ${LOCALSTACK.version} setting`).toHaveProperty(name);
    }
  });
});

describe('the compose healthcheck waits for the init hook (services/internal.py, runtime/init.py)', () => {
  // Runs the healthcheck as Docker would, with a stand-in curl that answers
  // LocalStack's init endpoint with a recorded body (or cannot connect).
  function healthy(body: string | null): boolean {
    const dir = mkdtempSync(path.join(tmpdir(), 'cf-health-'));
    writeFileSync(path.join(dir, 'body.json'), body ?? '');
    writeFileSync(
      path.join(dir, 'curl'),
      `#!/bin/sh\ncase "$*" in *"localhost:4566${LOCALSTACK.initReady.path}"*) ;; *) exit 7 ;; esac\n${body === null ? 'exit 7' : `cat "${dir}/body.json"`}\n`,
    );
    chmodSync(path.join(dir, 'curl'), 0o755);
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
    const [form, command = '', ...rest] = localstack.healthcheck.test as string[];
    // In the compose file "$$" is a literal "$" (compose interpolation).
    const run =
      form === 'CMD-SHELL' ? spawnSync('/bin/sh', ['-c', command.replaceAll('$$', '$')], { env }) : spawnSync(command, rest, { env });
    return run.status === 0;
  }
  const { running, notStarted, done, failed } = LOCALSTACK.initReady;
  const spaced = (v: unknown) => JSON.stringify(v).replaceAll('":', '": ').replaceAll(',"', ', "');

  it.each([JSON.stringify, spaced])('healthy only once the hooks completed and none failed (%#: compact and spaced JSON)', (format) => {
    expect(healthy(null), 'LocalStack not answering').toBe(false);
    expect(healthy(format(notStarted)), 'hooks not started').toBe(false);
    expect(healthy(format(running)), 'hook running').toBe(false);
    expect(healthy(format(failed)), 'hook failed (completed is set anyway)').toBe(false);
    expect(healthy(format(done)), 'hooks done').toBe(true);
  });
});

describe('run.sh reaches the deployed API on LocalStack’s port (apigateway/next_gen/execute_api/router.py)', () => {
  const apiId = 'a1b2c3d4e5';
  const stage = 'local';
  const domain = LOCALSTACK.apiGateway.localhostHostname;

  // Stand-ins: node runs for real except on the project's scripts (recorded), npm is recorded.
  function runStep(stepName: string, apiUrlOutput: string) {
    const dir = mkdtempSync(path.join(tmpdir(), 'cf-runsh-'));
    const log = path.join(dir, 'calls.log');
    writeFileSync(log, '');
    const outputs = path.join(dir, 'outputs.json');
    writeFileSync(outputs, JSON.stringify({ 'Contactfolio-LocalStack': { ApiUrl: apiUrlOutput } }));
    writeFileSync(
      path.join(dir, 'node'),
      `#!/usr/bin/env bash\ncase "$1" in scripts/*) echo "node $*" >> "${log}"; exit 0 ;; esac\nexec "${process.execPath}" "$@"\n`,
    );
    writeFileSync(path.join(dir, 'npm'), `#!/usr/bin/env bash\necho "VITE_API_BASE_URL=\${VITE_API_BASE_URL:-} npm $*" >> "${log}"\n`);
    chmodSync(path.join(dir, 'node'), 0o755);
    chmodSync(path.join(dir, 'npm'), 0o755);
    const run = spawnSync('bash', [path.join(ROOT, 'localstack/run.sh'), stepName], {
      env: { ...CLEAN_ENV, PATH: `${dir}:${process.env.PATH}`, LOCALSTACK_OUTPUTS: outputs },
      encoding: 'utf8',
    });
    return { run, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
  }
  // What `cdklocal deploy` can write, in each form LocalStack's CloudFormation produces.
  it.each(LOCALSTACK.apiGateway.outputForms(apiId, stage))('smoke: the path-style URL on 4566 (ApiUrl %s)', (output) => {
    const { run, calls } = runStep('smoke', output);
    expect(run.status, run.stderr).toBe(0);
    expect(calls).toEqual([
      `node scripts/smoke.mjs --base-url ${LOCALSTACK.apiGateway.pathStyle(`http://localhost:${LOCALSTACK.apiGateway.edgePort}`, apiId, stage)}`,
    ]);
  });

  it.each(LOCALSTACK.apiGateway.outputForms(apiId, stage))(
    "upload: the web build points at the host-based URL on 4566, the bucket website's site (ApiUrl %s)",
    (output) => {
      const { run, calls } = runStep('upload', output);
      expect(run.status, run.stderr).toBe(0);
      expect(calls[0]).toBe(`VITE_API_BASE_URL=${LOCALSTACK.apiGateway.hostBased(apiId, domain, stage)} npm run build:web --if-present`);
      expect(calls[1]).toBe(`node scripts/upload-web.mjs --dir web/dist --bucket ${LOCALSTACK_WEB_BUCKET}`);
    },
  );

  it('refuses an ApiUrl it does not understand instead of smoke-testing nothing', () => {
    const { run, calls } = runStep('smoke', 'https://example.com/');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('unexpected ApiUrl');
    expect(calls).toEqual([]);
  });
});
