import { Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SECRET_KEYS } from '../../app/config/secrets.ts';
import { acknowledge } from './acknowledge.ts';

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
/** The keys of the app secret: the very list the app's config reads. */
export const APP_SECRET_KEYS = SECRET_KEYS;

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
  readonly redisEndpoint: string;

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
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 2,
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
    this.redisEndpoint = redis.attrPrimaryEndPointAddress;

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
    acknowledge(this.cluster, [
      { id: 'AwsSolutions-RDS11', reason: 'The design fixes PostgreSQL on 5432; the cluster is reachable only from the app security groups.' },
      ...(props.deletionProtection
        ? []
        : [{ id: 'AwsSolutions-RDS10', reason: 'Deletion protection was turned off on purpose (context deletionProtection=false) for a throwaway deployment.' }]),
    ]);
    acknowledge(redis, [
      { id: 'AwsSolutions-AEC5', reason: 'The design fixes Redis on 6379; the node is reachable only from the app security groups.' },
      { id: 'AwsSolutions-AEC3', reason: 'Transit encryption and an auth token are enabled; false positive on the token dynamic reference.' },
      {
        id: 'AwsSolutions-AEC4',
        reason: 'One cache.t3.micro node is the design\'s cost choice; losing it only signs people out (sessions), no data is lost.',
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
