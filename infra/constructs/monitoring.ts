import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge.ts';
import { CPU_TARGET_PERCENT } from './service.ts';

export interface MonitoringProps {
  loadBalancer: elbv2.ApplicationLoadBalancer;
  targetGroup: elbv2.ApplicationTargetGroup;
  service: ecs.FargateService;
  cluster: rds.DatabaseCluster;
  /** The cluster's maximum ACUs: sitting there means it cannot scale further. */
  auroraMaxCapacity: number;
  /** max_connections counted on per Aurora instance. */
  auroraMaxConnections: number;
  /** The Redis node's CacheClusterId. */
  redisNodeId: string;
  /** Subscribed to the alarm topic by email when given (it must confirm the subscription). */
  alarmEmail?: string;
}

/** Each alarm's threshold, in one place: the README's table and the tests read them. */
export const THRESHOLDS = {
  /** Percent of requests answered 5xx (by the ALB or the tasks), when there are at least 20 in 5 minutes. */
  http5xxPercent: 5,
  /** Targets the ALB marks unhealthy, for 5 minutes in a row. */
  unhealthyTargets: 1,
  /** Seconds, the targets' p99 response time. */
  p99LatencySeconds: 2,
  /** Percent of the tasks' reserved CPU and memory, on average. */
  ecsCpuPercent: 80,
  ecsMemoryPercent: 80,
  /** Percent of Aurora's max_connections on the writer. */
  auroraConnectionsPercent: 80,
  /** Percent of the Redis node's maxmemory. */
  redisMemoryPercent: 80,
  /** Sessions Redis evicted (each one signs someone out). */
  redisEvictions: 1,
} as const;

/**
 * What an operator is told about, by email through one SNS topic, and one
 * dashboard with the same metrics: the ALB's 5xx rate, unhealthy targets and
 * p99 latency; the tasks' CPU and memory; Aurora at its maximum capacity and
 * its connections; Redis's memory and evictions. Every alarm notifies on
 * ALARM and on OK. Missing data is not breaching: a quiet service is fine.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: Record<string, cloudwatch.Alarm> = {};
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Alarms', { displayName: 'contactfolio alarms', enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    acknowledge(this.topic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and alarm names and states are not secret; a customer managed key (1 USD/month) buys nothing here.',
      },
    ]);

    const lb = props.loadBalancer.metrics;
    const tg = props.targetGroup.metrics;
    const fiveMinutes = Duration.minutes(5);
    const requests = lb.requestCount({ period: fiveMinutes, statistic: 'Sum' });
    const http5xxRate = new cloudwatch.MathExpression({
      // Percent of requests that got a 5xx from the ALB or a task; 0 below 20
      // requests in 5 minutes, where one failure would be a 5-50% "rate".
      expression: 'IF(requests >= 20, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)',
      usingMetrics: {
        requests,
        elb5xx: lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: fiveMinutes, statistic: 'Sum' }),
        target5xx: lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: fiveMinutes, statistic: 'Sum' }),
      },
      label: '5xx responses (%)',
      period: fiveMinutes,
    });
    const unhealthy = tg.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' });
    const p99 = tg.targetResponseTime({ period: fiveMinutes, statistic: 'p99' });
    const cpu = props.service.metricCpuUtilization({ period: fiveMinutes, statistic: 'Average' });
    const memory = props.service.metricMemoryUtilization({ period: fiveMinutes, statistic: 'Average' });
    const capacity = props.cluster.metric('ServerlessDatabaseCapacity', { period: fiveMinutes, statistic: 'Maximum' });
    const connections = new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName: 'DatabaseConnections',
      dimensionsMap: { DBClusterIdentifier: props.cluster.clusterIdentifier, Role: 'WRITER' },
      period: fiveMinutes,
      statistic: 'Maximum',
    });
    const redis = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ElastiCache',
        metricName,
        dimensionsMap: { CacheClusterId: props.redisNodeId },
        period: fiveMinutes,
        statistic,
      });
    const redisMemory = redis('DatabaseMemoryUsagePercentage', 'Maximum');
    const evictions = redis('Evictions', 'Sum');

    const over = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const atLeast = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const alarm = (
      name: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      comparisonOperator: cloudwatch.ComparisonOperator,
      evaluationPeriods: number,
      description: string,
    ) => {
      const a = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        comparisonOperator,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new actions.SnsAction(this.topic));
      a.addOkAction(new actions.SnsAction(this.topic));
      this.alarms[name] = a;
      return a;
    };
    alarm(
      'Http5xxRate',
      http5xxRate,
      THRESHOLDS.http5xxPercent,
      over,
      2,
      `Over ${THRESHOLDS.http5xxPercent}% of API requests answered 5xx for 10 minutes`,
    );
    alarm(
      'UnhealthyTargets',
      unhealthy,
      THRESHOLDS.unhealthyTargets,
      atLeast,
      5,
      'An API task has failed the ALB liveness check (/health/live) for 5 minutes',
    );
    alarm(
      'TargetP99Latency',
      p99,
      THRESHOLDS.p99LatencySeconds,
      over,
      3,
      `p99 API response time over ${THRESHOLDS.p99LatencySeconds} s for 15 minutes`,
    );
    alarm(
      'EcsCpu',
      cpu,
      THRESHOLDS.ecsCpuPercent,
      over,
      3,
      `API tasks over ${THRESHOLDS.ecsCpuPercent}% CPU for 15 minutes (autoscaling targets ${CPU_TARGET_PERCENT}%: it is at its maximum or not keeping up)`,
    );
    alarm(
      'EcsMemory',
      memory,
      THRESHOLDS.ecsMemoryPercent,
      over,
      3,
      `API tasks over ${THRESHOLDS.ecsMemoryPercent}% of their 512 MiB for 15 minutes`,
    );
    alarm(
      'AuroraAtMaxCapacity',
      capacity,
      props.auroraMaxCapacity,
      atLeast,
      3,
      `Aurora at its maximum of ${props.auroraMaxCapacity} ACUs for 15 minutes: it cannot scale further`,
    );
    const connectionLimit = Math.floor((props.auroraMaxConnections * THRESHOLDS.auroraConnectionsPercent) / 100);
    alarm(
      'AuroraConnections',
      connections,
      connectionLimit,
      over,
      2,
      `Over ${connectionLimit} connections on the Aurora writer (${THRESHOLDS.auroraConnectionsPercent}% of ${props.auroraMaxConnections})`,
    );
    alarm(
      'RedisMemory',
      redisMemory,
      THRESHOLDS.redisMemoryPercent,
      over,
      3,
      `Redis over ${THRESHOLDS.redisMemoryPercent}% of its memory for 15 minutes: evictions (sign-outs) come next`,
    );
    alarm('RedisEvictions', evictions, THRESHOLDS.redisEvictions, atLeast, 1, 'Redis evicted keys: people were signed out');

    const graph = (title: string, metrics: cloudwatch.IMetric[], threshold?: number) =>
      new cloudwatch.GraphWidget({
        title,
        left: metrics,
        width: 8,
        leftAnnotations: threshold === undefined ? undefined : [{ value: threshold, label: 'alarm' }],
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: 'contactfolio',
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          graph('API 5xx rate (%)', [http5xxRate], THRESHOLDS.http5xxPercent),
          graph('Requests (5 min)', [requests]),
          graph('Target p99 latency (s)', [p99], THRESHOLDS.p99LatencySeconds),
        ],
        [
          graph(
            'Unhealthy targets',
            [unhealthy, tg.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum' })],
            THRESHOLDS.unhealthyTargets,
          ),
          graph('ECS CPU (%)', [cpu], THRESHOLDS.ecsCpuPercent),
          graph('ECS memory (%)', [memory], THRESHOLDS.ecsMemoryPercent),
        ],
        [
          graph('Aurora capacity (ACU)', [capacity], props.auroraMaxCapacity),
          graph('Aurora writer connections', [connections], connectionLimit),
          graph('Redis memory (%) and evictions', [redisMemory, evictions], THRESHOLDS.redisMemoryPercent),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 24 })],
      ],
    });
  }
}
