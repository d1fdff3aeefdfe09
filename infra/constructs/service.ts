import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { SECRET_KEYS } from '../../app/config/secrets.ts';
import type { Data } from './data.ts';
import { AppFunction } from './node-function.ts';
import { acknowledge, VPC_FUNCTION_MANAGED_POLICIES } from './acknowledge.ts';
import { logGroup } from './logs.ts';

export const APP_PORT = 3000;
/**
 * What the ALB and ECS probe: 200 whenever this process can serve, with no
 * dependency checks. The deep /health (PostgreSQL and Redis) would mark every
 * task unhealthy at once during an Aurora failover or an ElastiCache
 * maintenance, and ECS would replace them all; new tasks would fail it too.
 * /health stays for operators, the smoke test and alarms.
 */
export const LIVENESS_PATH = '/health/live';
/** The API task's size: 0.25 vCPU and 512 MiB, Fargate's smallest. */
export const TASK_CPU_UNITS = 256;
export const TASK_MEMORY_MIB = 512;
/**
 * What one task (TASK_CPU_UNITS, TASK_MEMORY_MIB) holds with p99 under 100 ms
 * under the mix of bench/capacity.ts, measured by `npm run bench:capacity`;
 * the result file named here is kept in git (docs/performance.md, "Capacity
 * of one task"). Measure again after changing the task's size, the image or
 * a hot path, and update both.
 */
export const TASK_CAPACITY = {
  requestsPerSecond: 10,
  /** The task's CPU use at that rate, over its reservation (what ECS reports). */
  cpuPercent: 17,
  measuredIn: 'bench/results/capacity-2026-12-05T02-48-21-999Z.json',
} as const;
/**
 * The request-count policy aims at this share of the capacity: a new task
 * takes traffic about 2 minutes after the alarm (the 1-minute metric, the
 * task's start, two health checks 15 s apart), while traffic may still grow.
 */
export const SCALE_OUT_AT_SHARE = 0.6;
/** ALBRequestCountPerTarget is requests per target per minute. */
export const REQUESTS_PER_TARGET_PER_MINUTE = Math.floor(TASK_CAPACITY.requestsPerSecond * 60 * SCALE_OUT_AT_SHARE);
/**
 * The CPU policy, for a mix heavier than the measured one: the same share of
 * the CPU use at capacity. At a quarter of a CPU that is low (the p99 goes
 * past 100 ms at 17% on average: a burst of CPU work, an import of 50 cards,
 * uses up the 25 ms per 100 ms quota on its own and stalls every request).
 */
export const CPU_TARGET_PERCENT = Math.round(TASK_CAPACITY.cpuPercent * SCALE_OUT_AT_SHARE);
/** Each task's pg pool size, to the writer and to the reader (the app's DB_POOL_MAX). */
export const TASK_DB_POOL_MAX = 10;
/** ECS starts new tasks before stopping old ones: up to twice the count during a deploy. */
export const MAX_HEALTHY_PERCENT = 200;

export interface ServiceProps {
  vpc: ec2.IVpc;
  data: Data;
  image: ecs.ContainerImage;
  zone: route53.IHostedZone;
  apiDomainName: string;
  /** The web app's origin, allowed by CORS (https://contactfolio.com). */
  webOrigin: string;
  maxUsers: number;
  maxContactsPerUser: number;
  desiredTasks: number;
  maxTasks: number;
}

/**
 * The API on ECS Fargate (256 CPU units, 512 MiB) behind an internet-facing
 * ALB: HTTP 80 redirects to HTTPS 443 with a DNS-validated certificate,
 * health check /health/live (liveness), api.<domain> as an alias. Migrations run in a
 * one-off function before new tasks take traffic.
 */
export class Service extends Construct {
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly serviceSecurityGroup: ec2.SecurityGroup;
  readonly albSecurityGroup: ec2.SecurityGroup;
  readonly migrate: AppFunction;

  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id);
    const { vpc, data } = props;

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: TASK_CPU_UNITS,
      memoryLimitMiB: TASK_MEMORY_MIB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const environment = {
      PORT: String(APP_PORT),
      NODE_ENV: 'production',
      CORS_ORIGIN: props.webOrigin,
      MAX_USERS: String(props.maxUsers),
      MAX_CONTACTS_PER_USER: String(props.maxContactsPerUser),
      PGDATABASE: 'postgres',
      // Reads go to the Aurora reader (not secret, so not in the secret).
      PGREADERHOST: data.cluster.clusterReadEndpoint.hostname,
      TRUST_PROXY: '1',
      // Pinned here because the Lambda variant's concurrency cap is computed from it.
      DB_POOL_MAX: String(TASK_DB_POOL_MAX),
    };
    taskDefinition.addContainer('api', {
      image: props.image,
      portMappings: [{ containerPort: APP_PORT }],
      environment,
      // The keys of the app secret: the very list the app's config reads.
      secrets: Object.fromEntries(SECRET_KEYS.map((k) => [k, ecs.Secret.fromSecretsManager(data.appSecret, k)])),
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'api',
        logGroup: logGroup(this, 'Logs'),
      }),
      readonlyRootFilesystem: true,
      stopTimeout: Duration.seconds(30),
      // Liveness only (see LIVENESS_PATH). The slim image has no curl; Node 22
      // has fetch. ECS stops a task whose essential container stays UNHEALTHY;
      // failures during startPeriod do not count.
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${APP_PORT}${LIVENESS_PATH}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
    });

    this.albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSg', {
      vpc,
      description: 'ALB: 80 and 443 from the internet',
      allowAllOutbound: false,
    });
    this.albSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP (redirected to HTTPS)');
    this.albSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS');
    this.serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSg', { vpc, description: 'API tasks: app port from the ALB only' });
    this.serviceSecurityGroup.addIngressRule(this.albSecurityGroup, ec2.Port.tcp(APP_PORT), 'from the ALB');
    this.albSecurityGroup.addEgressRule(this.serviceSecurityGroup, ec2.Port.tcp(APP_PORT), 'to the API tasks');
    data.allowDatabaseFrom(this.serviceSecurityGroup, 'PostgreSQL from the API tasks');
    data.allowRedisFrom(this.serviceSecurityGroup, 'Redis from the API tasks');

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      // No desiredCount: with autoscaling, a fixed count in the template
      // resets the scale to it on every deploy. Creation starts one task and
      // the scalable target's minCapacity raises it to desiredTasks at once.
      minHealthyPercent: 100,
      maxHealthyPercent: MAX_HEALTHY_PERCENT,
      circuitBreaker: { rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.serviceSecurityGroup],
      assignPublicIp: false,
    });

    const accessLogs = new s3.Bucket(this, 'AlbLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      securityGroup: this.albSecurityGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(accessLogs, 'alb');

    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.apiDomainName,
      validation: acm.CertificateValidation.fromDns(props.zone),
    });
    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false, // the security group above already says who may connect
    });
    const targetGroup = (this.targetGroup = https.addTargets('Api', {
      port: APP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: LIVENESS_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    }));
    this.loadBalancer.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: props.desiredTasks, maxCapacity: props.maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: CPU_TARGET_PERCENT });
    scaling.scaleOnRequestCount('Requests', { requestsPerTarget: REQUESTS_PER_TARGET_PER_MINUTE, targetGroup });

    new route53.ARecord(this, 'ApiAlias', {
      zone: props.zone,
      recordName: props.apiDomainName,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
    });

    // Migrations: applied by a one-off function before the service updates.
    const migrateSg = new ec2.SecurityGroup(this, 'MigrateSg', { vpc, description: 'Migration function: reaches PostgreSQL only' });
    data.allowDatabaseFrom(migrateSg, 'PostgreSQL from the migration function');
    this.migrate = new AppFunction(this, 'Migrate', {
      entry: 'lambda-migrate',
      vpc,
      securityGroup: migrateSg,
      timeout: Duration.minutes(5),
      environment: { NODE_ENV: 'production', SECRETS_ID: data.appSecret.secretArn, PGDATABASE: 'postgres', CORS_ORIGIN: props.webOrigin },
    });
    data.appSecret.grantRead(this.migrate.fn);
    new triggers.Trigger(this, 'MigrateBeforeDeploy', {
      handler: this.migrate.fn,
      executeBefore: [this.service],
      executeAfter: [data.cluster],
      executeOnHandlerChange: true,
      timeout: Duration.minutes(5),
    });

    acknowledge(this.albSecurityGroup, [
      { id: 'AwsSolutions-EC23', reason: 'The public ALB accepts 80 (redirect) and 443 from anywhere by design.' },
    ]);
    acknowledge(taskDefinition, [
      { id: 'AwsSolutions-ECS2', reason: 'Only non-secret settings are plain environment variables; secrets come from Secrets Manager.' },
    ]);
    acknowledge(accessLogs, [{ id: 'AwsSolutions-S1', reason: 'This bucket holds the ALB access logs; logging it again would recurse.' }]);
    acknowledge(
      [taskDefinition, this.migrate],
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Generated by CDK: log-stream and ENI actions that AWS scopes with wildcards.',
          findings: ['Resource::*'],
        },
      ],
    );
    acknowledge(this.migrate, [VPC_FUNCTION_MANAGED_POLICIES]);
  }
}
