import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { synthesize, type Synthesized } from './support/synth.ts';

/*
 * The rule for logs (infra/constructs/logs.ts): every log, ours or a
 * CDK-managed function's, has a retention, and goes with the stack after it
 * (DeletionPolicy Delete); data is retained or snapshotted instead. A log
 * group Lambda creates by itself on first invocation keeps every line for
 * ever and outlives the stack.
 */
let s: Synthesized;
beforeAll(() => {
  s = synthesize();
}, 120_000);

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const all = (t: Template, type: string) => Object.entries(t.findResources(type)) as [string, Resource][];
const templates = () => ({ backend: s.backend, frontend: s.frontend, lambda: s.lambda! });

describe.each(['backend', 'frontend', 'lambda'] as const)('%s stack', (name) => {
  it('every log group has a retention and is deleted with the stack', () => {
    for (const [id, group] of all(templates()[name], 'AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays, id).toBeGreaterThan(0);
      expect([group.DeletionPolicy, group.UpdateReplacePolicy], id).toEqual(['Delete', 'Delete']);
    }
  });

  it("every function, the CDK-managed ones included, logs to one of the stack's log groups", () => {
    const t = templates()[name];
    const groups = new Set(all(t, 'AWS::Logs::LogGroup').map(([id]) => id));
    for (const [id, fn] of all(t, 'AWS::Lambda::Function')) {
      const target = fn.Properties.LoggingConfig?.LogGroup?.Ref as string | undefined;
      expect(target, `${id} (${fn.Properties.Description ?? fn.Properties.Handler})`).toBeDefined();
      expect(groups.has(target!), id).toBe(true);
    }
  });
});

it('the CDK-managed functions of the backend (the migration trigger, the default security group rule remover) are among them', () => {
  const handlers = all(s.backend, 'AWS::Lambda::Function').map(([id]) => id);
  expect(handlers.some((id) => id.startsWith('AWSCDKTriggerCustomResourceProvider'))).toBe(true);
  expect(handlers.length).toBeGreaterThanOrEqual(3);
});

it("Aurora's PostgreSQL log export keeps 30 days and is deleted with the stack", () => {
  const cluster = all(s.backend, 'AWS::RDS::DBCluster')[0]!;
  expect(cluster[1].Properties.EnableCloudwatchLogsExports).toEqual(['postgresql']);
  const retention = all(s.backend, 'Custom::LogRetention').map(([, r]) => r.Properties);
  expect(retention).toContainEqual(
    expect.objectContaining({
      LogGroupName: { 'Fn::Join': ['', ['/aws/rds/cluster/', { Ref: cluster[0] }, '/postgresql']] },
      RetentionInDays: 30,
      RemovalPolicy: 'destroy',
    }),
  );
});

it('the data is kept: Aurora snapshotted on delete, the log buckets retained (their lifecycle expires the objects)', () => {
  const [, cluster] = all(s.backend, 'AWS::RDS::DBCluster')[0]!;
  expect(cluster.DeletionPolicy).toBe('Snapshot');
  for (const t of [s.backend, s.frontend]) {
    for (const [id, bucket] of all(t, 'AWS::S3::Bucket')) expect(bucket.DeletionPolicy, id).toBe('Retain');
  }
});
