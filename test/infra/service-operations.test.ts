import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize, type Synthesized } from './support/synth.ts';

/*
 * How the service behaves in a real account: which health check replaces
 * tasks, which platform the image is built for, who owns the task count.
 */
let s: Synthesized;
beforeAll(() => {
  s = synthesize();
}, 120_000);

const root = path.resolve(import.meta.dirname, '../..');
type Resource = { Properties: Record<string, any> };
const resources = (type: string) => Object.values(s.backend.findResources(type)) as Resource[];

describe('health checks: liveness, not the dependencies', () => {
  it('the target group probes /health/live, so a database failover does not fail every task at once', () => {
    const [tg] = resources('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(tg!.Properties).toMatchObject({ HealthCheckPath: '/health/live', Matcher: { HttpCode: '200' }, Port: 3000 });
  });

  it('the task definition has a container health check on /health/live, with a start period and retries', () => {
    const [task] = resources('AWS::ECS::TaskDefinition');
    const check = task!.Properties.ContainerDefinitions[0].HealthCheck;
    expect(check).toBeDefined();
    expect(check.Command[0]).toBe('CMD');
    expect(check.Command.join(' ')).toContain('http://127.0.0.1:3000/health/live');
    expect(check.Command.join(' ')).not.toMatch(/\/health['")]/);
    expect(check.Interval).toBeGreaterThanOrEqual(10);
    expect(check.Retries).toBeGreaterThanOrEqual(2);
    expect(check.StartPeriod).toBeGreaterThanOrEqual(10);
    expect(check.Timeout).toBeLessThan(check.Interval);
  });

  it('the Dockerfile HEALTHCHECK names the same liveness route', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/health\/live/);
  });
});

it('the image is built for linux/amd64, the platform of the X86_64 task, whatever machine runs the deploy', () => {
  const manifest = JSON.parse(readFileSync(path.join(s.outdir, 'Contactfolio-Backend.assets.json'), 'utf8')) as {
    dockerImages: Record<string, { source: { platform?: string } }>;
  };
  const images = Object.values(manifest.dockerImages);
  expect(images).toHaveLength(1);
  expect(images[0]!.source.platform).toBe('linux/amd64');
  const [task] = resources('AWS::ECS::TaskDefinition');
  expect(task!.Properties.RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' });
});

it('the task count belongs to the scaling policy: no DesiredCount to reset the scale on every deploy', () => {
  const [service] = resources('AWS::ECS::Service');
  expect(service!.Properties.DesiredCount).toBeUndefined();
  s.backend.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
    MinCapacity: 2,
    MaxCapacity: 6,
    ScalableDimension: 'ecs:service:DesiredCount',
  });
});
