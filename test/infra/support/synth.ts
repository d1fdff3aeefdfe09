import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type Stacks } from '../../../infra/app.ts';

const root = path.resolve(import.meta.dirname, '../../..');

/** infra/cdk.json's context, as the CDK CLI hands it to the app (feature flags included). */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(path.join(root, 'infra/cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

export interface Synthesized {
  stacks: Stacks;
  backend: Template;
  frontend: Template;
  /** Absent when the context turns the Lambda stack off. */
  lambda?: Template;
  outdir: string;
  synthError: unknown;
}

/** The whole app as `cdk synth` builds it (cdk.json's context plus `context`), with the Lambda stack. */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cf-cdk-'));
  const app = new App({ outdir, context: { ...cdkJsonContext(), hostedZoneId: 'Z123EXAMPLE', lambda: 'true', ...context } });
  const stacks = buildApp(app);
  let synthError: unknown;
  try {
    app.synth();
  } catch (err) {
    synthError = err;
  }
  return {
    stacks,
    backend: Template.fromStack(stacks.backend),
    frontend: Template.fromStack(stacks.frontend),
    lambda: stacks.lambda ? Template.fromStack(stacks.lambda) : undefined,
    outdir,
    synthError,
  };
}
