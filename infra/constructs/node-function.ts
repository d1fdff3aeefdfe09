import path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

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
}

/**
 * One of the app's Lambda entry points, bundled locally by esbuild (no
 * Docker) with the migrations beside it, running in the private subnets.
 */
export class AppFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, 'handlers', `${props.entry}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      ...(props.vpc
        ? { vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: props.securityGroup ? [props.securityGroup] : undefined }
        : {}),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      logGroup: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH }),
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        forceDockerBundling: false,
        // The runtime ships the AWS SDK v3; PGlite is the development-only embedded database.
        externalModules: ['@aws-sdk/*', '@electric-sql/pglite', '@electric-sql/pglite-socket'],
        banner: "import { createRequire as __cfRequire } from 'node:module'; const require = __cfRequire(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [`cp -r "${inputDir}/prisma/migrations" "${outputDir}/migrations"`],
        },
      },
    });
  }
}
