import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Stacks } from '../../infra/app.ts';
import { cdkJsonContext } from './support/synth.ts';
import { TASK_CAPACITY, TASK_CPU_UNITS, TASK_MEMORY_MIB } from '../../infra/constructs/service.ts';
import { ROOT } from '../support/process.ts';

/*
 * Every fact of the design notes, asserted on the synthesized templates.
 * The whole app is synthesized once, with the optional Lambda stack, and
 * with cdk-nag's AwsSolutions checks as a validation plugin: synth() throws
 * on any unacknowledged finding. Every App gets cdk.json's context (its
 * feature flags), as `cdk synth` does.
 */

let stacks: Stacks;
let backend: Template;
let frontend: Template;
let lambdaStack: Template;
let synthError: unknown;
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'cf-cdk-'));
  const app = new App({
    outdir,
    context: { ...cdkJsonContext(), hostedZoneId: 'Z123EXAMPLE', lambda: 'true' },
  });
  stacks = buildApp(app);
  try {
    app.synth();
  } catch (err) {
    synthError = err;
  }
  backend = Template.fromStack(stacks.backend);
  frontend = Template.fromStack(stacks.frontend);
  lambdaStack = Template.fromStack(stacks.lambda!);
}, 120_000);

type Resource = { Properties: Record<string, any> };
const resources = (t: Template, type: string, props: object = {}) =>
  Object.values(t.findResources(type, { Properties: props })) as Resource[];
const logicalId = (t: Template, type: string, props: object) => {
  const ids = Object.keys(t.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

it('synthesizes offline with no unacknowledged cdk-nag AwsSolutions finding', () => {
  expect(synthError).toBeUndefined();
});

describe('network', () => {
  it('VPC 172.16.0.0/16 with public, private-with-egress and isolated subnets over two AZs', () => {
    backend.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '172.16.0.0/16' });
    backend.resourceCountIs('AWS::EC2::VPC', 1);
    const subnets = resources(backend, 'AWS::EC2::Subnet');
    const byType = (type: string) =>
      subnets.filter((s) => s.Properties.Tags.some((t: any) => t.Key === 'aws-cdk:subnet-type' && t.Value === type));
    expect(byType('Public')).toHaveLength(2);
    expect(byType('Private')).toHaveLength(2);
    expect(byType('Isolated')).toHaveLength(2);
    expect(new Set(subnets.map((s) => JSON.stringify(s.Properties.AvailabilityZone))).size).toBe(2);
  });

  it('one shared NAT gateway', () => {
    backend.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('isolated subnets have no route out', () => {
    const routes = resources(backend, 'AWS::EC2::Route');
    const isolatedTables = Object.keys(backend.findResources('AWS::EC2::RouteTable')).filter((id) => id.includes('isolated'));
    expect(isolatedTables).toHaveLength(2);
    expect(routes.filter((r) => isolatedTables.includes(r.Properties.RouteTableId?.Ref))).toEqual([]);
  });
});

describe('security groups: exactly the design, nothing wider', () => {
  const sgId = (description: string) => logicalId(backend, 'AWS::EC2::SecurityGroup', { GroupDescription: description });
  /** Rules inline on the group plus separate AWS::EC2::SecurityGroupIngress resources for it. */
  const ingressOf = (t: Template, groupLogicalId: string) => {
    const inline = (t.findResources('AWS::EC2::SecurityGroup')[groupLogicalId]?.Properties.SecurityGroupIngress ?? []) as any[];
    const separate = resources(t, 'AWS::EC2::SecurityGroupIngress')
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId).includes(groupLogicalId));
    return [...inline, ...separate];
  };

  it('ALB: 80 and 443 from the internet only', () => {
    const alb = sgId('ALB: 80 and 443 from the internet');
    const rules = ingressOf(backend, alb)
      .map((r) => `${r.CidrIp ?? r.CidrIpv6 ?? 'sg'}:${r.FromPort}-${r.ToPort}`)
      .sort();
    expect(rules).toEqual(['0.0.0.0/0:443-443', '0.0.0.0/0:80-80']);
  });

  it('ECS tasks: port 3000 from the ALB only', () => {
    const service = sgId('API tasks: app port from the ALB only');
    const rules = ingressOf(backend, service);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 3000,
      ToPort: 3000,
      SourceSecurityGroupId: { 'Fn::GetAtt': [sgId('ALB: 80 and 443 from the internet'), 'GroupId'] },
    });
  });

  it('PostgreSQL 5432: from the ECS tasks and the migration function in the backend; the Lambda variant adds itself', () => {
    const db = sgId('Aurora PostgreSQL: 5432 from the app only');
    const rules = ingressOf(backend, db);
    const sources = rules.map((r) => r.SourceSecurityGroupId['Fn::GetAtt'][0]).sort();
    expect(sources).toEqual([sgId('API tasks: app port from the ALB only'), sgId('Migration function: reaches PostgreSQL only')].sort());
    for (const r of rules) expect(r).toMatchObject({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432 });
    expect(rules.some((r) => r.CidrIp || r.CidrIpv6)).toBe(false);
    const fromLambda = resources(lambdaStack, 'AWS::EC2::SecurityGroupIngress').map((r) => r.Properties);
    expect(fromLambda.map((r) => r.FromPort).sort()).toEqual([5432, 6379]);
    expect(fromLambda.every((r) => r.SourceSecurityGroupId['Fn::GetAtt'][0].startsWith('FunctionSg'))).toBe(true);
  });

  it('Redis 6379: from the ECS tasks only (and the Lambda variant)', () => {
    const redis = sgId('ElastiCache Redis: 6379 from the app only');
    const rules = ingressOf(backend, redis);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 6379,
      ToPort: 6379,
      SourceSecurityGroupId: { 'Fn::GetAtt': [sgId('API tasks: app port from the ALB only'), 'GroupId'] },
    });
  });
});

describe('data', () => {
  it('Aurora PostgreSQL Serverless v2, 0.5-2 ACUs, encrypted, a writer and a reader in isolated subnets', () => {
    backend.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 2 },
      StorageEncrypted: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 7,
      Port: 5432,
      DatabaseName: 'postgres',
    });
    const instances = resources(backend, 'AWS::RDS::DBInstance');
    expect(instances).toHaveLength(2);
    expect(instances.every((i) => i.Properties.DBInstanceClass === 'db.serverless')).toBe(true);
    expect(instances.map((i) => i.Properties.PromotionTier).sort()).toEqual([0, 1]); // writer, and a reader that scales with it
    const subnetGroup = resources(backend, 'AWS::RDS::DBSubnetGroup')[0]!;
    expect(JSON.stringify(subnetGroup.Properties.SubnetIds)).toMatch(/isolated/);
  });

  it('backups and deletion protection are configurable', () => {
    const app = new App({
      outdir: mkdtempSync(path.join(tmpdir(), 'cf-cdk-')),
      context: { ...cdkJsonContext(), deletionProtection: 'false', backupRetentionDays: '3' },
    });
    const t = Template.fromStack(buildApp(app).backend);
    t.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false, BackupRetentionPeriod: 3 });
  });

  it('ElastiCache Redis cache.t3.micro with TLS in transit and at rest and an auth token from Secrets Manager', () => {
    const [redis] = resources(backend, 'AWS::ElastiCache::ReplicationGroup');
    expect(redis!.Properties).toMatchObject({
      Engine: 'redis',
      CacheNodeType: 'cache.t3.micro',
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      Port: 6379,
    });
    expect(JSON.stringify(redis!.Properties.AuthToken)).toMatch(/\{\{resolve:secretsmanager:/);
    const subnets = resources(backend, 'AWS::ElastiCache::SubnetGroup')[0]!;
    expect(JSON.stringify(subnets.Properties.SubnetIds)).toMatch(/isolated/);
  });

  it('the app secret holds the six keys, every secret value a dynamic reference, nothing in plain text', () => {
    const secret = resources(backend, 'AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('runtime secrets') })[0]!;
    const text = JSON.stringify(secret.Properties.SecretString);
    for (const key of ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'SESSION_SECRET', 'REDIS_URL']) expect(text).toContain(`\\"${key}\\":`);
    expect(text.match(/\{\{resolve:secretsmanager:/g)?.length).toBeGreaterThanOrEqual(4); // user, password, session, redis token
    expect(text).toContain('rediss://:');
    const generated = resources(backend, 'AWS::SecretsManager::Secret').filter((s) => s.Properties.GenerateSecretString);
    expect(generated).toHaveLength(3); // database credentials, Redis auth token, session secret
  });
});

describe('backend service', () => {
  it('Fargate task: 256 CPU units, 512 MiB, read-only root file system', () => {
    backend.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [Match.objectLike({ ReadonlyRootFilesystem: true, PortMappings: [{ ContainerPort: 3000, Protocol: 'tcp' }] })],
    });
  });

  it('each environment variable of the design notes, with its value', () => {
    const [task] = resources(backend, 'AWS::ECS::TaskDefinition');
    const env = Object.fromEntries(task!.Properties.ContainerDefinitions[0].Environment.map((e: any) => [e.Name, e.Value]));
    expect(env).toMatchObject({
      PORT: '3000',
      NODE_ENV: 'production',
      CORS_ORIGIN: 'https://contactfolio.com',
      MAX_USERS: '50',
      MAX_CONTACTS_PER_USER: '50',
      PGDATABASE: 'postgres',
      TRUST_PROXY: '1',
    });
    expect(env.PGREADERHOST).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Aurora/), 'ReadEndpoint.Address'] });
    // No secret value in plain environment variables.
    for (const key of ['PGPASSWORD', 'SESSION_SECRET', 'REDIS_URL', 'PGUSER']) expect(env[key]).toBeUndefined();
  });

  it('each of the six secrets is injected from the app secret', () => {
    const [task] = resources(backend, 'AWS::ECS::TaskDefinition');
    const secrets = task!.Properties.ContainerDefinitions[0].Secrets as { Name: string; ValueFrom: any }[];
    expect(secrets.map((s) => s.Name).sort()).toEqual(['PGHOST', 'PGPASSWORD', 'PGPORT', 'PGUSER', 'REDIS_URL', 'SESSION_SECRET']);
    const appSecret = logicalId(backend, 'AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('runtime secrets') });
    for (const s of secrets)
      expect(JSON.stringify(s.ValueFrom)).toBe(JSON.stringify({ 'Fn::Join': ['', [{ Ref: appSecret }, `:${s.Name}::`]] }));
  });

  it('the service runs in private subnets without public IPs, rolls back failed deployments', () => {
    backend.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'DISABLED',
          Subnets: Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('private') })]),
        }),
      },
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 }),
    });
  });

  it('ALB: HTTPS 443 with the DNS-validated certificate; HTTP 80 redirects to HTTPS', () => {
    backend.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'application' });
    const certificate = logicalId(backend, 'AWS::CertificateManager::Certificate', {
      DomainName: 'api.contactfolio.com',
      ValidationMethod: 'DNS',
    });
    backend.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainValidationOptions: [{ DomainName: 'api.contactfolio.com', HostedZoneId: 'Z123EXAMPLE' }],
    });
    backend.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: certificate } }],
    });
    backend.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    backend.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
  });

  it('ALB: HTTPS forwards every method and path to the app (CardDAV’s PROPFIND and REPORT on /dav, /.well-known/carddav)', () => {
    backend.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: Match.anyValue() }],
    });
    // A rule could match on path or method (http-request-method) and send the rest elsewhere: there is none.
    backend.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
  });

  it('target group health check is the liveness route /health/live on the app port (service-operations.test.ts says why)', () => {
    backend.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3000,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckPath: '/health/live',
      Matcher: { HttpCode: '200' },
    });
  });

  it('autoscaling on CPU and on requests per target', () => {
    backend.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6 });
    const policies = resources(backend, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(
      (p) => p.Properties.TargetTrackingScalingPolicyConfiguration,
    );
    expect(policies.map((p) => p.PredefinedMetricSpecification.PredefinedMetricType).sort()).toEqual([
      'ALBRequestCountPerTarget',
      'ECSServiceAverageCPUUtilization',
    ]);
  });

  it('scales out at 60% of the requests and of the CPU use one task was measured to hold (bench/capacity.ts)', () => {
    // The measurement the infra cites is in git, for this task size, and its capacity is the one used.
    const measured = JSON.parse(readFileSync(path.join(ROOT, TASK_CAPACITY.measuredIn), 'utf8')) as {
      mode: string;
      tasks: { shape: { cpu: number; memoryMiB: number }; capacityRps: number; steps: { rate: number; cpuPercent: number }[] }[];
    };
    expect(measured.mode).toBe('full');
    const task = measured.tasks.find((t) => t.shape.cpu === TASK_CPU_UNITS / 1024 && t.shape.memoryMiB === TASK_MEMORY_MIB);
    expect(task?.capacityRps).toBe(TASK_CAPACITY.requestsPerSecond);
    expect(task!.steps.find((s) => s.rate === task!.capacityRps)?.cpuPercent).toBe(TASK_CAPACITY.cpuPercent);
    backend.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: String(TASK_CPU_UNITS),
      Memory: String(TASK_MEMORY_MIB),
    });
    const requests = resources(backend, 'AWS::ApplicationAutoScaling::ScalingPolicy')
      .map((p) => p.Properties.TargetTrackingScalingPolicyConfiguration)
      .find((p) => p.PredefinedMetricSpecification.PredefinedMetricType === 'ALBRequestCountPerTarget');
    // ALBRequestCountPerTarget counts per minute.
    expect(requests.TargetValue).toBe(Math.floor(task!.capacityRps * 60 * 0.6));
    expect(requests.TargetValue).toBeGreaterThan(0);
    const cpu = resources(backend, 'AWS::ApplicationAutoScaling::ScalingPolicy')
      .map((p) => p.Properties.TargetTrackingScalingPolicyConfiguration)
      .find((p) => p.PredefinedMetricSpecification.PredefinedMetricType === 'ECSServiceAverageCPUUtilization');
    expect(cpu.TargetValue).toBe(Math.round(TASK_CAPACITY.cpuPercent * 0.6));
  });

  it('Route 53 alias api.contactfolio.com to the ALB', () => {
    backend.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.contactfolio.com.',
      Type: 'A',
      HostedZoneId: 'Z123EXAMPLE',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
    });
  });

  it('migrations run in a function triggered before the service is created or updated', () => {
    const migrate = logicalId(backend, 'AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SECRETS_ID: Match.anyValue(), NODE_ENV: 'production' }) },
    });
    const trigger = Object.entries(backend.findResources('Custom::Trigger')) as [string, { DependsOn?: string[]; Properties: any }][];
    expect(trigger).toHaveLength(1);
    // The trigger invokes the function's current version, so new code (and new migrations) re-run it.
    const version = logicalId(backend, 'AWS::Lambda::Version', { FunctionName: { Ref: migrate } });
    expect(trigger[0]![1].Properties.HandlerArn).toEqual({ Ref: version });
    expect(trigger[0]![1].Properties.ExecuteOnHandlerChange).toBe(true);
    const service = Object.entries(backend.findResources('AWS::ECS::Service'))[0] as [string, { DependsOn?: string[] }];
    expect(service[1].DependsOn).toContain(trigger[0]![0]);
  });

  it("both functions deploy scripts/build.mjs's Lambda artifact (the one the tests and the benchmark run), with the migrations", () => {
    const fns = [
      ...resources(backend, 'AWS::Lambda::Function', { Handler: 'migrate.handler' }),
      ...resources(lambdaStack, 'AWS::Lambda::Function', { Handler: 'index.handler' }),
    ];
    expect(fns).toHaveLength(2);
    for (const fn of fns) {
      const key = fn.Properties.Code.S3Key as string;
      const files = readdirSync(path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`));
      expect(files).toEqual(expect.arrayContaining(['index.mjs', 'migrate.mjs', 'query_compiler_bg.wasm', 'migrations']));
      expect(files.some((f) => /^chunk-\w+\.mjs$/.test(f))).toBe(true);
      expect(files).not.toContain('meta.json');
    }
  });
});

describe('frontend', () => {
  it('private bucket: public access blocked, TLS enforced, encrypted', () => {
    frontend.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    for (const b of resources(frontend, 'AWS::S3::Bucket')) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('CloudFront: origin access control, HTTPS only, SPA fallback, security headers, alias contactfolio.com', () => {
    frontend.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const [dist] = resources(frontend, 'AWS::CloudFront::Distribution');
    const config = dist!.Properties.DistributionConfig;
    expect(config.Aliases).toEqual(['contactfolio.com']);
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.CustomErrorResponses).toEqual([
      { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
      { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
    ]);
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    expect(config.Origins[0].S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(config.ViewerCertificate).toMatchObject({ SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' });
    frontend.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ IncludeSubdomains: true }),
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("connect-src 'self' https://api.contactfolio.com"),
          }),
        }),
      },
    });
    frontend.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'contactfolio.com.', Type: 'A' });
    frontend.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'contactfolio.com.', Type: 'AAAA' });
  });

  it('the web build is not in the stack (the pipeline uploads it after the stacks); the stack is in us-east-1 for the CloudFront certificate', () => {
    // A BucketDeployment with prune deleted the previous release's assets and set no Cache-Control.
    frontend.resourceCountIs('Custom::CDKBucketDeployment', 0);
    frontend.resourceCountIs('AWS::Lambda::Function', 0);
    frontend.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' })] },
    });
    const outputs = frontend.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['BucketName', 'DistributionId']));
    expect(stacks.frontend.region).toBe('us-east-1');
    frontend.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'contactfolio.com', ValidationMethod: 'DNS' });
  });
});

describe('lambda variant', () => {
  it('a Node.js function in the VPC behind a Function URL, secrets from Secrets Manager, one-connection design', () => {
    lambdaStack.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Environment: {
        Variables: Match.objectLike({ NODE_ENV: 'production', SECRETS_ID: Match.anyValue(), CORS_ORIGIN: 'https://contactfolio.com' }),
      },
    });
    lambdaStack.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
  });

  it('serves API clients only: its Function URL output says so (another site than the web app: no SameSite=Lax cookie from browsers)', () => {
    const outputs = lambdaStack.toJSON().Outputs as Record<string, { Description?: string }>;
    expect(outputs.FunctionUrl?.Description).toMatch(/API clients only/);
    expect(outputs.FunctionUrl?.Description).toMatch(/SameSite=Lax/);
  });

  it('Function URL: nothing in front filters methods or paths (CardDAV’s PROPFIND and REPORT on /dav, /.well-known/carddav, with Basic credentials)', () => {
    // A Function URL has no routes. What could stand between a phone and the
    // app is a Cors block (its AllowMethods names only GET, PUT, HEAD, POST,
    // PATCH, DELETE, OPTIONS or *; the app answers CORS itself), AWS_IAM auth
    // (SigV4 takes the Authorization header, where phones send Basic
    // credentials) and response streaming (the handler returns whole responses).
    const urls = resources(lambdaStack, 'AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    expect(urls[0]!.Properties).toEqual({ AuthType: 'NONE', TargetFunctionArn: expect.anything() });
  });

  it("caps its concurrency so it cannot take Aurora's connections from the tasks: 189 - 15 - 6 tasks x 200% x pool 10 = 54", () => {
    lambdaStack.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', ReservedConcurrentExecutions: 54 });
    // The pool size the arithmetic counts is the one the tasks run with.
    const [task] = resources(backend, 'AWS::ECS::TaskDefinition');
    expect(task!.Properties.ContainerDefinitions[0].Environment).toContainEqual({ Name: 'DB_POOL_MAX', Value: '10' });
    backend.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ MaximumPercent: 200 }) });
  });

  it('refuses to synthesize when the tasks alone would take every connection', () => {
    const app = new App({
      outdir: mkdtempSync(path.join(tmpdir(), 'cf-cdk-')),
      context: { ...cdkJsonContext(), lambda: 'true', maxTasks: '9' },
    });
    expect(() => buildApp(app)).toThrow(/no database connections left: 9 tasks x 200% x 10 = 180/);
  });

  it('is optional', () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'cf-cdk-')), context: cdkJsonContext() });
    expect(buildApp(app).lambda).toBeUndefined();
  });
});

describe('least privilege', () => {
  it('the task and migration roles read only the app secret', () => {
    const appSecret = logicalId(backend, 'AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('runtime secrets') });
    const secretReads = resources(backend, 'AWS::IAM::Policy')
      .flatMap((p) => p.Properties.PolicyDocument.Statement as any[])
      .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secretReads.length).toBeGreaterThanOrEqual(2);
    for (const s of secretReads) expect(s.Resource).toEqual({ Ref: appSecret });
  });
});
