import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge.ts';
import { LOG_RETENTION } from './logs.ts';

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
/** max_connections counted on per Aurora instance (the arithmetic is in stacks/lambda-stack.ts). */
export const AURORA_MAX_CONNECTIONS_FLOOR = 189;

export interface DataProps {
  vpc: ec2.IVpc;
  deletionProtection: boolean;
  backupRetentionDays: number;
}

/**
 * Aurora PostgreSQL Serverless v2 (0.5-2 ACUs, a writer and a reader) and
 * ElastiCache Redis (cache.t3.micro, TLS in transit and at rest, auth token),
 * both in the isolated subnets; and the app secret with the six keys the
 * service reads, assembled from generated secrets by CloudFormation dynamic
 * references, so no value is ever in the template.
 */
export class Data extends Construct {
  readonly cluster: rds.DatabaseCluster;
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  readonly redisSecurityGroup: ec2.SecurityGroup;
  readonly appSecret: secretsmanager.Secret;
  /** The one Redis node's id (its metrics' CacheClusterId): <replication group id>-001. */
  readonly redisNodeId: string;
  readonly auroraMinCapacity = 0.5;
  readonly auroraMaxCapacity = 2;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const isolated = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSg', {
      vpc: props.vpc,
      description: 'Aurora PostgreSQL: 5432 from the app only',
      allowAllOutbound: false,
    });
    this.cluster = new rds.DatabaseCluster(this, 'Aurora', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_9 }),
      credentials: rds.Credentials.fromGeneratedSecret('contactfolio'),
      defaultDatabaseName: 'postgres',
      port: POSTGRES_PORT,
      serverlessV2MinCapacity: this.auroraMinCapacity,
      serverlessV2MaxCapacity: this.auroraMaxCapacity,
      writer: rds.ClusterInstance.serverlessV2('writer'),
      readers: [rds.ClusterInstance.serverlessV2('reader', { scaleWithWriter: true })],
      vpc: props.vpc,
      vpcSubnets: isolated,
      securityGroups: [this.databaseSecurityGroup],
      storageEncrypted: true,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      backup: { retention: Duration.days(Math.max(1, props.backupRetentionDays)) },
      cloudwatchLogsExports: ['postgresql'],
      iamAuthentication: true,
    });
    // RDS creates the export's log group itself, when the cluster first
    // publishes (so CloudFormation cannot create it first without a race): a
    // LogRetention custom resource sets its retention on the existing group
    // and deletes it with the stack, like every other log (constructs/logs.ts).
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
    const postgresLogs = new logs.LogRetention(this, 'PostgresLogRetention', {
      logGroupName: `/aws/rds/cluster/${this.cluster.clusterIdentifier}/postgresql`,
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.redisSecurityGroup = new ec2.SecurityGroup(this, 'RedisSg', {
      vpc: props.vpc,
      description: 'ElastiCache Redis: 6379 from the app only',
      allowAllOutbound: false,
    });
    const redisAuth = new secretsmanager.Secret(this, 'RedisAuthToken', {
      description: 'contactfolio ElastiCache auth token',
      // ElastiCache tokens: 16-128 printable characters without @ " /.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const subnets = new elasticache.CfnSubnetGroup(this, 'RedisSubnets', {
      description: 'contactfolio isolated subnets',
      subnetIds: props.vpc.selectSubnets(isolated).subnetIds,
    });
    const redis = new elasticache.CfnReplicationGroup(this, 'Redis', {
      replicationGroupDescription: 'contactfolio sessions',
      engine: 'redis',
      cacheNodeType: 'cache.t3.micro',
      numCacheClusters: 1,
      port: REDIS_PORT,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [this.redisSecurityGroup.securityGroupId],
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: redisAuth.secretValue.unsafeUnwrap(), // a {{resolve:secretsmanager}} reference, not the value
      automaticFailoverEnabled: false,
      snapshotRetentionLimit: 1,
    });
    // A cluster-mode-disabled group names its nodes <id>-001, -002, ...
    // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Replication.Redis.Groups.html
    this.redisNodeId = `${redis.ref}-001`;

    const sessionSecret = new secretsmanager.Secret(this, 'SessionSecret', {
      description: 'contactfolio cookie signing secret',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const db = this.cluster.secret!;
    this.appSecret = new secretsmanager.Secret(this, 'AppSecret', {
      description: 'contactfolio runtime secrets: PGHOST PGPORT PGUSER PGPASSWORD SESSION_SECRET REDIS_URL',
      // Each value is a dynamic reference to a generated secret (or an endpoint
      // that is not secret); CloudFormation resolves them at deploy time.
      secretObjectValue: {
        PGHOST: SecretValue.unsafePlainText(this.cluster.clusterEndpoint.hostname),
        PGPORT: SecretValue.unsafePlainText(String(POSTGRES_PORT)),
        PGUSER: db.secretValueFromJson('username'),
        PGPASSWORD: db.secretValueFromJson('password'),
        SESSION_SECRET: sessionSecret.secretValue,
        REDIS_URL: SecretValue.unsafePlainText(
          `rediss://:${redisAuth.secretValue.unsafeUnwrap()}@${redis.attrPrimaryEndPointAddress}:${redis.attrPrimaryEndPointPort}`,
        ),
      },
    });

    acknowledge(
      [this.cluster, redisAuth, sessionSecret, this.appSecret],
      [
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'Rotation would desynchronise the composed app secret and the running tasks; rotate by redeploying (documented in the README).',
        },
      ],
    );
    // The LogRetention provider is a CDK singleton function at stack level.
    const retentionProvider = Stack.of(this).node.tryFindChild('LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a');
    acknowledge(
      [postgresLogs, ...(retentionProvider ? [retentionProvider] : [])],
      [
        {
          id: 'AwsSolutions-IAM4',
          reason: "CDK's log retention function uses the basic execution role.",
          findings: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "CDK's log retention function sets retention on log groups named at deploy time (CDK scopes that to *) and may delete only this export's group and its streams.",
          findings: [
            'Resource::*',
            `Resource::arn:aws:logs:${Stack.of(this).region}:<AWS::AccountId>:log-group:/aws/rds/cluster/<${Stack.of(this).resolve(Stack.of(this).getLogicalId(this.cluster.node.defaultChild as rds.CfnDBCluster))}>/postgresql:*`,
          ],
        },
        { id: 'AwsSolutions-L1', reason: "The runtime of CDK's log retention function is chosen by aws-cdk-lib." },
      ],
    );
    acknowledge(this.cluster, [
      {
        id: 'AwsSolutions-RDS11',
        reason: 'The design fixes PostgreSQL on 5432; the cluster is reachable only from the app security groups.',
      },
      ...(props.deletionProtection
        ? []
        : [
            {
              id: 'AwsSolutions-RDS10',
              reason: 'Deletion protection was turned off on purpose (context deletionProtection=false) for a throwaway deployment.',
            },
          ]),
    ]);
    acknowledge(redis, [
      { id: 'AwsSolutions-AEC5', reason: 'The design fixes Redis on 6379; the node is reachable only from the app security groups.' },
      {
        id: 'AwsSolutions-AEC3',
        reason: 'Transit encryption and an auth token are enabled; false positive on the token dynamic reference.',
      },
      {
        id: 'AwsSolutions-AEC4',
        reason: "One cache.t3.micro node is the design's cost choice; losing it only signs people out (sessions), no data is lost.",
      },
    ]);
  }

  /** Lets `peer` (ECS tasks, the Lambda variant, the migration function) reach PostgreSQL. */
  allowDatabaseFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.databaseSecurityGroup.addIngressRule(peer, ec2.Port.tcp(POSTGRES_PORT), description);
  }

  allowRedisFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.redisSecurityGroup.addIngressRule(peer, ec2.Port.tcp(REDIS_PORT), description);
  }
}
