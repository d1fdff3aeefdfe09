import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize, type Synthesized } from './support/synth.ts';

/*
 * The alarms an operator expects (infra/constructs/monitoring.ts): each on
 * the right metric and dimensions, with its threshold, notifying the one SNS
 * topic on ALARM and OK; the email subscription when one is configured; and
 * one dashboard with the same metrics.
 */
let s: Synthesized;
let withEmail: Synthesized;
beforeAll(() => {
  s = synthesize();
  withEmail = synthesize({ alarmEmail: 'ops@example.com', lambda: 'false' });
}, 180_000);

type Alarm = Record<string, any>;
const alarms = () => Object.values(s.backend.findResources('AWS::CloudWatch::Alarm')).map((r) => (r as { Properties: Alarm }).Properties);
const topicId = () => {
  const ids = Object.keys(s.backend.findResources('AWS::SNS::Topic'));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};
const ref = (type: string) => {
  const ids = Object.keys(s.backend.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};
/** The one alarm on `metricName` (a plain metric). */
const on = (metricName: string) => {
  const found = alarms().filter((a) => a.MetricName === metricName);
  expect(found, metricName).toHaveLength(1);
  return found[0]!;
};

it('synthesizes with cdk-nag clean', () => {
  expect(s.synthError).toBeUndefined();
  expect(withEmail.synthError).toBeUndefined();
});

it('nine alarms, each notifying the topic when it fires and when it clears, quiet on missing data', () => {
  expect(alarms()).toHaveLength(9);
  for (const a of alarms()) {
    expect(a.AlarmActions, a.AlarmDescription).toEqual([{ Ref: topicId() }]);
    expect(a.OKActions, a.AlarmDescription).toEqual([{ Ref: topicId() }]);
    expect(a.TreatMissingData).toBe('notBreaching');
    expect(a.AlarmDescription).toBeTruthy();
  }
});

describe('ALB', () => {
  it('5xx rate: (ELB 5xx + target 5xx) / requests over 5%, ignoring fewer than 20 requests, two 5-minute periods', () => {
    const rate = alarms().find((a) => a.Metrics)!;
    expect(rate).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    const expression = rate.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('IF(requests >= 20, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)');
    const inputs = Object.fromEntries(rate.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]));
    expect(inputs.requests).toMatchObject({
      Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount' },
      Stat: 'Sum',
      Period: 300,
    });
    expect(inputs.elb5xx.Metric.MetricName).toBe('HTTPCode_ELB_5XX_Count');
    expect(inputs.target5xx.Metric.MetricName).toBe('HTTPCode_Target_5XX_Count');
    const alb = ref('AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(JSON.stringify(inputs.requests.Metric.Dimensions)).toContain(alb);
  });

  it('unhealthy targets: at least one, for five 1-minute periods, on this target group', () => {
    const a = on('UnHealthyHostCount');
    expect(a).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
    });
    expect(JSON.stringify(a.Dimensions)).toContain(ref('AWS::ElasticLoadBalancingV2::TargetGroup'));
  });

  it('target p99 latency over 2 s for 15 minutes', () => {
    expect(on('TargetResponseTime')).toMatchObject({
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
    });
  });
});

describe('ECS', () => {
  it.each([['CPUUtilization'], ['MemoryUtilization']])('%s over 80% of the service, averaged, for 15 minutes', (metric) => {
    const a = on(metric);
    expect(a).toMatchObject({
      Namespace: 'AWS/ECS',
      Statistic: 'Average',
      Period: 300,
      Threshold: 80,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
    });
    expect(a.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'ClusterName', Value: { Ref: ref('AWS::ECS::Cluster') } },
        { Name: 'ServiceName', Value: { 'Fn::GetAtt': [ref('AWS::ECS::Service'), 'Name'] } },
      ]),
    );
  });
});

describe('Aurora', () => {
  it('capacity at its 2-ACU maximum for 15 minutes', () => {
    const a = on('ServerlessDatabaseCapacity');
    expect(a).toMatchObject({
      Namespace: 'AWS/RDS',
      Statistic: 'Maximum',
      Threshold: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
    });
    expect(a.Dimensions).toEqual([{ Name: 'DBClusterIdentifier', Value: { Ref: ref('AWS::RDS::DBCluster') } }]);
  });

  it('writer connections over 80% of the 189 counted on (151)', () => {
    const a = on('DatabaseConnections');
    expect(a).toMatchObject({ Namespace: 'AWS/RDS', Statistic: 'Maximum', Threshold: 151, ComparisonOperator: 'GreaterThanThreshold' });
    expect(a.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'Role', Value: 'WRITER' },
        { Name: 'DBClusterIdentifier', Value: { Ref: ref('AWS::RDS::DBCluster') } },
      ]),
    );
  });
});

describe('Redis', () => {
  const node = () => ({
    Name: 'CacheClusterId',
    Value: { 'Fn::Join': ['', [{ Ref: ref('AWS::ElastiCache::ReplicationGroup') }, '-001']] },
  });
  it('memory over 80% for 15 minutes, on the one node', () => {
    const a = on('DatabaseMemoryUsagePercentage');
    expect(a).toMatchObject({
      Namespace: 'AWS/ElastiCache',
      Statistic: 'Maximum',
      Threshold: 80,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
    });
    expect(a.Dimensions).toEqual([node()]);
  });
  it('any eviction (a signed-out user)', () => {
    const a = on('Evictions');
    expect(a).toMatchObject({
      Namespace: 'AWS/ElastiCache',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
    expect(a.Dimensions).toEqual([node()]);
  });
});

it('the topic accepts only TLS publishers; email subscription only when alarmEmail is given', () => {
  s.backend.hasResourceProperties('AWS::SNS::TopicPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
    },
  });
  s.backend.resourceCountIs('AWS::SNS::Subscription', 0);
  withEmail.backend.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
});

it('one dashboard with every alarmed metric', () => {
  const dashboards = Object.values(s.backend.findResources('AWS::CloudWatch::Dashboard')) as { Properties: { DashboardBody: unknown } }[];
  expect(dashboards).toHaveLength(1);
  const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
  for (const metric of [
    'HTTPCode_ELB_5XX_Count',
    'HTTPCode_Target_5XX_Count',
    'RequestCount',
    'UnHealthyHostCount',
    'TargetResponseTime',
    'CPUUtilization',
    'MemoryUtilization',
    'ServerlessDatabaseCapacity',
    'DatabaseConnections',
    'DatabaseMemoryUsagePercentage',
    'Evictions',
  ]) {
    expect(body, metric).toContain(metric);
  }
});
