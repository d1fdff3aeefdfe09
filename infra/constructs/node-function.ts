import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AssetHashType, DockerImage, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { logGroup } from './logs.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export interface AppFunctionProps {
  /** handlers/<entry>.ts */
  entry: 'lambda' | 'lambda-migrate';
  /** Omitted only for LocalStack, which runs functions on its own Docker network. */
  vpc?: ec2.IVpc;
  securityGroup?: ec2.ISecurityGroup;
  environment: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  /** Caps the concurrent instances (each holds database connections). */
  reservedConcurrentExecutions?: number;
}

/**
 * The Lambda artifact, built by scripts/build.mjs exactly as the tests and
 * the cold-start benchmark build it (Prisma's query compiler as a .wasm file,
 * code-split, the migrations beside it), locally and without Docker. One
 * asset per synth, shared by both functions.
 */
function lambdaArtifact(scope: Construct): lambda.AssetCode {
  const stack = Stack.of(scope);
  const cached = artifacts.get(stack);
  if (cached) return cached;
  const code = lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the API; never pulled, because local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-bookworm-slim'),
      local: {
        tryBundle(outputDir: string) {
          const work = mkdtempSync(path.join(tmpdir(), 'cf-lambda-asset-'));
          try {
            const built = spawnSync(process.execPath, ['scripts/build.mjs', 'lambda', '--out', work], {
              cwd: PROJECT_ROOT,
              encoding: 'utf8',
            });
            if (built.status !== 0) throw new Error(`scripts/build.mjs lambda failed: ${built.stderr}`);
            cpSync(path.join(work, 'lambda'), outputDir, { recursive: true, filter: (f) => path.basename(f) !== 'meta.json' });
          } finally {
            rmSync(work, { recursive: true, force: true });
          }
          return true;
        },
      },
    },
  });
  artifacts.set(stack, code);
  return code;
}
// An asset belongs to one stack; functions in the same stack share it.
const artifacts = new WeakMap<Stack, lambda.AssetCode>();

/** One of the app's Lambda entry points, running in the private subnets. */
export class AppFunction extends Construct {
  readonly fn: lambda.Function;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    this.fn = new lambda.Function(this, 'Function', {
      code: lambdaArtifact(this),
      handler: props.entry === 'lambda' ? 'index.handler' : 'migrate.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ...(props.vpc
        ? {
            vpc: props.vpc,
            vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: props.securityGroup ? [props.securityGroup] : undefined,
          }
        : {}),
      environment: props.environment,
      logGroup: logGroup(this, 'Logs'),
    });
  }
}
